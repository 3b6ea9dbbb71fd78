"""The one definition of flow-log fields: formats parse back, unknown names are named."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from vpc_cidr_analysis import schema
from vpc_cidr_analysis.schema import UnknownFieldError, parse_log_format

field_orders = st.lists(st.sampled_from(schema.ALL_FIELDS), min_size=1, unique=True)


@given(field_orders)
def test_any_subset_in_any_order_round_trips_in_every_syntax(names: list[str]) -> None:
    expected = tuple(names)
    assert parse_log_format(" ".join(names)) == expected  # a file's header line
    assert parse_log_format(",".join(names)) == expected
    assert parse_log_format(", ".join(names)) == expected
    assert parse_log_format(" ".join(f"${{{n}}}" for n in names)) == expected  # LogFormat
    columns = [schema.FIELDS_BY_NAME[n].column for n in names]
    assert parse_log_format(" ".join(columns)) == expected  # Parquet/Athena column names
    assert [f.name for f in schema.fields_for(names)] == names


unknown_names = st.text(alphabet="abcdefghijklmnopqrstuvwxyz-", min_size=1, max_size=20).filter(
    lambda t: t.replace("_", "-") not in schema.FIELDS_BY_NAME
)


@given(field_orders, unknown_names, st.integers(min_value=0, max_value=40), st.booleans())
def test_an_unknown_name_is_named_in_the_error(
    names: list[str], bogus: str, where: int, log_format: bool
) -> None:
    tokens = list(names)
    tokens.insert(where % (len(tokens) + 1), bogus)
    text = " ".join(f"${{{t}}}" for t in tokens) if log_format else " ".join(tokens)
    with pytest.raises(UnknownFieldError) as err:
        parse_log_format(text)
    message = str(err.value)
    assert f"unknown flow-log field {bogus!r}" in message
    assert "srcaddr" in message and "reject-reason" in message  # lists what is accepted


@given(field_orders)
def test_a_repeated_field_is_refused(names: list[str]) -> None:
    with pytest.raises(UnknownFieldError, match="appears twice"):
        parse_log_format(" ".join([*names, names[0]]))


@pytest.mark.parametrize("text", ["", "   ", ",", "${}"])
def test_empty_formats_are_refused(text: str) -> None:
    with pytest.raises(UnknownFieldError):
        parse_log_format(text)


V2 = "version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes"
V2_END = "start end action log-status"
V3 = "vpc-id subnet-id instance-id tcp-flags type pkt-srcaddr pkt-dstaddr"
V4 = "region az-id sublocation-type sublocation-id"
V5 = "pkt-src-aws-service pkt-dst-aws-service flow-direction traffic-path"


def test_default_formats_and_versions() -> None:
    assert parse_log_format(f"{V2} {V2_END}") == schema.V2_FIELDS
    assert parse_log_format(f"{V2} {V2_END} {V3} {V4} {V5}") == schema.V5_FIELDS
    assert schema.format_version(schema.V2_FIELDS) == 2
    assert schema.format_version(schema.V5_FIELDS) == 5
    assert schema.format_version(["srcaddr", "ecs-task-id"]) == 7
    assert schema.format_version(["reject-reason", "srcaddr"]) == 8
    assert schema.format_version(["tcp-flags"]) == 3


def test_columns_and_types() -> None:
    assert schema.athena_columns(["log-status", "packets", "srcport", "end"]) == [
        ("log_status", "string"),
        ("packets", "bigint"),
        ("srcport", "int"),
        ("end", "bigint"),
    ]
    assert schema.duckdb_columns(["tcp-flags", "start", "pkt-srcaddr"]) == [
        ("tcp_flags", "INTEGER"),
        ("start", "BIGINT"),
        ("pkt_srcaddr", "VARCHAR"),
    ]
    assert len(schema.ALL_FIELDS) == len(set(schema.ALL_FIELDS)) == 40
    assert schema.PARTITION_COLUMNS == ("aws_account_id", "aws_region", "day", "hour")
    assert not set(schema.PARTITION_COLUMNS) & {f.column for f in schema.FIELDS}


def test_tgw_fields_are_awss_table_in_order_with_parquet_types() -> None:
    # AWS Transit Gateway guide, "Available fields": order, versions, Parquet types.
    assert schema.TGW_DEFAULT_FIELDS[:4] == ("version", "resource-type", "account-id", "tgw-id")
    assert schema.TGW_DEFAULT_FIELDS[-3:] == (
        "flow-direction",
        "pkt-src-aws-service",
        "pkt-dst-aws-service",
    )
    assert len(schema.TGW_FIELDS) == 36
    types = {f.name: (f.athena_type, f.version) for f in schema.TGW_FIELDS}
    assert types["version"] == ("int", 2)
    assert types["srcport"] == ("int", 2)
    assert types["tcp-flags"] == ("int", 3)
    assert types["protocol"] == ("bigint", 2)
    assert types["packets-lost-ttl-expired"] == ("bigint", 6)
    assert types["tgw-pair-attachment-id"] == ("string", 6)
    assert types["type"] == ("string", 3)
    # Shared fields are the VPC definitions themselves.
    assert schema.TGW_FIELDS_BY_NAME["bytes"] is schema.FIELDS_BY_NAME["bytes"]
    assert schema.TGW.table == "tgwflowlogstable"


def test_a_header_is_vpc_or_tgw_by_its_own_fields() -> None:
    tgw = " ".join(schema.TGW_DEFAULT_FIELDS)
    assert schema.parse_any_log_format(tgw) == (schema.TGW, schema.TGW_DEFAULT_FIELDS)
    assert schema.kind_of_format("version tgw_id bytes") is schema.TGW  # Parquet columns
    assert schema.kind_of_format("${version} ${interface-id} ${bytes}") is schema.VPC
    assert schema.kind_of_format("version srcaddr dstaddr") is schema.VPC  # shared only
    with pytest.raises(UnknownFieldError, match="mixes VPC fields"):
        schema.kind_of_format("version interface-id tgw-id")


def test_a_tgw_field_is_not_a_vpc_field_and_the_error_says_whose_it_is() -> None:
    with pytest.raises(UnknownFieldError, match="'resource-type' \\(a Transit Gateway"):
        parse_log_format("version resource-type")
    with pytest.raises(UnknownFieldError, match="Transit Gateway flow-log field 'action'"):
        parse_log_format("version action", schema.TGW)
    assert schema.athena_columns(kind=schema.TGW)[1] == ("resource_type", "string")
