"""The cidr_ip_generator handler as a CloudFormation custom resource (moto S3, fake ResponseURL)."""

from __future__ import annotations

import copy
import json
import sys
import threading
import time
import types
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from lambda_runtime import LambdaRuntime
from paths import FUNCTIONS

FUNCTION_DIR = FUNCTIONS / "cidr_ip_generator"
EVENTS = FUNCTION_DIR / "events"
BUCKET = "vpc-cidr-analysis-cidrs"
PHYSICAL = f"cidrs:s3://{BUCKET}/cidrs/"


@dataclass
class Context:
    millis: int = 900_000
    log_stream_name: str = "2026/11/27/[$LATEST]abc"

    def get_remaining_time_in_millis(self) -> int:
        return self.millis


class ResponseURL:
    """Stands in for CloudFormation's pre-signed S3 URL: records every PUT."""

    def __init__(self) -> None:
        self.requests: list[tuple[str, str, dict[str, str], dict[str, Any]]] = []
        self.failures_left = 0
        self.lock = threading.Lock()

    def urlopen(self, request: urllib.request.Request, timeout: float) -> Any:
        assert timeout > 0
        if self.failures_left:
            self.failures_left -= 1
            raise urllib.error.URLError("connection refused")
        with self.lock:
            assert isinstance(request.data, bytes)
            self.requests.append(
                (
                    request.full_url,
                    request.get_method(),
                    dict(request.header_items()),
                    json.loads(request.data),
                )
            )

        class Answer:
            def __enter__(self) -> Answer:
                return self

            def __exit__(self, *exc: object) -> None:
                return None

            def read(self) -> bytes:
                return b""

        return Answer()

    @property
    def bodies(self) -> list[dict[str, Any]]:
        return [body for *_, body in self.requests]


@pytest.fixture
def app(aws: Any, lambda_runtime: LambdaRuntime) -> types.ModuleType:
    return lambda_runtime.load("cidr_ip_generator")


@pytest.fixture
def url(monkeypatch: pytest.MonkeyPatch) -> ResponseURL:
    fake = ResponseURL()
    monkeypatch.setattr(urllib.request, "urlopen", fake.urlopen)
    monkeypatch.setattr(time, "sleep", lambda seconds: None)
    return fake


def request(name: str, **changes: Any) -> dict[str, Any]:
    event: dict[str, Any] = json.loads((EVENTS / name).read_text())
    event = copy.deepcopy(event)
    props = changes.pop("props", None)
    if props is not None:
        event["ResourceProperties"].update(props)
    event.update(changes)
    return event


def keys(client: Any) -> list[str]:
    return [item["Key"] for item in client.list_objects_v2(Bucket=BUCKET).get("Contents", [])]


def test_create_writes_objects_and_answers_success(
    app: types.ModuleType, aws: Any, url: ResponseURL
) -> None:
    event = request("custom_resource_create.json")
    sent = app.lambda_handler(event, Context())
    ((put_url, method, headers, body),) = url.requests
    assert (put_url, method) == (event["ResponseURL"], "PUT")
    assert headers["Content-type"] == ""
    assert body == sent
    assert body == {
        "Status": "SUCCESS",
        "Reason": "wrote 2 CIDR object(s), removed 0",
        "PhysicalResourceId": PHYSICAL,
        "StackId": event["StackId"],
        "RequestId": event["RequestId"],
        "LogicalResourceId": "InitialCidrs",
        "Data": {
            "Bucket": BUCKET,
            "Prefix": "cidrs/",
            "Objects": 2,
            "Addresses": 131072,
            "Removed": 0,
        },
    }
    assert keys(aws) == ["cidrs/10.0.0.0_16.csv.gz", "cidrs/10.1.0.0_16.csv.gz"]


def test_update_writes_new_blocks_and_removes_dropped_ones(
    app: types.ModuleType, aws: Any, url: ResponseURL
) -> None:
    app.lambda_handler(request("custom_resource_create.json"), Context())
    update = request(
        "custom_resource_create.json",
        RequestType="Update",
        PhysicalResourceId=PHYSICAL,
        OldResourceProperties={"Cidrs": ["10.0.0.0/16", "10.1.0.0/16"]},
        props={"Cidrs": ["10.1.0.0/16", "10.2.0.0/24"]},
    )
    sent = app.lambda_handler(update, Context())
    assert (sent["Status"], sent["PhysicalResourceId"]) == ("SUCCESS", PHYSICAL)
    assert sent["Data"]["Removed"] == 1
    assert keys(aws) == ["cidrs/10.1.0.0_16.csv.gz", "cidrs/10.2.0.0_24.csv.gz"]


def test_update_to_another_prefix_leaves_old_objects_for_the_delete(
    app: types.ModuleType, aws: Any, url: ResponseURL
) -> None:
    app.lambda_handler(request("custom_resource_create.json"), Context())
    update = request(
        "custom_resource_create.json",
        RequestType="Update",
        PhysicalResourceId=PHYSICAL,
        OldResourceProperties={"Cidrs": ["10.0.0.0/16", "10.1.0.0/16"]},
        props={"Cidrs": ["10.0.0.0/16"], "Prefix": "moved/"},
    )
    sent = app.lambda_handler(update, Context())
    assert sent["PhysicalResourceId"] == f"cidrs:s3://{BUCKET}/moved/"
    assert keys(aws) == [
        "cidrs/10.0.0.0_16.csv.gz",
        "cidrs/10.1.0.0_16.csv.gz",
        "moved/10.0.0.0_16.csv.gz",
    ]


def test_delete_removes_its_objects_only(app: types.ModuleType, aws: Any, url: ResponseURL) -> None:
    app.lambda_handler(request("custom_resource_create.json"), Context())
    app.lambda_handler({"cidr": "10.9.0.0/24"}, Context())  # written from the Test tab
    sent = app.lambda_handler(request("custom_resource_delete.json"), Context())
    assert (sent["Status"], sent["PhysicalResourceId"], sent["Data"]) == (
        "SUCCESS",
        PHYSICAL,
        {"Removed": 2},
    )
    assert keys(aws) == ["cidrs/10.9.0.0_24.csv.gz"]


def test_bad_cidr_fails_create_and_the_rollback_delete_succeeds(
    app: types.ModuleType, aws: Any, url: ResponseURL
) -> None:
    app.lambda_handler({"cidr": "10.0.0.0/16"}, Context())  # exists before the stack
    create = request("custom_resource_create.json", props={"Cidrs": ["10.0.0.0/16", "10.1.0.1/16"]})
    failed = app.lambda_handler(create, Context())
    assert failed["Status"] == "FAILED"
    assert failed["PhysicalResourceId"] == "failed-create"
    assert "the block that contains it is '10.1.0.0/16'" in failed["Reason"]
    assert "log stream 2026/11/27/[$LATEST]abc" in failed["Reason"]
    assert keys(aws) == ["cidrs/10.0.0.0_16.csv.gz"]
    rollback = request(
        "custom_resource_delete.json",
        PhysicalResourceId="failed-create",
        props={"Cidrs": ["10.0.0.0/16", "10.1.0.1/16"]},
    )
    deleted = app.lambda_handler(rollback, Context())
    assert deleted["Status"] == "SUCCESS"
    assert keys(aws) == ["cidrs/10.0.0.0_16.csv.gz"]  # not this resource's to delete
    assert [body["Status"] for body in url.bodies] == ["FAILED", "SUCCESS"]


@pytest.mark.parametrize("cidrs", [["nonsense", 5, None], "10.0.0.1/16,", {"a": 1}])
def test_delete_never_fails_on_bad_properties(
    app: types.ModuleType, aws: Any, url: ResponseURL, cidrs: object
) -> None:
    aws.put_object(Bucket=BUCKET, Key="cidrs/10.0.0.0_16.csv.gz", Body=b"someone else's")
    sent = app.lambda_handler(
        request("custom_resource_delete.json", props={"Cidrs": cidrs}), Context()
    )
    assert (sent["Status"], sent["Data"]) == ("SUCCESS", {"Removed": 0})
    assert keys(aws) == ["cidrs/10.0.0.0_16.csv.gz"]


def test_unknown_request_type_is_answered_failed(
    app: types.ModuleType, aws: Any, url: ResponseURL
) -> None:
    sent = app.lambda_handler(
        request("custom_resource_create.json", RequestType="Replace"), Context()
    )
    assert sent["Status"] == "FAILED"
    assert "unknown RequestType 'Replace'" in sent["Reason"]


def test_delete_after_the_bucket_is_gone(
    app: types.ModuleType, aws: Any, url: ResponseURL, monkeypatch: pytest.MonkeyPatch
) -> None:
    aws.delete_bucket(Bucket=BUCKET)
    sent = app.lambda_handler(request("custom_resource_delete.json"), Context())
    assert (sent["Status"], sent["Data"]) == ("SUCCESS", {"Removed": 0})


@pytest.mark.parametrize("cidrs", [[], [""], "", None])
def test_create_with_no_cidrs_succeeds_empty(
    app: types.ModuleType, aws: Any, url: ResponseURL, cidrs: object
) -> None:
    sent = app.lambda_handler(
        request("custom_resource_create.json", props={"Cidrs": cidrs}), Context()
    )
    assert (sent["Status"], sent["Data"]["Objects"]) == ("SUCCESS", 0)
    assert keys(aws) == []


def test_comma_separated_cidrs_are_accepted(
    app: types.ModuleType, aws: Any, url: ResponseURL
) -> None:
    sent = app.lambda_handler(
        request("custom_resource_create.json", props={"Cidrs": "10.0.0.0/30,10.0.1.0/30"}),
        Context(),
    )
    assert sent["Data"]["Objects"] == 2
    assert keys(aws) == ["cidrs/10.0.0.0_30.csv.gz", "cidrs/10.0.1.0_30.csv.gz"]


def test_response_put_is_retried_with_backoff(
    app: types.ModuleType, aws: Any, url: ResponseURL, monkeypatch: pytest.MonkeyPatch
) -> None:
    waits: list[float] = []
    monkeypatch.setattr(time, "sleep", waits.append)
    url.failures_left = 4
    app.lambda_handler(request("custom_resource_create.json"), Context())
    assert [body["Status"] for body in url.bodies] == ["SUCCESS"]
    assert waits == [0.5, 1.0, 2.0, 4.0]  # each wait doubles


def test_response_put_that_never_succeeds_fails_the_invocation(
    app: types.ModuleType, aws: Any, url: ResponseURL
) -> None:
    url.failures_left = 6  # the first try and its five retries
    with pytest.raises(urllib.error.URLError):
        app.lambda_handler(request("custom_resource_create.json"), Context())


def test_missing_bucket_configuration_is_a_failed_response(
    app: types.ModuleType, aws: Any, url: ResponseURL, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("CIDR_BUCKET")
    sent = app.lambda_handler(request("custom_resource_create.json"), Context())
    assert sent["Status"] == "FAILED"
    assert "no bucket: set the function's CIDR_BUCKET" in sent["Reason"]


def test_near_timeout_answers_failed_before_writing(
    app: types.ModuleType, aws: Any, url: ResponseURL
) -> None:
    sent = app.lambda_handler(request("custom_resource_create.json"), Context(millis=8_000))
    assert sent["Status"] == "FAILED"
    assert "under 10 s of the invocation left" in sent["Reason"]
    assert keys(aws) == []
    assert len(url.requests) == 1


def test_timeout_guard_answers_once_when_the_work_hangs(
    app: types.ModuleType, aws: Any, url: ResponseURL, monkeypatch: pytest.MonkeyPatch
) -> None:
    custom_resource = sys.modules["vpc_cidr_analysis.stack.custom_resource"]
    cidr_expand = sys.modules["vpc_cidr_analysis.cidrtable.expand"]
    monkeypatch.setattr(custom_resource, "TIMEOUT_MARGIN_SECONDS", 29.95)  # fire after ~50 ms
    real_gzip = cidr_expand.iter_gzip

    def stalling_gzip(network: Any, level: int = 1) -> Iterator[bytes]:
        threading.Event().wait(0.3)  # like a stalled connection, past the guard's deadline
        yield from real_gzip(network, level)

    monkeypatch.setattr(cidr_expand, "iter_gzip", stalling_gzip)
    sent = app.lambda_handler(request("custom_resource_create.json"), Context(millis=30_000))
    assert [body["Status"] for body in url.bodies] == ["FAILED"]
    assert sent["Reason"] == (
        "timed out: Create of InitialCidrs (Custom::CidrObjects) did not finish before the "
        "function's timeout"
    )
    assert keys(aws) == []  # the work saw the answer and stopped before writing
    assert "Uploads" not in aws.list_multipart_uploads(Bucket=BUCKET)
