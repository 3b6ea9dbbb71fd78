"""S3 key layouts: keys as AWS writes them, read back into partitions."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from vpc_cidr_analysis import layout
from vpc_cidr_analysis.layout import KeyPartitions, object_key, parse_key

AT = datetime(2018, 6, 20, 16, 20, tzinfo=UTC)


def test_file_name_as_aws_writes_it() -> None:
    name = layout.file_name("123456789012", "us-east-1", "fl-1234abcd", AT, "fe123456", "text")
    assert name == "123456789012_vpcflowlogs_us-east-1_fl-1234abcd_20180620T1620Z_fe123456.log.gz"
    parquet = layout.file_name("123456789012", "us-east-1", "fl-1", AT, "ab", "parquet")
    assert parquet.endswith("_20180620T1620Z_ab.log.parquet")


@pytest.mark.parametrize(
    ("layout_name", "hourly", "prefix", "folder"),
    [
        ("default", False, "", "AWSLogs/123456789012/vpcflowlogs/us-east-1/2018/06/20/"),
        ("default", True, "", "AWSLogs/123456789012/vpcflowlogs/us-east-1/2018/06/20/16/"),
        (
            "hive",
            False,
            "my-logs",
            "my-logs/AWSLogs/aws-account-id=123456789012/aws-service=vpcflowlogs/"
            "aws-region=us-east-1/year=2018/month=06/day=20/",
        ),
        (
            "hive",
            True,
            "/a/b/",
            "a/b/AWSLogs/aws-account-id=123456789012/aws-service=vpcflowlogs/"
            "aws-region=us-east-1/year=2018/month=06/day=20/hour=16/",
        ),
    ],
)
def test_object_keys_in_each_layout(
    layout_name: layout.Layout, hourly: bool, prefix: str, folder: str
) -> None:
    key = object_key(
        prefix, layout_name, "123456789012", "us-east-1", AT, hourly, "fl-1", "fe123456", "text"
    )
    assert key == folder + "123456789012_vpcflowlogs_us-east-1_fl-1_20180620T1620Z_fe123456.log.gz"
    assert parse_key(key) == KeyPartitions(
        "123456789012", "us-east-1", "2018/06/20", "16" if hourly else None, "text"
    )


@given(
    st.sampled_from(layout.LAYOUTS),
    st.booleans(),
    st.sampled_from(layout.FILE_FORMATS),
    st.from_regex(r"[0-9]{12}", fullmatch=True),
    st.sampled_from(["us-east-1", "eu-west-3", "ap-southeast-2", "us-gov-west-1"]),
    st.datetimes(min_value=datetime(2015, 1, 1), max_value=datetime(2099, 12, 31)),
    st.lists(st.from_regex(r"[a-z0-9][a-z0-9._=-]{0,10}", fullmatch=True), max_size=3),
)
def test_every_key_reads_back_to_its_partitions(
    layout_name: layout.Layout,
    hourly: bool,
    file_format: layout.FileFormat,
    account: str,
    region: str,
    at: datetime,
    prefix_parts: list[str],
) -> None:
    key = object_key(
        "/".join(prefix_parts),
        layout_name,
        account,
        region,
        at,
        hourly,
        "fl-0a1b",
        "0f0f",
        file_format,
    )
    parts = parse_key(key)
    assert parts == KeyPartitions(
        account, region, f"{at:%Y/%m/%d}", f"{at:%H}" if hourly else None, file_format
    )
    assert parts.date == at.date()


@pytest.mark.parametrize(
    "key",
    [
        "ground_truth.json",
        "AWSLogs/123456789012/vpcflowlogs/us-east-1/2018/06/20/readme.txt",
        "AWSLogs/123456789012/elasticloadbalancing/us-east-1/2018/06/20/x.log.gz",
        "AWSLogs/12345/vpcflowlogs/us-east-1/2018/06/20/x.log.gz",
        "AWSLogs/123456789012/vpcflowlogs/us-east-1/2018/06/x.log.gz",
    ],
)
def test_other_objects_are_not_flow_logs(key: str) -> None:
    assert parse_key(key) is None


def test_file_formats_from_names() -> None:
    assert layout.file_format_of("a/b.log.gz") == "text"
    assert layout.file_format_of("a/b.log.parquet") == "parquet"
    assert layout.file_format_of("a/b.csv") is None


def test_unknown_layout_is_named() -> None:
    with pytest.raises(ValueError, match="unknown layout 'flat'"):
        layout.day_prefix("", "flat", "123456789012", "us-east-1", date(2020, 1, 1))  # type: ignore[arg-type]
