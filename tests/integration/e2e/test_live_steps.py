"""The live-account suite's steps (tests/e2e/live.py) offline: against moto where moto can
answer (S3, CloudFormation, Athena with queued results), with stand-ins where it cannot (Lambda
runs no code here)."""

from __future__ import annotations

import io
import json
import re
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import boto3
import pytest
from e2e import live
from e2e import run as e2e_run
from moto import mock_aws
from moto.athena.models import QueryResults, athena_backends
from moto.core import DEFAULT_ACCOUNT_ID
from paths import script

from vpc_cidr_analysis import layout
from vpc_cidr_analysis.cidrtable.expand import cidrs_from_event
from vpc_cidr_analysis.pack.athena import AthenaSettings
from vpc_cidr_analysis.pack.queries import get_query
from vpc_cidr_analysis.pack.runner import QueryOutput, run_local
from vpc_cidr_analysis.s3url import parse_s3_url

REGION = "us-east-1"
ACCOUNT = DEFAULT_ACCOUNT_ID
END = date(2026, 11, 20)
gen = script("build_console_template")


@pytest.fixture
def aws() -> Iterator[dict[str, Any]]:
    with mock_aws():
        yield {
            "s3": boto3.client("s3", region_name=REGION),
            "cloudformation": boto3.client("cloudformation", region_name=REGION),
            "athena": boto3.client("athena", region_name=REGION),
        }


# --------------------------------------------------------------------------- names and data


def test_names_are_fresh_and_valid() -> None:
    now = datetime(2026, 12, 1, 9, 30, tzinfo=UTC)
    first = live.new_names("111122223333", "ap-southeast-2", now)
    second = live.new_names("111122223333", "ap-southeast-2", now)
    assert first != second  # a random suffix even within the same minute
    assert first.stack.startswith("vca-e2e-202612010930-")
    assert re.fullmatch(r"[A-Za-z][A-Za-z0-9-]{0,127}", first.stack)
    bucket = parse_s3_url(f"s3://{first.logs_bucket}/", what="bucket", folder=True).bucket
    assert bucket == first.logs_bucket and len(bucket) <= 63
    fixed = live.new_names("111122223333", "us-east-1", now, suffix="abc123")
    assert fixed == live.Names(
        "vca-e2e-202612010930-abc123", "vca-e2e-111122223333-us-east-1-202612010930-abc123"
    )


@pytest.mark.parametrize("dataset", live.DATASETS, ids=lambda d: d.name)
def test_each_dataset_uploads_under_the_keys_aws_writes(
    aws: dict[str, Any], dataset: live.Dataset, tmp_path: Path
) -> None:
    s3 = aws["s3"]
    live.create_logs_bucket(s3, "e2e-logs", REGION)
    config = dataset.config(ACCOUNT, REGION, END)
    keys = live.upload_sample(s3, "e2e-logs", config, tmp_path)
    listed = [o["Key"] for o in s3.list_objects_v2(Bucket="e2e-logs")["Contents"]]
    assert sorted(listed) == keys
    days = set()
    for key in keys:
        parsed = layout.parse_key(key)
        assert parsed is not None, key
        assert key.startswith(f"{dataset.prefix}AWSLogs/")
        assert key.endswith(".log.parquet" if dataset.file_format == "parquet" else ".log.gz")
        days.add(parsed.day)
    assert len(days) == live.SAMPLE_DAYS  # every day of the window has objects
    tags = s3.get_bucket_tagging(Bucket="e2e-logs")["TagSet"]
    assert tags == [{"Key": live.TAG, "Value": "true"}]
    block = s3.get_public_access_block(Bucket="e2e-logs")["PublicAccessBlockConfiguration"]
    assert all(block.values())


def test_datasets_are_stack_parameters_the_template_accepts() -> None:
    console = gen.load_cfn(gen.CONSOLE_TEMPLATE.read_text(encoding="utf-8"))
    parameters = console["Parameters"]
    combos = {(d.layout, d.file_format) for d in live.DATASETS}
    assert combos == {("default", "text"), ("hive", "text"), ("hive", "parquet")}
    for dataset in live.DATASETS:
        for name, value in dataset.parameters("vca-e2e-logs").items():
            spec = parameters[name]
            if "AllowedValues" in spec:
                assert value in spec["AllowedValues"], (name, value)
            if "AllowedPattern" in spec:
                assert re.fullmatch(spec["AllowedPattern"], value), (name, value)


def test_deploy_command_names_the_stack_and_every_parameter() -> None:
    command = live.deploy_command(
        "vca-e2e-1", {"S3Layout": "hive", "FlowLogsLocation": "s3://b/p/"}, "eu-west-1"
    )
    assert command[:2] == ["sam", "deploy"]
    assert command[command.index("--stack-name") + 1] == "vca-e2e-1"
    assert command[command.index("--region") + 1] == "eu-west-1"
    assert {"--no-confirm-changeset", "--resolve-s3", "CAPABILITY_IAM"} <= set(command)
    overrides = command[command.index("--parameter-overrides") + 1 :]
    assert overrides == ["FlowLogsLocation=s3://b/p/", "S3Layout=hive"]


# --------------------------------------------------------------------------- Lambda


class FakeLambda:
    """Answers `invoke` as Lambda does (moto cannot run function code here)."""

    def __init__(self, answer: Any, error: bool = False) -> None:
        self.answer, self.error = answer, error
        self.calls: list[dict[str, Any]] = []

    def invoke(self, **request: Any) -> dict[str, Any]:
        self.calls.append(request)
        response: dict[str, Any] = {"Payload": io.BytesIO(json.dumps(self.answer).encode())}
        if self.error:
            response["FunctionError"] = "Unhandled"
        return response


def test_invoke_cidr_sends_the_blocks_and_checks_the_answer() -> None:
    blocks = live.cidr_blocks()
    assert blocks == ["10.0.0.0/16", "100.64.0.0/20", "10.1.0.0/16", "10.2.0.0/16"]
    fake = FakeLambda({"cidrs": [{"cidr": b} for b in blocks]})
    assert len(live.invoke_cidr(fake, "cidr-fn", blocks)) == 4
    assert fake.calls[0]["InvocationType"] == "RequestResponse"
    payload = json.loads(fake.calls[0]["Payload"])
    assert cidrs_from_event(payload) == blocks  # the CIDR function's own event parser
    with pytest.raises(live.E2EError, match="CIDR function answered"):
        live.invoke_cidr(FakeLambda({"cidrs": []}), "cidr-fn", blocks)
    with pytest.raises(live.E2EError, match=r"report-fn failed: .*boom"):
        live.invoke_function(FakeLambda({"errorMessage": "boom"}, error=True), "report-fn", {})


# --------------------------------------------------------------------------- queries


def test_compare_accepts_athenas_text_for_the_local_types() -> None:
    at = datetime(2026, 11, 20, 6, 0, tzinfo=UTC)
    local = QueryOutput(
        ["srcaddr", "bytes", "first_seen"], [("10.0.1.5", 1200, at), ("b", 1, None)]
    )
    athena = QueryOutput(
        ["srcaddr", "bytes", "first_seen"],
        [("b", 1, None), ("10.0.1.5", 1200, "2026-11-20 06:00:00.000 UTC")],
    )
    live.compare("top_talkers (contains)", athena, local)  # same rows, any order
    changed = QueryOutput(athena.columns, [("b", 1, None), ("10.0.1.5", 1201, None)])
    with pytest.raises(live.E2EError, match=r"top_talkers \(contains\): .*1201"):
        live.compare("top_talkers (contains)", changed, local)
    with pytest.raises(live.E2EError, match="columns"):
        live.compare("q", QueryOutput(["a"], []), QueryOutput(["b"], []))


def _athena_text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return f"{value.astimezone(UTC):%Y-%m-%d %H:%M:%S}.000 UTC"
    return str(value)


def _queue(output: QueryOutput) -> None:
    rows = [output.columns, *[[_athena_text(v) for v in row] for row in output.rows]]
    athena_backends[ACCOUNT][REGION].query_results_queue.append(
        QueryResults(
            rows=[{"Data": [{"VarCharValue": v} for v in row]} for row in rows],
            column_info=[{"Name": c, "Type": "varchar"} for c in output.columns],
        )
    )


@pytest.fixture(scope="module")
def logs(tmp_path_factory: pytest.TempPathFactory) -> str:
    out = tmp_path_factory.mktemp("e2e-logs")
    live.upload_sample(_NoUpload(), "unused", live.DATASETS[0].config(ACCOUNT, REGION, END), out)
    return str(out)


class _NoUpload:
    def upload_file(self, *args: Any) -> None:
        return None


def test_compare_pack_runs_both_forms_and_finds_a_difference(
    aws: dict[str, Any], logs: str
) -> None:
    queries = {"top_talkers": get_query("top_talkers"), "eni_ports": get_query("eni_ports")}
    assert live.forms_of(queries["top_talkers"]) == ["contains", "cidrtable"]
    assert live.forms_of(queries["eni_ports"]) == ["contains"]
    # Athena's answers (moto returns what is queued): exactly what the local engine finds
    expected = []
    for name, query in sorted(queries.items()):
        values = live.window_values(query, END)
        cidrs = {"vpc_cidrs": "10.0.0.0/16,100.64.0.0/20"} if name == "top_talkers" else {}
        assert values == {"start_day": "2026/11/14", "end_day": "2026/11/20"} | cidrs
        for form in live.forms_of(query):
            output = run_local(query, values, logs, form=form, today=END)
            assert output.rows, (name, form)
            _queue(output)
            expected.append((name, form))
    settings = AthenaSettings(database="vpcflowlogscidrdb", workgroup="primary")
    done = live.compare_pack(aws["athena"], settings, logs, END, queries=queries)
    assert done.ran == expected
    assert done.ran == [
        ("eni_ports", "contains"),
        ("top_talkers", "contains"),
        ("top_talkers", "cidrtable"),
    ]

    # one row less on "Athena": the comparison names the query and the row
    query = queries["eni_ports"]
    output = run_local(query, live.window_values(query, END), logs, today=END)
    _queue(QueryOutput(output.columns, output.rows[1:]))
    with pytest.raises(live.E2EError, match=r"eni_ports \(contains\): .* only locally"):
        live.compare_pack(aws["athena"], settings, logs, END, queries={"eni_ports": query})


def test_window_scan_sql_reads_exactly_the_window(logs: str) -> None:
    """The pruning probe is valid SQL that counts the window's records (local engine)."""
    from vpc_cidr_analysis.engine.local import LocalEngine

    engine = LocalEngine(logs, today=END)
    one = engine.execute(live.window_scan_sql("vpcflowlogscidrdb", END, 1), []).rows[0][0]
    seven = engine.execute(live.window_scan_sql("vpcflowlogscidrdb", END, 7), []).rows[0][0]
    last_day = engine.execute(
        "SELECT count(*) FROM vpcflowlogscidrdb.vpcflowlogstable WHERE day = '2026/11/20'", []
    ).rows[0][0]
    assert 0 < one == last_day < seven


def test_check_pruning() -> None:
    assert live.check_pruning(10_000_000, 70_000_000) == pytest.approx(1 / 7)
    with pytest.raises(live.E2EError, match="1-day window scanned 70,000,000 bytes, 100%"):
        live.check_pruning(70_000_000, 70_000_000)
    with pytest.raises(live.E2EError, match="no flow logs were read"):
        live.check_pruning(0, 0)


# --------------------------------------------------------------------------- clean-up


def _stack_with_a_bucket(cloudformation: Any) -> None:
    template = {"Resources": {"Bucket": {"Type": "AWS::S3::Bucket"}}}
    cloudformation.create_stack(StackName="vca-e2e-x", TemplateBody=json.dumps(template))


def test_cleaned_up_leaves_nothing_even_when_a_step_fails(
    aws: dict[str, Any], tmp_path: Path
) -> None:
    s3, cloudformation = aws["s3"], aws["cloudformation"]
    names = live.Names("vca-e2e-x", "vca-e2e-logs-x")
    with (
        pytest.raises(RuntimeError, match="a step failed"),
        live.cleaned_up(cloudformation, s3, names),
    ):
        _stack_with_a_bucket(cloudformation)
        live.create_logs_bucket(s3, names.logs_bucket, REGION)
        s3.put_bucket_versioning(
            Bucket=names.logs_bucket, VersioningConfiguration={"Status": "Enabled"}
        )
        for body in (b"one", b"two"):  # two versions of one key
            s3.put_object(Bucket=names.logs_bucket, Key="AWSLogs/x.log.gz", Body=body)
        raise RuntimeError("a step failed")
    assert live.leftovers(cloudformation, s3, names) == []
    assert names.logs_bucket not in {b["Name"] for b in s3.list_buckets()["Buckets"]}
    statuses = {
        s["StackName"]: s["StackStatus"] for s in cloudformation.list_stacks()["StackSummaries"]
    }
    assert statuses == {"vca-e2e-x": "DELETE_COMPLETE"}


def test_cleaned_up_of_nothing_created_is_quiet(aws: dict[str, Any]) -> None:
    names = live.Names("vca-e2e-never", "vca-e2e-never-logs")
    with live.cleaned_up(aws["cloudformation"], aws["s3"], names):
        pass  # failed before anything was created: nothing to delete, no error


class _DenyingS3:
    """An S3 client that may not delete anything (a clean-up that cannot finish)."""

    def __init__(self, real: Any) -> None:
        self.real = real

    def __getattr__(self, name: str) -> Any:
        if name.startswith("delete"):
            raise self.real.exceptions.ClientError(
                {"Error": {"Code": "AccessDenied", "Message": "denied"}}, name
            )
        return getattr(self.real, name)


def test_a_clean_up_that_cannot_finish_is_an_error(aws: dict[str, Any]) -> None:
    names = live.Names("vca-e2e-y", "vca-e2e-logs-y")
    live.create_logs_bucket(aws["s3"], names.logs_bucket, REGION)
    aws["s3"].put_object(Bucket=names.logs_bucket, Key="AWSLogs/a", Body=b"a")
    with (
        pytest.raises(live.E2EError, match=r"clean-up left: bucket vca-e2e-logs-y.*denied"),
        live.cleaned_up(aws["cloudformation"], _DenyingS3(aws["s3"]), names),
    ):
        pass


# --------------------------------------------------------------------------- make e2e


class _Session:
    def __init__(self, credentials: object | None) -> None:
        self.credentials = credentials

    def get_credentials(self) -> object | None:
        return self.credentials


def test_make_e2e_without_credentials_prints_the_plan_and_fails(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert e2e_run.main({}, session=_Session(None)) == e2e_run.NO_CREDENTIALS == 2
    out, err = capsys.readouterr()
    for number, step in enumerate(live.PLAN, 1):
        assert f"  {number}. {step}" in out
    assert "cents" in out
    assert err.startswith("make e2e: no AWS credentials found; nothing was run.")


def test_make_e2e_with_credentials_runs_the_suite_live(monkeypatch: pytest.MonkeyPatch) -> None:
    ran: list[tuple[list[str], dict[str, str]]] = []

    class Done:
        returncode = 5

    def fake_run(command: list[str], env: dict[str, str], check: bool) -> Done:
        ran.append((command, env))
        return Done()

    monkeypatch.setattr(e2e_run.subprocess, "run", fake_run)
    assert e2e_run.main({"AWS_PROFILE": "test"}, session=_Session(object())) == 5
    ((command, env),) = ran
    assert command[1:3] == ["-m", "pytest"] and command[-2].endswith("tests/e2e")
    assert env["VPC_CIDR_ANALYSIS_E2E"] == "1" and env["AWS_PROFILE"] == "test"


def test_the_live_test_is_skipped_here() -> None:
    assert not live.enabled({}) and live.enabled({"VPC_CIDR_ANALYSIS_E2E": "1"})
    assert not live.enabled({"VPC_CIDR_ANALYSIS_E2E": "true"})
