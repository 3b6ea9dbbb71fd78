"""The one custom-resource responder: dispatch, one answer per request, the timeout guard."""

from __future__ import annotations

import threading
import urllib.error
import urllib.request
from collections.abc import Mapping
from typing import Any

import pytest

from vpc_cidr_analysis.stack import custom_resource as cr


def event(request: str = "Create", kind: str = "Custom::Thing", **extra: Any) -> dict[str, Any]:
    return {
        "RequestType": request,
        "ResourceType": kind,
        "LogicalResourceId": "Thing",
        "RequestId": "req-1",
        "StackId": "arn:aws:cloudformation:us-east-1:123456789012:stack/s/1",
        "ResponseURL": "https://example.invalid/response",
        "ResourceProperties": {"ServiceToken": "arn:aws:lambda:fn", "Size": "3"},
        **extra,
    }


class Recorder:
    def __init__(self) -> None:
        self.sent: list[tuple[str, dict[str, Any]]] = []

    def __call__(self, url: str, body: Mapping[str, Any]) -> None:
        self.sent.append((url, dict(body)))


class Context:
    log_stream_name = "2026/12/01/[$LATEST]abc"

    def __init__(self, millis: int = 300_000) -> None:
        self.millis = millis

    def get_remaining_time_in_millis(self) -> int:
        return self.millis


def test_the_action_for_the_resource_type_answers_success() -> None:
    seen: list[cr.Request] = []
    left: list[float] = []

    def action(request: cr.Request) -> cr.Outcome:
        seen.append(request)
        left.append(request.time_left())
        return cr.Outcome("thing-1", {"Size": int(request.properties["Size"])}, "made 3")

    send = Recorder()
    body = cr.handle(event(), Context(), {"Custom::Thing": action}, send=send)
    assert send.sent == [("https://example.invalid/response", body)]
    assert body == {
        "Status": "SUCCESS",
        "Reason": "made 3",
        "PhysicalResourceId": "thing-1",
        "StackId": "arn:aws:cloudformation:us-east-1:123456789012:stack/s/1",
        "RequestId": "req-1",
        "LogicalResourceId": "Thing",
        "Data": {"Size": 3},
    }
    (request,) = seen
    assert (request.request_type, request.physical_id, request.logical_id) == (
        "Create",
        "",
        "Thing",
    )
    assert 290 < left[0] <= 300
    assert request.time_left() == 0.0  # once answered, an action still running must stop


def test_a_failing_create_answers_failed_with_the_reason_and_its_delete_does_nothing() -> None:
    calls: list[str] = []

    def action(request: cr.Request) -> cr.Outcome:
        calls.append(request.request_type)
        raise ValueError("Size must be even")

    send = Recorder()
    failed = cr.handle(event(), Context(), {"Custom::Thing": action}, send=send)
    assert (failed["Status"], failed["PhysicalResourceId"]) == ("FAILED", cr.FAILED_CREATE_ID)
    assert failed["Reason"] == "ValueError: Size must be even (log stream 2026/12/01/[$LATEST]abc)"
    rollback = event("Delete", PhysicalResourceId=cr.FAILED_CREATE_ID)
    deleted = cr.handle(rollback, Context(), {"Custom::Thing": action}, send=send)
    assert deleted["Status"] == "SUCCESS"
    assert deleted["Reason"] == "nothing to delete: the resource was never created"
    assert calls == ["Create"]  # the action never saw the rollback's Delete


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        (
            {"ResourceType": "Custom::Other"},
            "unknown resource type 'Custom::Other'; this function serves Custom::Thing",
        ),
        (
            {"RequestType": "Replace"},
            "unknown RequestType 'Replace'; expected Create, Update or Delete",
        ),
    ],
)
def test_requests_it_cannot_serve_are_answered_failed(changes: dict[str, str], reason: str) -> None:
    send = Recorder()
    body = cr.handle(
        event(**changes), None, {"Custom::Thing": lambda r: cr.Outcome("x")}, send=send
    )
    assert body["Status"] == "FAILED"
    assert body["Reason"] == f"CustomResourceError: {reason}"
    assert len(send.sent) == 1


def test_an_update_that_fails_keeps_the_physical_id() -> None:
    def action(request: cr.Request) -> cr.Outcome:
        raise RuntimeError("boom")

    body = cr.handle(
        event("Update", PhysicalResourceId="thing-1"),
        None,
        {"Custom::Thing": action},
        send=Recorder(),
    )
    assert (body["Status"], body["PhysicalResourceId"]) == ("FAILED", "thing-1")


def test_the_timeout_guard_answers_once_and_the_action_sees_no_time_left(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(cr, "TIMEOUT_MARGIN_SECONDS", 29.95)  # fires after ~50 ms
    left: list[float] = []
    released = threading.Event()

    def slow(request: cr.Request) -> cr.Outcome:
        released.wait(0.5)
        left.append(request.time_left())
        return cr.Outcome("thing-1")

    send = Recorder()
    body = cr.handle(event(), Context(millis=30_000), {"Custom::Thing": slow}, send=send)
    assert [b["Status"] for _, b in send.sent] == ["FAILED"]
    assert body["Reason"] == (
        "timed out: Create of Thing (Custom::Thing) did not finish before the function's timeout"
    )
    assert left == [0.0]


def test_the_response_put_is_retried_then_fails_the_invocation(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    attempts: list[str] = []

    class Answer:
        def __enter__(self) -> Answer:
            return self

        def __exit__(self, *exc: object) -> None:
            return None

        def read(self) -> bytes:
            return b""

    def urlopen(request: urllib.request.Request, timeout: float) -> Answer:
        attempts.append(request.get_method())
        if len(attempts) < 3:
            raise urllib.error.URLError("connection refused")
        return Answer()

    monkeypatch.setattr(urllib.request, "urlopen", urlopen)
    monkeypatch.setattr(cr.time, "sleep", lambda seconds: None)
    cr.send_response("https://example.invalid/r", {"Status": "SUCCESS"})
    assert attempts == ["PUT", "PUT", "PUT"]
    attempts.clear()
    attempts.extend(["x", "y", "z", "w"])  # from now on every attempt fails
    monkeypatch.setattr(
        urllib.request,
        "urlopen",
        lambda request, timeout: (_ for _ in ()).throw(urllib.error.URLError("down")),
    )
    with pytest.raises(urllib.error.URLError):
        cr.send_response("https://example.invalid/r", {"Status": "SUCCESS"})


def test_custom_resource_events_are_recognised() -> None:
    assert cr.is_custom_resource_event(event())
    assert not cr.is_custom_resource_event({"cidr": "10.0.0.0/16"})
    assert not cr.is_custom_resource_event(["RequestType", "ResponseURL"])
