"""The Athena runner and the scan estimate, against moto and botocore's Stubber."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber
from moto import mock_aws
from moto.athena.models import QueryResults, athena_backends
from moto.core import DEFAULT_ACCOUNT_ID

from vpc_cidr_analysis.layout import object_key
from vpc_cidr_analysis.pack.athena import (
    AthenaQueryError,
    AthenaSettings,
    resolve_settings,
    run_query,
    scan_cost,
    wait_for,
)
from vpc_cidr_analysis.pack.estimate import estimate_scan
from vpc_cidr_analysis.pack.queries import load_queries
from vpc_cidr_analysis.pack.runner import run_athena

REGION = "us-east-1"


@pytest.fixture
def aws() -> Iterator[None]:
    """moto for every AWS call (fake credentials come from conftest's autouse fixture)."""
    with mock_aws():
        yield


def _queue(rows: list[list[str]], types: list[str]) -> None:
    backend = athena_backends[DEFAULT_ACCOUNT_ID][REGION]
    backend.query_results_queue.append(
        QueryResults(
            rows=[{"Data": [{"VarCharValue": v} for v in row]} for row in rows],
            column_info=[{"Name": n, "Type": t} for n, t in zip(rows[0], types, strict=True)],
        )
    )


def test_run_binds_parameters_and_types_the_rows(aws: None) -> None:
    athena = boto3.client("athena", region_name=REGION)
    _queue([["srcaddr", "bytes"], ["10.0.0.5", "1200"], ["10.0.0.6", "80"]], ["varchar", "bigint"])
    query = load_queries()["external"]
    settings = AthenaSettings(workgroup="primary", output_location="s3://results/")
    out = run_athena(query, {"days": "3", "vpc_cidrs": "10.0.0.0/16"}, athena, settings)
    assert out.columns == ["srcaddr", "bytes"]
    assert out.rows == [("10.0.0.5", 1200), ("10.0.0.6", 80)]
    execution = athena_backends[DEFAULT_ACCOUNT_ID][REGION].executions[out.query_execution_id]
    # start_day, end_day, days, end_day, then vpc_cidrs for the client and the server test
    cidr = "'10.0.0.0/16'"
    assert execution.execution_parameters == ["''", "''", "3", "''", cidr, cidr]
    assert execution.query == query.sql
    assert execution.context == {"Database": "vpcflowlogscidrdb"} or "vpcflowlogscidrdb" in str(
        execution.context
    )
    assert out.cost_usd == scan_cost(0) == pytest.approx(5e-5)


def _execution(state: str, reason: str | None = None, scanned: int = 0) -> dict[str, Any]:
    status: dict[str, Any] = {"State": state}
    if reason:
        status["StateChangeReason"] = reason
    return {
        "QueryExecution": {
            "QueryExecutionId": "q-1",
            "Status": status,
            "Statistics": {"DataScannedInBytes": scanned},
        }
    }


def test_failed_query_raises_athenas_reason() -> None:
    athena = boto3.client("athena", region_name=REGION, aws_access_key_id="x",
                          aws_secret_access_key="x")  # fmt: skip
    with Stubber(athena) as stub:
        stub.add_response("start_query_execution", {"QueryExecutionId": "q-1"})
        stub.add_response("get_query_execution", _execution("RUNNING"))
        stub.add_response(
            "get_query_execution", _execution("FAILED", "CONSTRAINT_VIOLATION: day is required")
        )
        sleeps: list[float] = []
        with pytest.raises(AthenaQueryError, match="q-1 FAILED: CONSTRAINT_VIOLATION"):
            run_query(athena, "SELECT 1", [], AthenaSettings(), sleep=sleeps.append)
        assert sleeps == [0.25]


def test_polling_backs_off_up_to_a_cap() -> None:
    athena = boto3.client("athena", region_name=REGION, aws_access_key_id="x",
                          aws_secret_access_key="x")  # fmt: skip
    sleeps: list[float] = []
    with Stubber(athena) as stub:
        for _ in range(7):
            stub.add_response("get_query_execution", _execution("RUNNING"))
        stub.add_response("get_query_execution", _execution("SUCCEEDED", scanned=123))
        execution = wait_for(athena, "q-1", sleep=sleeps.append)
    assert execution["Statistics"]["DataScannedInBytes"] == 123
    assert sleeps == [0.25, 0.5, 1.0, 2.0, 4.0, 5.0, 5.0]


def test_ctrl_c_stops_the_query() -> None:
    athena = boto3.client("athena", region_name=REGION, aws_access_key_id="x",
                          aws_secret_access_key="x")  # fmt: skip

    def interrupt(_: float) -> None:
        raise KeyboardInterrupt

    with Stubber(athena) as stub:
        stub.add_response("get_query_execution", _execution("RUNNING"))
        stub.add_response("stop_query_execution", {}, {"QueryExecutionId": "q-1"})
        with pytest.raises(KeyboardInterrupt):
            wait_for(athena, "q-1", sleep=interrupt)
        stub.assert_no_pending_responses()


def test_results_are_paged() -> None:
    athena = boto3.client("athena", region_name=REGION, aws_access_key_id="x",
                          aws_secret_access_key="x")  # fmt: skip
    meta = {"ColumnInfo": [{"Name": "n", "Type": "integer"}]}

    def page(values: list[str], token: str | None) -> dict[str, Any]:
        result: dict[str, Any] = {
            "ResultSet": {
                "Rows": [{"Data": [{"VarCharValue": v}]} for v in values],
                "ResultSetMetadata": meta,
            }
        }
        if token:
            result["NextToken"] = token
        return result

    with Stubber(athena) as stub:
        stub.add_response("start_query_execution", {"QueryExecutionId": "q-1"})
        stub.add_response("get_query_execution", _execution("SUCCEEDED", scanned=25_000_000))
        stub.add_response("get_query_results", page(["n", "1", "2"], "t1"))
        stub.add_response("get_query_results", page(["3"], None))
        result = run_query(athena, "SELECT n", [], AthenaSettings(), sleep=lambda _: None)
    assert result.rows == [(1,), (2,), (3,)]
    assert result.cost_usd == pytest.approx(25_000_000 / 1e12 * 5)
    assert scan_cost(25_000_001) == pytest.approx(26_000_000 / 1e12 * 5)  # whole megabytes
    assert scan_cost(1) == scan_cost(10_000_000) == pytest.approx(5e-5)  # 10 MB minimum


def test_settings_precedence() -> None:
    environ = {"AWS_REGION": "eu-west-1", "VPC_CIDR_ANALYSIS_WORKGROUP": "from-env"}

    def outputs(stack: str, _: AthenaSettings) -> dict[str, str]:
        assert stack == "s"
        return {"WorkGroupName": "from-stack", "DatabaseName": "stackdb", "Region": "ap-south-1"}

    settings = resolve_settings({"stack": "s"}, environ, outputs)
    assert (settings.workgroup, settings.database, settings.region) == (
        "from-env",
        "stackdb",
        "eu-west-1",
    )
    explicit = resolve_settings({"stack": "s", "workgroup": "flag"}, {}, outputs)
    assert (explicit.workgroup, explicit.region) == ("flag", "ap-south-1")
    assert resolve_settings({}, {}).database == "vpcflowlogscidrdb"


def test_estimate_sums_only_the_window_prefixes(aws: None) -> None:
    s3 = boto3.client("s3", region_name=REGION)
    s3.create_bucket(Bucket="flow-logs")
    from datetime import datetime

    sizes = {date(2026, 11, 25): 100, date(2026, 11, 26): 250, date(2026, 11, 10): 9999}
    for layout in ("default", "hive"):
        for day, size in sizes.items():
            for hour in (1, 13):
                key = object_key(
                    "pre/fix",
                    layout,  # type: ignore[arg-type]
                    "123456789012",
                    "eu-west-1",
                    datetime(day.year, day.month, day.day, hour),
                    hourly=layout == "hive",
                    flow_log_id="fl-1",
                    digest="abcd1234",
                    file_format="text",
                )
                s3.put_object(Bucket="flow-logs", Key=key, Body=b"x" * size)
    window = [date(2026, 11, 25), date(2026, 11, 26), date(2026, 11, 27)]
    for layout in ("default", "hive"):
        found = estimate_scan(s3, "s3://flow-logs/pre/fix/", layout, window)  # type: ignore[arg-type]
        assert [(s.objects, s.bytes) for s in found] == [(2, 200), (2, 500), (0, 0)]
    with pytest.raises(
        ValueError, match="is not an S3 URL; expected s3://bucket/ or s3://bucket/prefix/"
    ):
        estimate_scan(s3, "flow-logs/pre", "default", window)
