"""AWS's ip-ranges.json: longest prefix first, a service other than AMAZON for one prefix, IPv6."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from vpc_cidr_analysis.aws_ranges import (
    AwsRanges,
    AwsRangesError,
    load_aws_ranges,
    parse_aws_ranges,
)

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "ip-ranges.json"


@pytest.fixture(scope="module")
def ranges() -> AwsRanges:
    return load_aws_ranges(FIXTURE)


def test_the_file_identity_is_kept(ranges: AwsRanges) -> None:
    assert ranges.sync_token == "1764547200"
    assert ranges.create_date == "2026-12-01-00-00-00"
    # one range per distinct prefix, AMAZON duplicates folded into their subset
    assert len(ranges.ranges) == 9


@pytest.mark.parametrize(
    ("address", "label"),
    [
        ("52.216.10.1", "aws:S3:us-east-1"),  # S3 /15 inside AMAZON /11: the longer wins
        ("52.94.1.2", "aws:DYNAMODB:us-east-1"),  # listed after its AMAZON twin: still DYNAMODB
        ("3.218.181.7", "aws:DYNAMODB:us-east-1"),  # listed before its AMAZON twin
        ("52.1.2.3", "aws:AMAZON:us-east-1"),  # only in the AMAZON /11
        ("3.100.0.1", "aws:AMAZON:GLOBAL"),
        ("52.16.0.9", "aws:EC2:eu-west-1"),
        ("2600:1f18:6000::10", "aws:S3:us-east-1"),  # IPv6 /40 inside EC2's /33
        ("2600:1f18:1234::1", "aws:EC2:us-east-1"),
        ("2600:1f18:aaaa:ab00::1", None),  # outside the /33
        ("8.8.8.8", None),
        ("2001:db8::1", None),
        ("-", None),
    ],
)
def test_an_address_is_labelled_by_its_longest_prefix(
    ranges: AwsRanges, address: str, label: str | None
) -> None:
    assert ranges.label(address) == label


def test_rows_are_one_label_per_prefix(ranges: AwsRanges) -> None:
    rows = {cidr: network for network, cidr in ranges.rows()}
    assert rows["52.216.0.0/15"] == "aws:S3:us-east-1"
    assert rows["52.0.0.0/11"] == "aws:AMAZON:us-east-1"
    assert rows["2600:1f18:6000::/40"] == "aws:S3:us-east-1"
    assert len(rows) == len(ranges.rows())


def test_two_subsets_for_one_prefix_pick_the_first_by_name() -> None:
    data = {
        "prefixes": [
            {"ip_prefix": "13.32.0.0/15", "region": "GLOBAL", "service": "CLOUDFRONT"},
            {"ip_prefix": "13.32.0.0/15", "region": "GLOBAL", "service": "AMAZON"},
            {"ip_prefix": "13.32.0.0/15", "region": "GLOBAL", "service": "API_GATEWAY"},
        ]
    }
    assert parse_aws_ranges(data).label("13.33.0.1") == "aws:API_GATEWAY:GLOBAL"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ([], "not AWS's ip-ranges.json"),
        ({"syncToken": "1"}, "not AWS's ip-ranges.json"),
        ({"prefixes": [{"ip_prefix": "10.0.0.1/8", "service": "S3"}]}, "host bits set"),
        ({"prefixes": [{"ip_prefix": "10.0.0.0/8"}]}, "has no service"),
        ({"prefixes": [], "ipv6_prefixes": [{"ipv6_prefix": "2600::", "service": "S3"}]},
         "no prefix length"),
    ],
)  # fmt: skip
def test_bad_files_are_refused_in_one_line(data: object, message: str) -> None:
    with pytest.raises(AwsRangesError, match=message) as caught:
        parse_aws_ranges(data, "ip-ranges.json")
    assert "\n" not in str(caught.value)


def test_unreadable_files_say_how_to_get_one(tmp_path: Path) -> None:
    with pytest.raises(AwsRangesError, match="aws-ranges fetch --out FILE"):
        load_aws_ranges(tmp_path / "missing.json")
    (tmp_path / "bad.json").write_text("{")
    with pytest.raises(AwsRangesError, match="is not JSON"):
        load_aws_ranges(tmp_path / "bad.json")
    (tmp_path / "ok.json").write_text(json.dumps({"prefixes": []}))
    assert load_aws_ranges(tmp_path / "ok.json").ranges == ()
