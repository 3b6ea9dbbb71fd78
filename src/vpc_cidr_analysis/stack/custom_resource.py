"""One responder for every CloudFormation custom resource of the stack.

A custom resource's function must answer each request exactly once, SUCCESS or FAILED, by a
PUT of a JSON document to the request's pre-signed `ResponseURL`; a request never answered
keeps the stack waiting for an hour. `handle` does that for any resource type: it dispatches
the request to the action registered for its `ResourceType`, answers with what the action
returns, answers FAILED with the reason when it raises, and answers FAILED just before the
invocation would time out if the action is still running (the action sees `time_left()` drop
to 0 and stops). The PUT is retried with exponential backoff (`RETRY_DELAYS`); if it still
fails, the invocation fails, and the resource's `ServiceTimeout` in the template bounds how long
CloudFormation waits for an answer that never comes.

A Create that fails gets the physical id `FAILED_CREATE_ID`; CloudFormation then sends a
Delete for it, which is answered SUCCESS without calling the action: nothing was created.
"""

from __future__ import annotations

import json
import logging
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from vpc_cidr_analysis.errors import AnalysisError

#: Answer FAILED this many seconds before the invocation would time out.
TIMEOUT_MARGIN_SECONDS = 3.0
#: Physical id of a resource whose Create failed (its Delete has nothing to remove).
FAILED_CREATE_ID = "failed-create"
#: The whole response must stay under CloudFormation's 4 KB.
REASON_LIMIT = 1000
REQUEST_TYPES = ("Create", "Update", "Delete")
#: Seconds to wait before each retry of a failed response PUT (exponential backoff).
RETRY_DELAYS = (0.5, 1.0, 2.0, 4.0, 8.0)
#: Seconds one PUT may take.
PUT_TIMEOUT_SECONDS = 10

logger = logging.getLogger("vpc_cidr_analysis.stack")

Sender = Callable[[str, Mapping[str, Any]], None]


class CustomResourceError(AnalysisError):
    """A request this function cannot carry out (unknown request or resource type)."""


@dataclass(frozen=True)
class Outcome:
    """What an action reports: its physical id, attributes for `!GetAtt`, and a reason."""

    physical_id: str
    data: Mapping[str, Any] = field(default_factory=dict)
    reason: str = ""


@dataclass(frozen=True)
class Request:
    """One custom-resource request as an action sees it."""

    event: Mapping[str, Any]
    #: Seconds left in the invocation; 0 once the timeout guard has answered.
    time_left: Callable[[], float] = lambda: float("inf")

    @property
    def request_type(self) -> str:
        return str(self.event.get("RequestType"))

    @property
    def physical_id(self) -> str:
        """The resource's current physical id ('' on Create)."""
        return str(self.event.get("PhysicalResourceId") or "")

    @property
    def logical_id(self) -> str:
        return str(self.event.get("LogicalResourceId", ""))

    @property
    def properties(self) -> Mapping[str, Any]:
        return self.event.get("ResourceProperties") or {}

    @property
    def old_properties(self) -> Mapping[str, Any]:
        return self.event.get("OldResourceProperties") or {}


Action = Callable[[Request], Outcome]


def is_custom_resource_event(event: object) -> bool:
    """True for a CloudFormation custom-resource request (it carries a ResponseURL)."""
    return isinstance(event, Mapping) and "RequestType" in event and "ResponseURL" in event


def send_response(
    url: str, body: Mapping[str, Any], *, sleep: Callable[[float], None] | None = None
) -> None:
    """PUT the response document to the pre-signed ResponseURL, retrying with backoff."""
    data = json.dumps(body).encode()
    request = urllib.request.Request(
        url, data=data, method="PUT", headers={"Content-Type": "", "Content-Length": str(len(data))}
    )
    for attempt in range(len(RETRY_DELAYS) + 1):
        try:
            with urllib.request.urlopen(request, timeout=PUT_TIMEOUT_SECONDS) as answer:
                answer.read()
            logger.info("response %s sent", body.get("Status"))
            return
        except (urllib.error.URLError, OSError):
            if attempt == len(RETRY_DELAYS):
                raise
            delay = RETRY_DELAYS[attempt]
            logger.warning("response PUT failed, retrying in %.1f s", delay, exc_info=True)
            (sleep or time.sleep)(delay)


class _Responder:
    """Sends at most one response per request, whichever comes first: result or timeout."""

    def __init__(self, event: Mapping[str, Any], send: Sender) -> None:
        self._event = event
        self._send = send
        self._lock = threading.Lock()
        self.sent: dict[str, Any] | None = None

    def respond(
        self, status: str, physical: str, reason: str = "", data: Mapping[str, Any] | None = None
    ) -> dict[str, Any]:
        body: dict[str, Any] = {
            "Status": status,
            "Reason": reason[:REASON_LIMIT] or status,
            "PhysicalResourceId": physical,
            "StackId": self._event.get("StackId", ""),
            "RequestId": self._event.get("RequestId", ""),
            "LogicalResourceId": self._event.get("LogicalResourceId", ""),
            "Data": dict(data or {}),
        }
        with self._lock:
            if self.sent is not None:
                return self.sent
            self._send(str(self._event["ResponseURL"]), body)  # raises: nothing counts as sent
            self.sent = body
        return body


def handle(
    event: Mapping[str, Any],
    context: Any,
    actions: Mapping[str, Action],
    *,
    send: Sender = send_response,
) -> dict[str, Any]:
    """Carry out one request with the action for its ResourceType and answer it, once.

    Returns the response document sent.
    """
    responder = _Responder(event, send)
    request_type = str(event.get("RequestType"))
    resource_type = str(event.get("ResourceType", ""))
    old_id = str(event.get("PhysicalResourceId") or FAILED_CREATE_ID)
    logger.info("%s %s %s", request_type, resource_type, event.get("LogicalResourceId"))
    remaining = _time_left(context)
    timer = _start_timeout_guard(responder, remaining, old_id, event)

    def time_left() -> float:
        """Seconds left; none once the timeout guard has answered, so the action stops."""
        if responder.sent is not None:
            return 0.0
        return remaining() if remaining is not None else float("inf")

    try:
        if request_type not in REQUEST_TYPES:
            raise CustomResourceError(
                f"unknown RequestType {request_type!r}; expected Create, Update or Delete"
            )
        action = actions.get(resource_type)
        if action is None:
            raise CustomResourceError(
                f"unknown resource type {resource_type!r}; this function serves "
                + ", ".join(sorted(actions))
            )
        if request_type == "Delete" and old_id == FAILED_CREATE_ID:
            outcome = Outcome(old_id, {}, "nothing to delete: the resource was never created")
        else:
            outcome = action(Request(event, time_left))
        status, physical, reason, data = (
            "SUCCESS",
            outcome.physical_id,
            outcome.reason,
            outcome.data,
        )
    except Exception as exc:
        logger.exception("%s %s failed", request_type, resource_type)
        status, data = "FAILED", {}
        physical = FAILED_CREATE_ID if request_type == "Create" else old_id
        stream = getattr(context, "log_stream_name", None)
        where = f" (log stream {stream})" if stream else ""
        reason = f"{type(exc).__name__}: {exc}{where}"
    finally:
        if timer is not None:
            timer.cancel()
    return responder.respond(status, physical, reason, data)


def _time_left(context: Any) -> Callable[[], float] | None:
    remaining = getattr(context, "get_remaining_time_in_millis", None)
    if remaining is None:
        return None
    return lambda: float(remaining()) / 1000


def _start_timeout_guard(
    responder: _Responder,
    time_left: Callable[[], float] | None,
    physical: str,
    event: Mapping[str, Any],
) -> threading.Timer | None:
    """Answer FAILED just before the function would be killed, if nothing was sent by then."""
    if time_left is None:
        return None
    delay = max(0.0, time_left() - TIMEOUT_MARGIN_SECONDS)
    reason = (
        f"timed out: {event.get('RequestType')} of {event.get('LogicalResourceId')} "
        f"({event.get('ResourceType')}) did not finish before the function's timeout"
    )
    timer = threading.Timer(delay, responder.respond, args=("FAILED", physical, reason))
    timer.daemon = True
    timer.start()
    return timer
