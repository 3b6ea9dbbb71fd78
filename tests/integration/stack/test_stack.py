"""The stack's flow-log table definition and its custom resources (`stack/`), through the one
responder `stack.custom_resource` with a recording sender."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator, Mapping
from datetime import date, datetime
from pathlib import Path
from typing import Any

import boto3
import duckdb
import pytest
import tgw_examples
from moto import mock_aws

from vpc_cidr_analysis import layout, schema
from vpc_cidr_analysis.simulate.simulator import SampleConfig, write_sample
from vpc_cidr_analysis.stack import buckets, custom_resource
from vpc_cidr_analysis.stack import table as stack

BUCKET = "flow-logs-bucket"
ACCOUNTS = ("111122223333", "444455556666")
REGIONS = ("us-east-1", "eu-west-1")
V5_FORMAT = " ".join(f"${{{name}}}" for name in schema.V5_FIELDS)
LAYOUT_CASES = [
    (lay, hourly, prefix)
    for lay in layout.LAYOUTS
    for hourly in (False, True)
    for prefix in ("", "team/flow-logs/")
]


def props(**overrides: str) -> dict[str, str]:
    """`Custom::FlowLogTable` properties as CloudFormation sends them (strings)."""
    base = {
        "DatabaseName": schema.DATABASE,
        "FlowLogsLocation": f"s3://{BUCKET}/",
        "S3Layout": "default",
        "HourlyPartitions": "false",
        "FileFormat": "text",
        "LogFormat": V5_FORMAT,
        "AccountIds": ",".join(ACCOUNTS),
        "Regions": ",".join(REGIONS),
        "ProjectionStartDate": "2025/01/01",
    }
    base.update(overrides)
    return base


def spec_for(lay: str, hourly: bool, prefix: str, **overrides: str) -> stack.FlowLogTableSpec:
    return stack.spec_from_properties(
        props(
            FlowLogsLocation=f"s3://{BUCKET}/{prefix}",
            S3Layout=lay,
            HourlyPartitions=str(hourly).lower(),
            **overrides,
        )
    )


def projected_values(
    spec: stack.FlowLogTableSpec, account: str, region: str, day: date, hour: int
) -> dict[str, str]:
    """Partition values as Athena projects them, read off the projection parameters: enum
    values as listed, a `date` column formatted with its pattern, an `integer` column padded to
    its digits."""
    params = stack.projection_parameters(spec)
    values: dict[str, str] = {}
    numbers = {"month": day.month, "day": day.day, "hour": hour}
    for column in stack.partition_columns(spec):
        kind = params[f"projection.{column}.type"]
        if kind == "enum":
            listed = params[f"projection.{column}.values"].split(",")
            values[column] = account if column == "aws_account_id" else region
            assert values[column] in listed
        elif kind == "date":
            values[column] = stack.format_java_date(params[f"projection.{column}.format"], day)
        else:
            assert kind == "integer"
            low, high = (int(n) for n in params[f"projection.{column}.range"].split(","))
            assert low <= numbers[column] <= high
            values[column] = f"{numbers[column]:0{params[f'projection.{column}.digits']}d}"
    return values


# --------------------------------------------------------------------------- columns


def test_columns_are_the_schema_columns_of_the_log_format_in_file_order() -> None:
    custom = "${srcaddr} ${dstaddr} ${action} ${version} ${bytes} ${log-status} ${region}"
    spec = stack.spec_from_properties(props(LogFormat=custom))
    columns = [(c["Name"], c["Type"]) for c in stack.data_columns(spec)]
    assert columns[:7] == [
        ("srcaddr", "string"),
        ("dstaddr", "string"),
        ("action", "string"),
        ("version", "int"),
        ("bytes", "bigint"),
        ("log_status", "string"),
        ("region", "string"),
    ]
    # Then every other field, so queries for richer formats read NULLs instead of failing,
    # exactly as the local engine exposes them.
    assert sorted(columns) == sorted(schema.athena_columns(schema.ALL_FIELDS))
    assert columns[7:] == [
        c for c in schema.athena_columns(schema.ALL_FIELDS) if c not in columns[:7]
    ]


def test_default_format_gives_every_v5_column_and_partitions_do_not_clash() -> None:
    spec = stack.spec_from_properties(props())
    table = stack.data_table_input(spec)
    data = [(c["Name"], c["Type"]) for c in table["StorageDescriptor"]["Columns"]]
    assert data == schema.athena_columns(schema.ALL_FIELDS)  # v5 order first, then v7, v8
    partitions = [k["Name"] for k in table["PartitionKeys"]]
    assert partitions == ["aws_account_id", "aws_region", "day"]
    assert not set(partitions) & {name for name, _ in data}  # v4's `region` stays a data column
    assert "region" in {name for name, _ in data}


@pytest.mark.parametrize(("lay", "hourly", "prefix"), LAYOUT_CASES)
def test_user_facing_columns_match_the_schema_partitions(
    lay: str, hourly: bool, prefix: str
) -> None:
    spec = spec_for(lay, hourly, prefix)
    names = [name for name, _ in stack.view_columns(spec)]
    expected_partitions = [p for p in schema.PARTITION_COLUMNS if hourly or p != "hour"]
    extra = ["year", "month"] if lay == "hive" else []  # the Hive view's direct filters
    assert (
        names
        == [c for c, _ in schema.athena_columns(schema.ALL_FIELDS)] + expected_partitions + extra
    )
    if lay == "default":
        table = stack.table_inputs(spec, schema.DATABASE)
        assert [t["Name"] for t in table] == [schema.FLOW_TABLE]
        columns = [c["Name"] for c in table[0]["StorageDescriptor"]["Columns"]]
        columns += [k["Name"] for k in table[0]["PartitionKeys"]]
        assert columns == names


def test_text_and_parquet_storage() -> None:
    text = stack.data_table_input(stack.spec_from_properties(props()))
    assert text["Parameters"]["skip.header.line.count"] == "1"
    serde = text["StorageDescriptor"]["SerdeInfo"]
    assert serde["SerializationLibrary"] == stack.TEXT_SERDE
    assert serde["Parameters"]["field.delim"] == " "
    assert text["StorageDescriptor"]["InputFormat"] == stack.TEXT_INPUT

    parquet = stack.data_table_input(stack.spec_from_properties(props(FileFormat="parquet")))
    assert "skip.header.line.count" not in parquet["Parameters"]
    assert parquet["Parameters"]["classification"] == "parquet"
    sd = parquet["StorageDescriptor"]
    assert sd["SerdeInfo"]["SerializationLibrary"] == stack.PARQUET_SERDE
    assert sd["InputFormat"] == stack.PARQUET_INPUT
    assert sd["OutputFormat"] == stack.PARQUET_OUTPUT


# --------------------------------------------------------------------------- projection


@pytest.mark.parametrize(("lay", "hourly", "prefix"), LAYOUT_CASES)
def test_location_template_expands_to_the_simulators_key_prefixes(
    lay: str, hourly: bool, prefix: str
) -> None:
    spec = spec_for(lay, hourly, prefix)
    template = stack.projection_parameters(spec)["storage.location.template"]
    assert template == stack.storage_location_template(spec)
    moments = [datetime(2025, 1, 1, 0, 5), datetime(2025, 3, 9, 7, 35), datetime(2026, 12, 31, 23)]
    for account in ACCOUNTS:
        for region in REGIONS:
            for at in moments:
                values = projected_values(spec, account, region, at.date(), at.hour)
                location = stack.expand_template(template, values)
                folder = layout.day_prefix(
                    prefix, lay, account, region, at.date(), at.hour if hourly else None
                )  # type: ignore[arg-type]
                assert location == f"s3://{BUCKET}/{folder}"
                key = layout.object_key(
                    prefix,
                    lay,  # type: ignore[arg-type]
                    account,
                    region,
                    at,
                    hourly,
                    "fl-0123456789abcdef0",
                    "abcd1234",
                    "text",
                )
                assert f"s3://{BUCKET}/{key}".startswith(location)
                assert "/" not in key[len(folder) :]  # the object sits in the partition folder


@pytest.mark.parametrize(("lay", "hourly", "prefix"), LAYOUT_CASES)
def test_location_template_finds_every_object_the_simulator_writes(
    lay: str, hourly: bool, prefix: str, tmp_path: Path
) -> None:
    """Each written object lies in the folder Athena computes for its projected partition."""
    config = SampleConfig(
        records=80,
        days=3,
        end_date=date(2025, 3, 2),
        layout=lay,  # type: ignore[arg-type]
        hourly=hourly,
        prefix=prefix,
        account=ACCOUNTS[1],
        region=REGIONS[1],
    )
    write_sample(config, tmp_path)
    spec = spec_for(lay, hourly, prefix)
    template = stack.storage_location_template(spec)
    # every partition Athena projects over the sample's days, by folder
    projected = {
        stack.expand_template(
            template, projected_values(spec, ACCOUNTS[1], REGIONS[1], day, hour)
        ): (day, hour)
        for day in (date(2025, 2, 28), date(2025, 3, 1), date(2025, 3, 2))
        for hour in (range(24) if hourly else [0])
    }
    keys = [p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*.log.gz")]
    assert keys, "the simulator wrote no objects"
    for key in keys:
        folder, _, name = key.rpartition("/")
        location = f"s3://{BUCKET}/{folder}/"
        assert location in projected, key
        parsed = layout.parse_key(key)
        assert parsed is not None
        day, hour = projected[location]
        assert parsed.day == f"{day:%Y/%m/%d}"
        assert parsed.hour == (f"{hour:02d}" if hourly else None)
        assert name.endswith(".log.gz")


@pytest.mark.parametrize(("lay", "hourly", "prefix"), LAYOUT_CASES)
def test_every_partition_column_is_projected_and_in_the_template(
    lay: str, hourly: bool, prefix: str
) -> None:
    spec = spec_for(lay, hourly, prefix)
    params = stack.projection_parameters(spec)
    columns = stack.partition_columns(spec)
    assert params["projection.enabled"] == "true"
    for column in columns:
        assert params[f"projection.{column}.type"] in ("enum", "date", "integer")
        assert f"${{{column}}}" in params["storage.location.template"]
    placeholders = set(stack.re.findall(r"\$\{([^}]+)\}", params["storage.location.template"]))
    assert placeholders == set(columns)
    assert params["projection.aws_account_id.values"] == ",".join(ACCOUNTS)
    assert params["projection.aws_region.values"] == ",".join(REGIONS)
    if hourly:
        assert params["projection.hour.type"] == "integer"
        assert params["projection.hour.range"] == "0,23"
        assert params["projection.hour.digits"] == "2"
    else:
        assert not any(key.startswith("projection.hour") for key in params)


def test_date_projection_per_layout() -> None:
    default = stack.projection_parameters(stack.spec_from_properties(props()))
    assert default["projection.day.type"] == "date"
    assert default["projection.day.format"] == "yyyy/MM/dd"
    assert default["projection.day.range"] == "2025/01/01,NOW"
    assert default["projection.day.interval.unit"] == "DAYS"
    assert not any(k.startswith(("projection.year", "projection.month")) for k in default)


@pytest.mark.parametrize("hourly", [False, True])
def test_hive_projection_is_aws_documented_year_month_day_hour(hourly: bool) -> None:
    """The Hive layout projects like AWS's own Hive-layout flow-log table: separate year,
    month, day (and hour) partitions; only plain date patterns and 2-digit integers."""
    spec = stack.spec_from_properties(
        props(
            S3Layout="hive", HourlyPartitions=str(hourly).lower(), ProjectionStartDate="2024/06/15"
        )
    )
    hive = stack.projection_parameters(spec)
    assert stack.partition_columns(spec) == [
        "aws_account_id",
        "aws_region",
        "year",
        "month",
        "day",
        *(["hour"] if hourly else []),
    ]
    projected = {k: v for k, v in hive.items() if k.startswith("projection.")}
    expected = {
        "projection.enabled": "true",
        "projection.aws_account_id.type": "enum",
        "projection.aws_account_id.values": ",".join(ACCOUNTS),
        "projection.aws_region.type": "enum",
        "projection.aws_region.values": ",".join(REGIONS),
        "projection.year.type": "date",
        "projection.year.format": "yyyy",
        "projection.year.range": "2024,NOW",
        "projection.year.interval": "1",
        "projection.year.interval.unit": "YEARS",
        "projection.month.type": "integer",
        "projection.month.range": "1,12",
        "projection.month.digits": "2",
        "projection.day.type": "integer",
        "projection.day.range": "1,31",
        "projection.day.digits": "2",
    }
    if hourly:
        expected |= {
            "projection.hour.type": "integer",
            "projection.hour.range": "0,23",
            "projection.hour.digits": "2",
        }
    assert projected == expected
    assert "'" not in "".join(projected.values())  # no quoted literals in any format
    assert hive["storage.location.template"] == (
        f"s3://{BUCKET}/AWSLogs/aws-account-id=${{aws_account_id}}/aws-service=vpcflowlogs/"
        "aws-region=${aws_region}/year=${year}/month=${month}/day=${day}/"
        + ("hour=${hour}/" if hourly else "")
    )


def test_format_java_date() -> None:
    day = date(2025, 3, 9)
    assert stack.format_java_date("yyyy/MM/dd", day) == "2025/03/09"
    assert stack.format_java_date("'year='yyyy'/month='MM'/day='dd", day) == (
        "year=2025/month=03/day=09"
    )
    assert stack.format_java_date("yyyy-MM-dd'T'HH", day, 7) == "2025-03-09T07"
    assert stack.format_java_date("''yyyy''", day) == "'2025'"
    with pytest.raises(ValueError, match="unsupported letters"):
        stack.format_java_date("yyyy/MMM/dd", day)
    with pytest.raises(ValueError, match="unclosed quote"):
        stack.format_java_date("'year=yyyy", day)


# --------------------------------------------------------------------------- hive view


@pytest.mark.parametrize("hourly", [False, True])
def test_hive_view_gives_day_as_the_key_reads(hourly: bool) -> None:
    """Run the view's SQL on DuckDB over rows whose partitions are projected values."""
    spec = spec_for("hive", hourly, "logs/")
    source = stack.data_table_input(spec)
    assert source["Name"] == stack.HIVE_SOURCE_TABLE
    types = {"int": "INTEGER", "bigint": "BIGINT", "string": "VARCHAR"}
    columns = [*source["StorageDescriptor"]["Columns"], *source["PartitionKeys"]]
    con = duckdb.connect()
    con.execute(f'CREATE SCHEMA "{schema.DATABASE}"')
    con.execute(
        f'CREATE TABLE "{schema.DATABASE}"."{stack.HIVE_SOURCE_TABLE}" ('
        + ", ".join(f'"{c["Name"]}" {types[c["Type"]]}' for c in columns)
        + ")"
    )
    moments = [datetime(2025, 1, 1, 0), datetime(2025, 10, 31, 13), datetime(2026, 2, 28, 23)]
    expected = []
    for at in moments:
        values = projected_values(spec, ACCOUNTS[0], REGIONS[0], at.date(), at.hour)
        row = [values.get(c["Name"]) for c in columns]
        con.execute(
            f'INSERT INTO "{schema.DATABASE}"."{stack.HIVE_SOURCE_TABLE}" VALUES '
            f"({', '.join('?' for _ in columns)})",
            row,
        )
        key = layout.object_key(
            "logs/", "hive", ACCOUNTS[0], REGIONS[0], at, hourly, "fl-1", "d1", "text"
        )
        parsed = layout.parse_key(key)
        assert parsed is not None
        expected.append((parsed.day, parsed.hour))
    view = stack.view_table_input(spec, schema.DATABASE)
    definition = stack.decode_view(view)
    result = con.execute(definition["originalSql"])
    names = [d[0] for d in result.description]
    rows = result.fetchall()
    assert names == [name for name, _ in stack.view_columns(spec)]
    got = [(r[names.index("day")], r[names.index("hour")] if hourly else None) for r in rows]
    assert sorted(got) == sorted(expected)


def test_hive_view_is_stored_as_athena_stores_views() -> None:
    spec = spec_for("hive", True, "")
    view = stack.view_table_input(spec, "mydb")
    assert view["Name"] == schema.FLOW_TABLE
    assert view["TableType"] == "VIRTUAL_VIEW"
    assert view["Parameters"] == {"presto_view": "true", "comment": "Presto View"}
    assert view["ViewExpandedText"] == "/* Presto View */"
    definition = stack.decode_view(view)
    assert definition["catalog"] == "awsdatacatalog"
    assert definition["schema"] == "mydb"
    assert 'FROM "mydb"."vpcflowlogstable_hive"' in definition["originalSql"]
    view_types = [(c["name"], c["type"]) for c in definition["columns"]]
    glue_types = [(c["Name"], c["Type"]) for c in view["StorageDescriptor"]["Columns"]]
    assert [n for n, _ in view_types] == [n for n, _ in glue_types]
    assert all(
        stack.VIEW_TYPES[g] == v for (_, v), (_, g) in zip(view_types, glue_types, strict=True)
    )
    assert ("day", "varchar") in view_types
    assert ("srcport", "integer") in view_types and ("bytes", "bigint") in view_types


# --------------------------------------------------------------------------- validation


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"FlowLogsLocation": "https://bucket/"}, "not an S3 URL"),
        ({"FlowLogsLocation": "s3://Bad_Bucket/"}, "not a valid bucket name"),
        ({"FlowLogsLocation": "s3://bucket/logs/AWSLogs/"}, "s3://bucket/logs/"),
        ({"FlowLogsLocation": "s3://bucket/AWSLogs/123456789012/"}, "reaches into AWSLogs"),
        ({"S3Layout": "flat"}, "S3 layout 'flat' is unknown"),
        ({"HourlyPartitions": "yes"}, "expected true or false"),
        ({"FileFormat": "plain-text"}, "file format 'plain-text' is unknown"),
        ({"LogFormat": "${version} ${srcadr}"}, "unknown flow-log field 'srcadr'"),
        ({"LogFormat": "${version} ${version}"}, "appears twice"),
        ({"AccountIds": "1234,111122223333"}, "'1234' is not valid"),
        ({"Regions": "us-east-1,Europe"}, "'Europe' is not valid"),
        ({"ProjectionStartDate": "2025-01-01"}, "expected yyyy/MM/dd"),
        ({"ProjectionStartDate": "2025/02/30"}, "not a day"),
        ({"ProjectionStartDate": "2999/01/01"}, "in the future"),
        ({"LogFormat": ""}, "missing properties: LogFormat"),
    ],
)
def test_bad_properties_name_the_value_and_the_fix(overrides: dict[str, str], message: str) -> None:
    with pytest.raises(stack.StackConfigError, match=message.replace("(", r"\(")):
        stack.spec_from_properties(props(**overrides))


def test_location_forms() -> None:
    assert stack.parse_location("s3://b-1/") == ("b-1", "")
    assert stack.parse_location("s3://b-1") == ("b-1", "")
    assert stack.parse_location("s3://b-1/a/b") == ("b-1", "a/b/")
    assert stack.parse_location("s3://b-1//a//b/") == ("b-1", "a/b/")


def test_duplicate_accounts_and_regions_are_listed_once() -> None:
    spec = stack.spec_from_properties(
        props(AccountIds="111122223333,111122223333", Regions="us-east-1, us-east-1")
    )
    assert spec.account_ids == ("111122223333",)
    assert spec.regions == ("us-east-1",)


# --------------------------------------------------------------------------- custom resources


Sent = list[tuple[str, dict[str, Any], str]]


def handle(event: dict[str, Any], *, glue: Any, s3: Any, sent: Sent) -> dict[str, Any]:
    """One request through the stack helper's responder; records (status, body, reason)."""

    def send(url: str, body: Mapping[str, Any]) -> None:
        sent.append((str(body["Status"]), dict(body), str(body["Reason"])))

    actions = {
        stack.FLOW_LOG_TABLE_TYPE: functools.partial(stack.on_flow_log_table, glue=glue),
        buckets.EMPTY_BUCKETS_TYPE: functools.partial(buckets.on_empty_buckets, s3=s3),
    }
    return custom_resource.handle(event, None, actions, send=send)


def table_event(request: str, physical: str | None = None, **overrides: str) -> dict[str, Any]:
    event: dict[str, Any] = {
        "RequestType": request,
        "ResourceType": stack.FLOW_LOG_TABLE_TYPE,
        "LogicalResourceId": "FlowLogTable",
        "RequestId": "req-1",
        "StackId": "arn:aws:cloudformation:us-east-1:123456789012:stack/s/1",
        "ResponseURL": "http://127.0.0.1:9/unused",
        "ResourceProperties": {"ServiceToken": "arn:lambda", **props(**overrides)},
    }
    if physical is not None:
        event["PhysicalResourceId"] = physical
    return event


@pytest.fixture
def glue() -> Iterator[Any]:
    with mock_aws():
        client = boto3.client("glue", region_name="us-east-1")
        client.create_database(DatabaseInput={"Name": schema.DATABASE})
        yield client


def tables(glue: Any) -> dict[str, dict[str, Any]]:
    return {t["Name"]: t for t in glue.get_tables(DatabaseName=schema.DATABASE)["TableList"]}


def test_flow_log_table_create_update_delete(glue: Any) -> None:
    sent: Sent = []
    physical = f"{schema.DATABASE}.{schema.FLOW_TABLE}"
    s3 = boto3.client("s3", region_name="us-east-1")

    outcome = handle(table_event("Create"), glue=glue, s3=s3, sent=sent)
    assert sent[-1][0] == "SUCCESS" and outcome["PhysicalResourceId"] == physical
    assert outcome["Data"]["TableName"] == schema.FLOW_TABLE
    table = tables(glue)[schema.FLOW_TABLE]
    assert table["TableType"] == "EXTERNAL_TABLE"
    assert [(c["Name"], c["Type"]) for c in table["StorageDescriptor"]["Columns"]] == (
        schema.athena_columns(schema.table_fields(schema.V5_FIELDS))
    )
    assert table["Parameters"]["storage.location.template"] == (
        f"s3://{BUCKET}/AWSLogs/${{aws_account_id}}/vpcflowlogs/${{aws_region}}/${{day}}/"
    )

    handle(
        table_event("Update", physical, S3Layout="hive", HourlyPartitions="true"),
        glue=glue,
        s3=s3,
        sent=sent,
    )
    assert sent[-1][0] == "SUCCESS", sent[-1]
    now = tables(glue)
    assert set(now) == {schema.FLOW_TABLE, stack.HIVE_SOURCE_TABLE}
    assert now[schema.FLOW_TABLE]["TableType"] == "VIRTUAL_VIEW"
    assert [k["Name"] for k in now[stack.HIVE_SOURCE_TABLE]["PartitionKeys"]] == [
        "aws_account_id",
        "aws_region",
        "year",
        "month",
        "day",
        "hour",
    ]

    custom = "${version} ${srcaddr} ${dstaddr} ${action}"
    handle(
        table_event("Update", physical, LogFormat=custom, FileFormat="parquet"),
        glue=glue,
        s3=s3,
        sent=sent,
    )
    assert sent[-1][0] == "SUCCESS", sent[-1]
    now = tables(glue)
    assert set(now) == {schema.FLOW_TABLE}  # the Hive source went with the layout
    columns = now[schema.FLOW_TABLE]["StorageDescriptor"]["Columns"]
    assert [c["Name"] for c in columns][:4] == ["version", "srcaddr", "dstaddr", "action"]
    assert len(columns) == len(schema.FIELDS)
    assert now[schema.FLOW_TABLE]["TableType"] == "EXTERNAL_TABLE"

    handle(table_event("Delete", physical), glue=glue, s3=s3, sent=sent)
    assert sent[-1][0] == "SUCCESS"
    assert tables(glue) == {}


def test_flow_log_table_bad_properties_fail_with_the_reason(glue: Any) -> None:
    sent: Sent = []
    s3 = boto3.client("s3", region_name="us-east-1")
    outcome = handle(
        table_event("Create", LogFormat="${version} ${nope}"), glue=glue, s3=s3, sent=sent
    )
    status, answered, reason = sent[-1]
    assert status == "FAILED"
    assert "unknown flow-log field 'nope'" in reason
    assert answered["PhysicalResourceId"] == outcome["PhysicalResourceId"] == "failed-create"
    assert tables(glue) == {}
    # CloudFormation then deletes the failed resource: nothing to do, and it succeeds.
    handle(table_event("Delete", "failed-create"), glue=glue, s3=s3, sent=sent)
    assert sent[-1][0] == "SUCCESS"


def test_delete_in_a_database_the_role_no_longer_reaches_succeeds() -> None:
    """After a DatabaseName change the old database (and its tables) go with the stack."""
    from botocore.stub import Stubber

    glue = boto3.client("glue", region_name="us-east-1")
    sent: Sent = []
    with Stubber(glue) as stubber:
        stubber.add_client_error("delete_table", "AccessDeniedException", "not authorized")
        handle(
            table_event("Delete", "olddb.vpcflowlogstable"),
            glue=glue,
            s3=boto3.client("s3", region_name="us-east-1"),
            sent=sent,
        )
        stubber.assert_no_pending_responses()
    assert sent[-1][0] == "SUCCESS"
    with Stubber(glue) as stubber:
        stubber.add_client_error("delete_table", "InternalServiceException", "boom")
        handle(
            table_event("Delete", "olddb.vpcflowlogstable"),
            glue=glue,
            s3=boto3.client("s3", region_name="us-east-1"),
            sent=sent,
        )
    assert sent[-1][0] == "FAILED" and "boom" in sent[-1][2]


def test_unknown_resource_type_fails(glue: Any) -> None:
    sent: Sent = []
    event = table_event("Create")
    event["ResourceType"] = "Custom::Other"
    handle(event, glue=glue, s3=boto3.client("s3"), sent=sent)
    assert sent[-1][0] == "FAILED"
    assert "Custom::Other" in sent[-1][2]


def empty_event(request: str, names: list[str]) -> dict[str, Any]:
    event: dict[str, Any] = {
        "RequestType": request,
        "ResourceType": buckets.EMPTY_BUCKETS_TYPE,
        "LogicalResourceId": "EmptyBucketsOnDelete",
        "RequestId": "req-2",
        "StackId": "arn:aws:cloudformation:us-east-1:123456789012:stack/s/1",
        "ResponseURL": "http://127.0.0.1:9/unused",
        "ResourceProperties": {"ServiceToken": "arn:lambda", "BucketNames": names},
    }
    if request != "Create":
        event["PhysicalResourceId"] = "EmptyBucketsOnDelete-on-delete"
    return event


def test_empty_buckets_on_delete_lets_the_buckets_be_deleted() -> None:
    with mock_aws():
        s3 = boto3.client("s3", region_name="us-east-1")
        glue = boto3.client("glue", region_name="us-east-1")
        s3.create_bucket(Bucket="cidrs")
        s3.create_bucket(Bucket="results")
        s3.put_bucket_versioning(Bucket="results", VersioningConfiguration={"Status": "Enabled"})
        for n in range(1205):  # more than one DeleteObjects batch
            s3.put_object(Bucket="cidrs", Key=f"cidrs/{n}.csv.gz", Body=b"x")
        s3.put_object(Bucket="results", Key="results/a.csv", Body=b"1")
        s3.put_object(Bucket="results", Key="results/a.csv", Body=b"2")
        s3.delete_object(Bucket="results", Key="results/a.csv")  # leaves a delete marker
        s3.create_multipart_upload(Bucket="cidrs", Key="cidrs/unfinished.csv.gz")
        sent: Sent = []

        created = handle(empty_event("Create", ["cidrs", "results"]), glue=glue, s3=s3, sent=sent)
        assert sent[-1][0] == "SUCCESS"
        assert created["PhysicalResourceId"] == "EmptyBucketsOnDelete-on-delete"
        assert s3.list_objects_v2(Bucket="cidrs")["KeyCount"] == 1000  # untouched on Create

        deleted = handle(
            empty_event("Delete", ["cidrs", "results", "already-gone"]), glue=glue, s3=s3, sent=sent
        )
        assert sent[-1][0] == "SUCCESS", sent[-1]
        assert deleted["Data"] == {"Deleted": str(1205 + 3)}
        assert s3.list_multipart_uploads(Bucket="cidrs").get("Uploads", []) == []
        s3.delete_bucket(Bucket="cidrs")
        s3.delete_bucket(Bucket="results")
        assert s3.list_buckets()["Buckets"] == []


def test_empty_bucket_stops_before_the_function_times_out() -> None:
    with mock_aws():
        s3 = boto3.client("s3", region_name="us-east-1")
        s3.create_bucket(Bucket="cidrs")
        s3.put_object(Bucket="cidrs", Key="cidrs/a.csv.gz", Body=b"x")
        with pytest.raises(TimeoutError, match="delete the stack again"):
            buckets.empty_bucket(s3, "cidrs", time_left=lambda: 5.0)
        assert s3.list_objects_v2(Bucket="cidrs")["KeyCount"] == 1


# --------------------------------------------------------------------------- Transit Gateway

TGW_EXAMPLE = tgw_examples.load()["hub_and_spokes"]
TGW_ACCOUNT = TGW_EXAMPLE.values("account-id")[0]
TGW_FORMAT = " ".join(f"${{{name}}}" for name in schema.TGW_DEFAULT_FIELDS)


def tgw_props(**overrides: str) -> dict[str, str]:
    """A Transit Gateway table's properties: its own kind and format, the example's account."""
    base = {
        "Kind": "tgw",
        "LogFormat": TGW_FORMAT,
        "AccountIds": TGW_ACCOUNT,
        "Regions": tgw_examples.REGION,
        "ProjectionStartDate": "2024/01/01",
    }
    return props(**(base | overrides))


@pytest.mark.parametrize("file_format", layout.FILE_FORMATS)
@pytest.mark.parametrize(("lay", "hourly", "prefix"), LAYOUT_CASES)
def test_tgw_location_template_finds_every_object_the_tgw_writer_writes(
    lay: str, hourly: bool, prefix: str, file_format: str, tmp_path: Path
) -> None:
    """TGW objects as AWS writes them lie in the folder Athena computes for their partition."""
    path = tgw_examples.write(
        TGW_EXAMPLE,
        tmp_path / prefix,
        key_layout=lay,  # type: ignore[arg-type]
        hourly=hourly,
        file_format=file_format,  # type: ignore[arg-type]
    )
    spec = stack.spec_from_properties(
        tgw_props(
            FlowLogsLocation=f"s3://{BUCKET}/{prefix}",
            S3Layout=lay,
            HourlyPartitions=str(hourly).lower(),
            FileFormat=file_format,
        )
    )
    assert spec.kind is schema.TGW and spec.table_names[-1] == schema.TGW_TABLE
    template = stack.projection_parameters(spec)["storage.location.template"]
    at = TGW_EXAMPLE.start
    projected = stack.expand_template(
        template, projected_values(spec, TGW_ACCOUNT, tgw_examples.REGION, at.date(), at.hour)
    )
    key = path.relative_to(tmp_path).as_posix()
    folder, _, name = key.rpartition("/")
    assert projected == f"s3://{BUCKET}/{folder}/"
    assert name.endswith(layout.EXTENSIONS[file_format])  # type: ignore[index]
    # the same template as the VPC table's over the same location: the same key layout
    vpc = spec_for(lay, hourly, prefix, FileFormat=file_format)
    assert template == stack.storage_location_template(vpc)
    assert stack.projection_parameters(spec).keys() == stack.projection_parameters(vpc).keys()
    table = stack.data_table_input(spec)
    assert table["Name"] == (f"{schema.TGW_TABLE}_hive" if lay == "hive" else schema.TGW_TABLE)
    assert table["PartitionKeys"] == stack.data_table_input(vpc)["PartitionKeys"]
    assert (
        table["StorageDescriptor"]["SerdeInfo"]
        == (stack.data_table_input(vpc)["StorageDescriptor"]["SerdeInfo"])
    )


def test_tgw_columns_follow_the_tgw_log_format_then_every_other_tgw_field() -> None:
    default = stack.spec_from_properties(tgw_props())
    columns = [(c["Name"], c["Type"]) for c in stack.data_columns(default)]
    assert columns == schema.athena_columns(schema.TGW_DEFAULT_FIELDS, schema.TGW)
    assert len(columns) == 36 and columns[1] == ("resource_type", "string")
    custom = "${tgw-attachment-id} ${version} ${packets-lost-blackhole} ${srcaddr}"
    spec = stack.spec_from_properties(tgw_props(LogFormat=custom))
    names = [c["Name"] for c in stack.data_columns(spec)]
    assert names[:4] == ["tgw_attachment_id", "version", "packets_lost_blackhole", "srcaddr"]
    assert sorted(names) == sorted(f.column for f in schema.TGW_FIELDS)
    assert "action" not in names and "interface_id" not in names
    # a VPC field is not a TGW one, and the message says which kind it is
    with pytest.raises(stack.StackConfigError, match=r"'interface-id' \(a VPC flow-log field\)"):
        stack.spec_from_properties(tgw_props(LogFormat="${version} ${interface-id}"))
    with pytest.raises(stack.StackConfigError, match="kind 'nat' is unknown"):
        stack.spec_from_properties(tgw_props(Kind="nat"))


SHARED = f"s3://{BUCKET}/"


@pytest.mark.parametrize("kind", ["vpc", "tgw"])
def test_a_shared_location_makes_each_table_a_view_keeping_its_kind(kind: str) -> None:
    own, other = (V5_FORMAT, TGW_FORMAT) if kind == "vpc" else (TGW_FORMAT, V5_FORMAT)
    base = props() if kind == "vpc" else tgw_props()
    spec = stack.spec_from_properties(
        base | {"OtherKindLocation": SHARED, "OtherKindLogFormat": other, "LogFormat": own}
    )
    table = schema.FLOW_TABLE if kind == "vpc" else schema.TGW_TABLE
    assert spec.table_names == (f"{table}_objects", table)
    inputs = stack.table_inputs(spec, schema.DATABASE)
    assert [i["Name"] for i in inputs] == [f"{table}_objects", table]
    assert inputs[0]["Parameters"]["storage.location.template"].startswith(f"{SHARED}AWSLogs/")
    sql = stack.decode_view(inputs[1])["originalSql"]
    keep = '"version" = 6' if kind == "tgw" else '"version" <> 6'
    assert sql.endswith(f'FROM "{schema.DATABASE}"."{table}_objects" WHERE {keep}')
    # another location (or none) holds one kind: a plain table, as before
    for location in ("", f"s3://{BUCKET}/tgw/", "s3://other-bucket/"):
        alone = stack.spec_from_properties(
            base | {"OtherKindLocation": location, "OtherKindLogFormat": other, "LogFormat": own}
        )
        assert alone.table_names == (table,) and stack.kind_filter(alone) is None
    # the same location written differently is the same location
    same = stack.spec_from_properties(
        base | {"OtherKindLocation": f"s3://{BUCKET}", "OtherKindLogFormat": other}
    )
    assert stack.kind_filter(same) == keep


@pytest.mark.parametrize(
    ("vpc_format", "tgw_format", "file_format", "message"),
    [
        ("${srcaddr} ${dstaddr} ${action}", TGW_FORMAT, "text", "which the VPC log format lacks"),
        (V5_FORMAT, "${tgw-id} ${srcaddr}", "text", "Transit Gateway log format lacks"),
        (
            "${account-id} ${version} ${action}",
            TGW_FORMAT,
            "text",
            "VPC: field 2, Transit Gateway: field 1",
        ),
        (V5_FORMAT, "${version} ${srcaddr} ${dstaddr}", "text", "without any Transit Gateway"),
    ],
)
def test_a_shared_location_needs_version_to_tell_the_kinds_apart(
    vpc_format: str, tgw_format: str, file_format: str, message: str
) -> None:
    for base, other in (
        (props(LogFormat=vpc_format), tgw_format),
        (tgw_props(LogFormat=tgw_format), vpc_format),
    ):
        with pytest.raises(stack.StackConfigError, match=re.escape(message)) as raised:
            stack.spec_from_properties(
                base
                | {
                    "FileFormat": file_format,
                    "OtherKindLocation": SHARED,
                    "OtherKindLogFormat": other,
                }
            )
        assert "own prefix (TransitGatewayFlowLogsLocation)" in str(raised.value)


def test_parquet_is_read_by_name_so_version_may_be_anywhere() -> None:
    spec = stack.spec_from_properties(
        props(LogFormat="${account-id} ${version} ${action}", FileFormat="parquet")
        | {"OtherKindLocation": SHARED, "OtherKindLogFormat": TGW_FORMAT}
    )
    assert stack.kind_filter(spec) == '"version" <> 6'


def test_tgw_table_create_share_separate_delete(glue: Any) -> None:
    """The TGW table beside the VPC one: shared location (views), own prefix (a plain table),
    then deleted without touching the VPC table."""
    sent: Sent = []
    s3 = boto3.client("s3", region_name="us-east-1")
    shared = {"OtherKindLocation": SHARED, "OtherKindLogFormat": TGW_FORMAT}
    handle(table_event("Create", **shared), glue=glue, s3=s3, sent=sent)
    assert sent[-1][0] == "SUCCESS", sent[-1]
    tgw_event = table_event("Create") | {"LogicalResourceId": "TransitGatewayFlowLogTable"}
    tgw_event["ResourceProperties"] = {"ServiceToken": "arn:lambda"} | tgw_props(
        OtherKindLocation=SHARED, OtherKindLogFormat=V5_FORMAT
    )
    outcome = handle(tgw_event, glue=glue, s3=s3, sent=sent)
    assert sent[-1][0] == "SUCCESS", sent[-1]
    physical = f"{schema.DATABASE}.{schema.TGW_TABLE}"
    assert outcome["PhysicalResourceId"] == physical
    assert outcome["Data"]["TableName"] == schema.TGW_TABLE
    assert outcome["Data"]["DataTableName"] == f"{schema.TGW_TABLE}_objects"
    now = tables(glue)
    assert {n: t["TableType"] for n, t in now.items()} == {
        schema.FLOW_TABLE: "VIRTUAL_VIEW",
        f"{schema.FLOW_TABLE}_objects": "EXTERNAL_TABLE",
        schema.TGW_TABLE: "VIRTUAL_VIEW",
        f"{schema.TGW_TABLE}_objects": "EXTERNAL_TABLE",
    }
    columns = now[f"{schema.TGW_TABLE}_objects"]["StorageDescriptor"]["Columns"]
    assert [(c["Name"], c["Type"]) for c in columns] == schema.athena_columns(
        schema.TGW_DEFAULT_FIELDS, schema.TGW
    )

    # the TGW flow log moves to its own prefix: both tables plain again
    apart = {"OtherKindLocation": f"s3://{BUCKET}/tgw/", "OtherKindLogFormat": TGW_FORMAT}
    handle(
        table_event("Update", f"{schema.DATABASE}.{schema.FLOW_TABLE}", **apart),
        glue=glue,
        s3=s3,
        sent=sent,
    )
    assert sent[-1][0] == "SUCCESS", sent[-1]
    update = tgw_event | {"RequestType": "Update", "PhysicalResourceId": physical}
    update["ResourceProperties"] = {"ServiceToken": "arn:lambda"} | tgw_props(
        FlowLogsLocation=f"s3://{BUCKET}/tgw/", OtherKindLocation=SHARED
    )
    handle(update, glue=glue, s3=s3, sent=sent)
    assert sent[-1][0] == "SUCCESS", sent[-1]
    now = tables(glue)
    assert {n: t["TableType"] for n, t in now.items()} == {
        schema.FLOW_TABLE: "EXTERNAL_TABLE",
        schema.TGW_TABLE: "EXTERNAL_TABLE",
    }
    assert now[schema.TGW_TABLE]["Parameters"]["storage.location.template"].startswith(
        f"s3://{BUCKET}/tgw/AWSLogs/"
    )

    delete = update | {"RequestType": "Delete"}
    handle(delete, glue=glue, s3=s3, sent=sent)
    assert sent[-1][0] == "SUCCESS"
    assert set(tables(glue)) == {schema.FLOW_TABLE}


def test_tgw_table_with_formats_version_cannot_tell_apart_fails_with_the_fix(glue: Any) -> None:
    sent: Sent = []
    s3 = boto3.client("s3", region_name="us-east-1")
    event = table_event(
        "Create",
        OtherKindLocation=SHARED,
        OtherKindLogFormat="${tgw-id} ${version}",
    )
    handle(event, glue=glue, s3=s3, sent=sent)
    status, _, reason = sent[-1]
    assert status == "FAILED"
    assert "VPC: field 1, Transit Gateway: field 2" in reason
    assert tables(glue) == {}
