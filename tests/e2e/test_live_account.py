"""The stack in a live account, end to end (see live.py for the steps). Skipped unless
`VPC_CIDR_ANALYSIS_E2E=1` and boto3 finds credentials: run it with `make e2e`."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import boto3
import pytest
from e2e import live
from paths import ROOT

SESSION = boto3.Session()
pytestmark = pytest.mark.skipif(
    not (live.enabled() and live.has_credentials(SESSION)),
    reason="live account: set VPC_CIDR_ANALYSIS_E2E=1 with AWS credentials (make e2e)",
)


def test_the_stack_end_to_end(tmp_path: Path) -> None:
    region = SESSION.region_name or "us-east-1"
    account = SESSION.client("sts").get_caller_identity()["Account"]
    cloudformation = SESSION.client("cloudformation", region_name=region)
    s3 = SESSION.client("s3", region_name=region)
    athena = SESSION.client("athena", region_name=region)
    lambda_client = SESSION.client("lambda", region_name=region)
    now = datetime.now(UTC)
    end = (now - timedelta(days=1)).date()  # whole days only
    names = live.new_names(account, region, now)
    live.run_command(live.build_command(ROOT / "template" / "template.yaml"), ROOT)
    with live.cleaned_up(cloudformation, s3, names):
        live.create_logs_bucket(s3, names.logs_bucket, region)
        folders = {}
        for dataset in live.DATASETS:
            folders[dataset.name] = tmp_path / dataset.name
            config = dataset.config(account, region, end)
            live.upload_sample(s3, names.logs_bucket, config, folders[dataset.name])
        common = {
            "ProjectionStartDate": f"{end - timedelta(days=30):%Y/%m/%d}",
            "UsageReportSchedule": "rate(7 days)",
        }
        for step, dataset in enumerate(live.DATASETS):
            parameters = common | dataset.parameters(names.logs_bucket)
            live.run_command(live.deploy_command(names.stack, parameters, region), ROOT)
            outputs = live.stack_outputs(cloudformation, names.stack)
            settings = live.settings_from(outputs)
            if step == 0:
                live.invoke_cidr(lambda_client, outputs["CidrFunctionName"], live.cidr_blocks())
            logs = str(folders[dataset.name])
            ran = live.retry(lambda s=settings, f=logs: live.compare_pack(athena, s, f, end))
            assert ran.ran, "no query ran"
            database = outputs["DatabaseName"]
            one = live.scanned(athena, settings, live.window_scan_sql(database, end, 1))
            seven = live.scanned(athena, settings, live.window_scan_sql(database, end, 7))
            live.check_pruning(one, seven)
        report = live.invoke_function(lambda_client, outputs["UsageReportFunctionName"], {})
        assert report, "the usage report answered nothing"
