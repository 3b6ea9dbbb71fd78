"""The cidr_ip_generator handler with its event files, on moto S3; also its inlined form."""

from __future__ import annotations

import gzip
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from lambda_runtime import LambdaRuntime
from paths import ROOT

FUNCTION_DIR = ROOT / "functions" / "cidr_ip_generator"
EVENTS = FUNCTION_DIR / "events"
BUCKET = "vpc-cidr-analysis-cidrs"


@dataclass
class Context:
    """The parts of the Lambda context object the function reads."""

    millis: int = 900_000
    log_stream_name: str = "2026/11/27/[$LATEST]abc"

    def get_remaining_time_in_millis(self) -> int:
        return self.millis


Handler = Callable[[Any, Any], dict[str, Any]]


@pytest.fixture(params=["app", "inlined"])
def handler(request: pytest.FixtureRequest, aws: Any, lambda_runtime: LambdaRuntime) -> Handler:
    """The function from its folder over the layer, or from the console template's inline code."""
    if request.param == "app":
        module = lambda_runtime.load("cidr_ip_generator")
        assert module.S3.meta.region_name == "us-east-1"  # created once, at import
    else:
        module = lambda_runtime.inlined("CidrIpGeneratorFunction")
    function: Handler = module.lambda_handler
    return function


def event(name: str) -> Any:
    return json.loads((EVENTS / name).read_text())


def lines(client: Any, key: str) -> list[str]:
    raw = client.get_object(Bucket=BUCKET, Key=key)["Body"].read()
    return gzip.decompress(raw).decode().splitlines()


def keys(client: Any) -> list[str]:
    return [item["Key"] for item in client.list_objects_v2(Bucket=BUCKET).get("Contents", [])]


def test_seed_test_event(handler: Handler, aws: Any) -> None:
    response = handler(event("cidr.json"), Context())
    json.dumps(response)  # the console shows it as JSON
    (written,) = response["cidrs"]
    assert {k: v for k, v in written.items() if k not in ("bytes", "seconds")} == {
        "cidr": "10.0.0.0/16",
        "bucket": BUCKET,
        "key": "cidrs/10.0.0.0_16.csv.gz",
        "addresses": 65536,
    }
    assert written["bytes"] == aws.head_object(Bucket=BUCKET, Key=written["key"])["ContentLength"]
    assert isinstance(written["seconds"], float)
    rows = lines(aws, "cidrs/10.0.0.0_16.csv.gz")
    assert (len(rows), rows[0], rows[-1]) == (
        65536,
        "10.0.0.0/16,10.0.0.0",
        "10.0.0.0/16,10.0.255.255",
    )


def test_list_event_with_ipv6(handler: Handler, aws: Any) -> None:
    response = handler(event("cidrs.json"), Context())
    assert [(w["cidr"], w["key"], w["addresses"]) for w in response["cidrs"]] == [
        ("10.0.0.0/16", "cidrs/10.0.0.0_16.csv.gz", 65536),
        ("10.1.0.0/16", "cidrs/10.1.0.0_16.csv.gz", 65536),
        ("2001:db8::/120", "cidrs/2001_db8___120.csv.gz", 256),
    ]
    assert lines(aws, "cidrs/2001_db8___120.csv.gz") == [
        f"2001:db8::/120,2001:db8::{n:x}" if n else "2001:db8::/120,2001:db8::" for n in range(256)
    ]
    assert lines(aws, "cidrs/10.1.0.0_16.csv.gz")[-1] == "10.1.0.0/16,10.1.255.255"


@pytest.mark.parametrize(
    ("bad_event", "message"),
    [
        ({"cidr": "10.0.0.1/16"}, "the block that contains it is '10.0.0.0/16'"),
        ({"key1": "value1", "key2": "value2"}, "unknown event key(s) 'key1', 'key2'"),
        ({"cidr": "2600:1f18:abcd:1200::/56"}, "contains('2600:1f18:abcd:1200::/56'"),
        ({"cidrs": ["10.0.0.0/16", "10.0.0.0/16"]}, "listed twice"),
        ({"cidrs": []}, "no CIDR given"),
    ],
)
def test_bad_events_fail_the_invocation_and_write_nothing(
    handler: Handler, aws: Any, bad_event: dict[str, Any], message: str
) -> None:
    with pytest.raises(ValueError) as caught:
        handler(bad_event, Context())
    assert type(caught.value).__name__ == "CidrError"
    assert message in str(caught.value)
    assert keys(aws) == []


def test_failed_upload_is_an_error_not_a_success(
    handler: Handler, aws: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CIDR_BUCKET", "bucket-that-is-gone")
    with pytest.raises(RuntimeError) as caught:
        handler(event("cidr.json"), Context())
    assert type(caught.value).__name__ == "CidrWriteError"
    assert "NoSuchBucket" in str(caught.value)


def test_environment_sets_prefix_and_limit(
    handler: Handler, aws: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CIDR_PREFIX", "lists")
    monkeypatch.setenv("MAX_ADDRESSES", "256")
    response = handler({"cidr": "10.0.0.0/24"}, Context())
    assert response["cidrs"][0]["key"] == "lists/10.0.0.0_24.csv.gz"
    with pytest.raises(ValueError, match="65,536 addresses, more than the limit 256"):
        handler({"cidr": "10.0.0.0/16"}, Context())
    assert keys(aws) == ["lists/10.0.0.0_24.csv.gz"]


def test_near_timeout_gives_up_before_writing(handler: Handler, aws: Any) -> None:
    with pytest.raises(RuntimeError, match="under 10 s of the invocation left"):
        handler(event("cidr.json"), Context(millis=4_000))
    assert keys(aws) == []
    assert "Uploads" not in aws.list_multipart_uploads(Bucket=BUCKET)
