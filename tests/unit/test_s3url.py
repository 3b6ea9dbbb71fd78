"""The one S3-URL parser."""

from __future__ import annotations

import pytest

from vpc_cidr_analysis.s3url import S3Url, S3UrlError, is_s3_url, parse_s3_url


@pytest.mark.parametrize(
    ("url", "folder", "expected"),
    [
        ("s3://b-1", False, S3Url("b-1", "")),
        ("s3://b-1/", False, S3Url("b-1", "")),
        ("s3://b-1/a/b.log.gz", False, S3Url("b-1", "a/b.log.gz")),
        (" s3://b-1/a ", False, S3Url("b-1", "a")),
        ("s3://b-1/a/b", True, S3Url("b-1", "a/b/")),
        ("s3://b-1//a//b/", True, S3Url("b-1", "a/b/")),
        ("s3://my.logs-1/", True, S3Url("my.logs-1", "")),
    ],
)
def test_bucket_and_key(url: str, folder: bool, expected: S3Url) -> None:
    assert parse_s3_url(url, folder=folder) == expected
    assert is_s3_url(url)


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("flow-logs/pre", "--logs 'flow-logs/pre' is not an S3 URL; expected s3://bucket/ or"),
        ("https://b/", "is not an S3 URL"),
        ("s3://", "--logs 's3://' has no bucket"),
        ("s3:///a", "has no bucket"),
        ("s3://Bad_Bucket/", "'Bad_Bucket' is not a valid bucket name (3-63 characters"),
        ("s3://ab/", "'ab' is not a valid bucket name"),
        ("s3://a..b/", "'a..b' is not a valid bucket name"),
    ],
)
def test_refusals_name_the_value_and_the_form(url: str, message: str) -> None:
    with pytest.raises(S3UrlError) as caught:
        parse_s3_url(url, what="--logs")
    assert message in str(caught.value)


def test_str_is_the_url() -> None:
    assert str(S3Url("b-1", "a/")) == "s3://b-1/a/"
    assert not is_s3_url("logs/")
