"""The usage_report handler with its event files: EC2, Athena (queued results) and SNS in moto."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from types import ModuleType
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from botocore.stub import Stubber
from lambda_runtime import LambdaRuntime
from moto import mock_aws
from paths import ROOT
from usage_report_world import (
    REGION,
    World,
    build_network,
    executions,
    expected_message,
    expected_subject,
    queue_usage_results,
)

from vpc_cidr_analysis.pack.athena import AthenaQueryError, AthenaSettings
from vpc_cidr_analysis.pack.queries import get_query
from vpc_cidr_analysis.usage.inventory import Inventory
from vpc_cidr_analysis.usage.summary import (
    MESSAGE_LIMIT,
    SUBJECT_LIMIT,
    ReportConfigError,
    ReportSettings,
    _fit,
    _subject,
    report_settings,
    run_report,
)

FUNCTION_DIR = ROOT / "functions" / "usage_report"
EVENTS = FUNCTION_DIR / "events"
WORKGROUP = "vca"


@dataclass
class Account:
    """The known account in moto, the handler loaded against it, and where SNS delivered."""

    world: World
    handler: ModuleType
    queue_url: str
    topic_arn: str
    query_ids: dict[str, str]


@pytest.fixture
def account(monkeypatch: pytest.MonkeyPatch, lambda_runtime: LambdaRuntime) -> Iterator[Account]:
    with mock_aws():
        session = boto3.Session(region_name=REGION)
        world = build_network(session.client("ec2"))
        athena = session.client("athena")
        athena.create_work_group(
            Name=WORKGROUP,
            Configuration={"ResultConfiguration": {"OutputLocation": "s3://vca-results/results/"}},
        )
        query_ids = {
            name: athena.create_named_query(
                Name=name,
                Database="vpcflowlogscidrdb",
                WorkGroup=WORKGROUP,
                QueryString=(ROOT / "queries" / f"{name}.sql").read_text(encoding="utf-8"),
            )["NamedQueryId"]
            for name in ("sg_connections", "eni_usage")
        }
        sns, sqs = session.client("sns"), session.client("sqs")
        topic_arn = sns.create_topic(Name="vca-usage-report")["TopicArn"]
        queue_url = sqs.create_queue(QueueName="inbox")["QueueUrl"]
        queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])[
            "Attributes"
        ]["QueueArn"]
        sns.subscribe(TopicArn=topic_arn, Protocol="sqs", Endpoint=queue_arn)
        for name, value in {
            "AWS_REGION": REGION,
            "USAGE_REPORT_TOPIC_ARN": topic_arn,
            "SG_CONNECTIONS_QUERY_ID": query_ids["sg_connections"],
            "ENI_USAGE_QUERY_ID": query_ids["eni_usage"],
            "STACK_NAME": "vca",
            "VPC_CIDR_ANALYSIS_WORKGROUP": WORKGROUP,
            "VPC_CIDR_ANALYSIS_DATABASE": "vpcflowlogscidrdb",
            "USAGE_DAYS": "7",
        }.items():
            monkeypatch.setenv(name, value)
        handler = lambda_runtime.load("usage_report")  # module-scope clients made now
        yield Account(world, handler, queue_url, topic_arn, query_ids)


def _delivered(account: Account) -> list[dict[str, Any]]:
    sqs = boto3.client("sqs", region_name=REGION)
    messages = sqs.receive_message(QueueUrl=account.queue_url, MaxNumberOfMessages=10)
    return [json.loads(m["Body"]) for m in messages.get("Messages", [])]


def _event(name: str) -> Any:
    return json.loads((EVENTS / name).read_text(encoding="utf-8"))


def test_scheduled_event_publishes_the_summary(account: Account) -> None:
    today = datetime.now(UTC).date()
    queue_usage_results(account.world, today)
    result = account.handler.lambda_handler(_event("scheduled.json"), None)

    delivered = _delivered(account)
    assert len(delivered) == 1
    assert delivered[0]["Subject"] == expected_subject(today)
    assert delivered[0]["Message"] == expected_message(account.world, today)
    assert result == {
        "topic_arn": account.topic_arn,
        "message_id": delivered[0]["MessageId"],
        "subject": expected_subject(today),
        "window": f"{date.fromordinal(today.toordinal() - 6):%Y/%m/%d} to {today:%Y/%m/%d}"
        " (last 7 days)",
        "rules": 7,
        "used": 1,
        "never_used": 2,
        "maybe_used": 0,
        "group_unattached": 4,
        "network_interfaces": 2,
        "unused_network_interfaces": 1,
    }
    # The stack's saved queries ran in its workgroup, with USAGE_DAYS bound as `days`.
    started = executions()
    assert [e.query for e in started] == [
        get_query("sg_connections").sql,
        get_query("eni_usage").sql,
    ]
    assert [e.workgroup.name for e in started] == [WORKGROUP, WORKGROUP]
    assert all("vpcflowlogscidrdb" in str(e.context) for e in started)
    assert all(e.execution_parameters == ["''", "''", "7", "''"] for e in started)


def test_event_days_override_the_environment(account: Account) -> None:
    today = datetime.now(UTC).date()
    queue_usage_results(account.world, today)
    result = account.handler.lambda_handler(_event("days.json"), None)  # {"days": 30, "top": 20}
    assert [e.execution_parameters for e in executions()] == [["''", "''", "30", "''"]] * 2
    delivered = _delivered(account)
    assert delivered[0]["Message"] == expected_message(account.world, today, days=30)
    assert result["window"].endswith("(last 30 days)")


def test_missing_settings_fail_the_invocation_before_any_query(
    account: Account, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("ENI_USAGE_QUERY_ID")
    shipped = sys.modules["vpc_cidr_analysis.usage.summary"]  # the layer's copy the handler runs
    with pytest.raises(shipped.ReportConfigError, match="needs ENI_USAGE_QUERY_ID"):
        account.handler.lambda_handler(_event("scheduled.json"), None)
    assert executions() == []
    assert _delivered(account) == []


def test_a_missing_saved_query_raises_athena_s_error() -> None:
    athena = boto3.client("athena", region_name=REGION)
    with Stubber(athena) as stub:
        stub.add_client_error(
            "get_named_query",
            service_error_code="InvalidRequestException",
            service_message="NamedQuery q1 was not found",
        )
        with pytest.raises(ClientError, match="q1 was not found"):
            run_report(
                Inventory("123456789012", (REGION,), "2026-11-27T00:00:00Z"),
                athena,
                AthenaSettings(workgroup="vca"),
                ReportSettings("arn:aws:sns:us-east-1:123456789012:t", "q1", "q2"),
            )


def test_settings_explicit_over_environment_over_default() -> None:
    env = {
        "USAGE_REPORT_TOPIC_ARN": "arn:aws:sns:us-east-1:123456789012:t",
        "SG_CONNECTIONS_QUERY_ID": "q1",
        "ENI_USAGE_QUERY_ID": "q2",
    }
    assert report_settings({}, env) == ReportSettings(
        "arn:aws:sns:us-east-1:123456789012:t", "q1", "q2", days=7, top=10
    )
    assert report_settings({}, env | {"USAGE_DAYS": "14"}).days == 14
    assert report_settings({"days": 30}, env | {"USAGE_DAYS": "14"}).days == 30
    assert report_settings({"days": "", "top": None}, env).top == 10
    with pytest.raises(ReportConfigError, match="USAGE_REPORT_TOPIC_ARN, ENI_USAGE_QUERY_ID"):
        report_settings({}, {"SG_CONNECTIONS_QUERY_ID": "q1"})
    for bad in ("0", "3661", "seven"):
        with pytest.raises(ReportConfigError, match=rf"days \(USAGE_DAYS\) is '{bad}'.*1\.\.3660"):
            report_settings({}, env | {"USAGE_DAYS": bad})


def test_a_failed_athena_query_raises_with_athena_s_reason() -> None:
    athena = boto3.client("athena", region_name=REGION)
    text = (ROOT / "queries" / "sg_connections.sql").read_text(encoding="utf-8")
    eni_text = (ROOT / "queries" / "eni_usage.sql").read_text(encoding="utf-8")
    with Stubber(athena) as stub:
        stub.add_response(
            "get_named_query",
            {"NamedQuery": {"Name": "q", "Database": "d", "QueryString": text}},
            {"NamedQueryId": "q1"},
        )
        stub.add_response(
            "get_named_query",
            {"NamedQuery": {"Name": "q", "Database": "d", "QueryString": eni_text}},
            {"NamedQueryId": "q2"},
        )
        stub.add_response("start_query_execution", {"QueryExecutionId": "run-1"})
        stub.add_response(
            "get_query_execution",
            {
                "QueryExecution": {
                    "Status": {"State": "FAILED", "StateChangeReason": "TABLE_NOT_FOUND"}
                }
            },
        )
        with pytest.raises(AthenaQueryError, match="run-1 FAILED: TABLE_NOT_FOUND"):
            run_report(
                Inventory("123456789012", (REGION,), "2026-11-27T00:00:00Z"),
                athena,
                AthenaSettings(workgroup="vca"),
                ReportSettings("arn:aws:sns:us-east-1:123456789012:t", "q1", "q2"),
            )


def test_a_saved_query_that_is_not_the_pack_s_is_refused() -> None:
    athena = boto3.client("athena", region_name=REGION)
    with Stubber(athena) as stub:
        stub.add_response(
            "get_named_query",
            {"NamedQuery": {"Name": "q", "Database": "d", "QueryString": "SELECT 1"}},
        )
        with pytest.raises(ValueError, match="header lacks '-- name"):
            run_report(
                Inventory("123456789012", (REGION,), "2026-11-27T00:00:00Z"),
                athena,
                AthenaSettings(workgroup="vca"),
                ReportSettings("arn:aws:sns:us-east-1:123456789012:t", "q1", "q2"),
            )


def test_message_and_subject_fit_sns_limits() -> None:
    lines = [
        f"  sgr-{n:017x}  sg-0123 (web)  ingress tcp {n} from 10.0.0.0/16" for n in range(9_000)
    ]
    message = "head\n" + "\n".join(lines) + "\n"
    assert len(message.encode()) > MESSAGE_LIMIT
    cut = _fit(message, MESSAGE_LIMIT)
    assert len(cut.encode()) <= MESSAGE_LIMIT
    assert cut.startswith("head\n  sgr-")
    assert cut.endswith(
        "\n[cut to fit SNS's 256 KB message limit: run the full report for the rest]\n"
    )
    kept = cut.splitlines()[1:-2]
    assert kept == lines[: len(kept)]  # whole lines only
    assert _fit("short\n", MESSAGE_LIMIT) == "short\n"
    long_subject = _subject("a-very-long-stack-name-" * 6 + ": 3 never-used rules — 2026/11/27")
    assert len(long_subject) == SUBJECT_LIMIT and long_subject.endswith("...")
    assert _subject("stack: 3 never-used rules — x") == "stack: 3 never-used rules ? x"
