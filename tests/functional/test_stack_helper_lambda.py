"""The stack_helper handler with its event files (moto Glue and S3), answering over HTTP."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import boto3
import pytest
from lambda_runtime import LambdaRuntime
from moto import mock_aws
from paths import FUNCTIONS

EVENTS = FUNCTIONS / "stack_helper" / "events"
Handler = Callable[[Any, Any], dict[str, Any]]


class Context:
    log_stream_name = "2026/12/01/[$LATEST]abc"

    def get_remaining_time_in_millis(self) -> int:
        return 300_000


@pytest.fixture
def aws() -> Iterator[Any]:
    with mock_aws():
        glue = boto3.client("glue", region_name="us-east-1")
        glue.create_database(DatabaseInput={"Name": "vpcflowlogscidrdb"})
        yield glue


@pytest.fixture(params=["app", "inlined"])
def handler(request: pytest.FixtureRequest, aws: Any, lambda_runtime: LambdaRuntime) -> Handler:
    """The function from its folder over the layer, or the console template's inline code."""
    if request.param == "app":
        module = lambda_runtime.load("stack_helper")
    else:
        module = lambda_runtime.inlined("StackHelperFunction")
    function: Handler = module.lambda_handler
    return function


def event(name: str, url: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((EVENTS / name).read_text(encoding="utf-8"))
    loaded["ResponseURL"] = url
    return loaded


def test_create_makes_the_table_and_answers_success(
    handler: Handler, aws: Any, response_url: tuple[str, list[dict[str, Any]]]
) -> None:
    url, bodies = response_url
    sent = handler(event("flow_log_table_create.json", url), Context())
    (body,) = bodies
    assert body == sent
    assert (body["Status"], body["PhysicalResourceId"]) == (
        "SUCCESS",
        "vpcflowlogscidrdb.vpcflowlogstable",
    )
    assert body["LogicalResourceId"] == "FlowLogTable"
    assert body["RequestId"] == "6e7a3c1e-0b5c-4d3a-9f55-2f1a7c0d9b11"
    assert body["Data"]["TableName"] == "vpcflowlogstable"
    assert body["Data"]["LocationTemplate"] == (
        "s3://my-flow-logs/AWSLogs/${aws_account_id}/vpcflowlogs/${aws_region}/${day}/"
    )
    tables = aws.get_tables(DatabaseName="vpcflowlogscidrdb")["TableList"]
    assert [t["Name"] for t in tables] == ["vpcflowlogstable"]


def test_delete_empties_the_buckets(
    handler: Handler, response_url: tuple[str, list[dict[str, Any]]]
) -> None:
    url, bodies = response_url
    s3 = boto3.client("s3", region_name="us-east-1")
    for name in ("vpc-cidr-analysis-cidrs", "vpc-cidr-analysis-results"):
        s3.create_bucket(Bucket=name)
        s3.put_object(Bucket=name, Key="a/b.csv.gz", Body=b"x")
    sent = handler(event("empty_buckets_delete.json", url), Context())
    assert (sent["Status"], sent["Data"]) == ("SUCCESS", {"Deleted": "2"})
    assert bodies == [sent]
    for name in ("vpc-cidr-analysis-cidrs", "vpc-cidr-analysis-results"):
        assert s3.list_objects_v2(Bucket=name)["KeyCount"] == 0


def test_bad_properties_are_answered_failed_with_the_reason(
    handler: Handler, response_url: tuple[str, list[dict[str, Any]]]
) -> None:
    url, bodies = response_url
    bad = event("flow_log_table_create.json", url)
    bad["ResourceProperties"]["LogFormat"] = "${version} ${nope}"
    sent = handler(bad, Context())
    assert (sent["Status"], sent["PhysicalResourceId"]) == ("FAILED", "failed-create")
    assert "unknown flow-log field 'nope'" in sent["Reason"]
    assert "log stream 2026/12/01/[$LATEST]abc" in sent["Reason"]
    assert bodies == [sent]


def test_create_of_the_tgw_table_under_the_vpc_logs_location_makes_a_filtered_view(
    handler: Handler, aws: Any, response_url: tuple[str, list[dict[str, Any]]]
) -> None:
    url, bodies = response_url
    sent = handler(event("tgw_flow_log_table_create.json", url), Context())
    assert bodies == [sent]
    assert (sent["Status"], sent["PhysicalResourceId"]) == (
        "SUCCESS",
        "vpcflowlogscidrdb.tgwflowlogstable",
    )
    assert sent["Data"]["TableName"] == "tgwflowlogstable"
    assert sent["Data"]["DataTableName"] == "tgwflowlogstable_objects"
    tables = {t["Name"]: t for t in aws.get_tables(DatabaseName="vpcflowlogscidrdb")["TableList"]}
    assert {n: t["TableType"] for n, t in tables.items()} == {
        "tgwflowlogstable": "VIRTUAL_VIEW",
        "tgwflowlogstable_objects": "EXTERNAL_TABLE",
    }
    columns = tables["tgwflowlogstable_objects"]["StorageDescriptor"]["Columns"]
    assert [c["Name"] for c in columns][:5] == [
        "version",
        "resource_type",
        "account_id",
        "tgw_id",
        "tgw_attachment_id",
    ]
    assert tables["tgwflowlogstable"]["Description"].endswith('"version" = 6).')
