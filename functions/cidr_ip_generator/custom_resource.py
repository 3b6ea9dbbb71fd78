"""CloudFormation custom resource: expand a stack's initial CIDR blocks at deploy time.

Resource properties: `Cidrs` (list of CIDR strings, or one comma-separated string; may be
empty), optional `Bucket` and `Prefix` overriding the function's CIDR_BUCKET / CIDR_PREFIX.

- Create writes one object per block (all or nothing, as the Test-tab event does).
- Update writes the new list, then deletes the objects of blocks dropped from the list.
- Delete removes the objects of the listed blocks; it never fails on bad properties.

The physical id is `cidrs:s3://{bucket}/{prefix}`, so changing only the list keeps the
resource, and moving it elsewhere makes CloudFormation delete the old one. Every request
is answered on its ResponseURL exactly once, SUCCESS or FAILED, also when the function is
about to time out, so a stack never waits an hour for an answer.
"""

from __future__ import annotations

import json
import logging
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from cidr_expand import (
    CidrError,
    Network,
    delete_objects,
    expand_to_s3,
    load_settings,
    parse_cidr,
)

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

#: Answer FAILED this many seconds before the invocation would time out.
TIMEOUT_MARGIN_SECONDS = 3.0
FAILED_CREATE_ID = "cidrs:failed-create"
_REASON_LIMIT = 1000  # the whole response must stay under CloudFormation's 4 KB

logger = logging.getLogger("cidr_ip_generator")

Sender = Callable[[str, Mapping[str, Any]], None]


def is_custom_resource_event(event: object) -> bool:
    """True for a CloudFormation custom-resource request (it carries a ResponseURL)."""
    return isinstance(event, Mapping) and "RequestType" in event and "ResponseURL" in event


def physical_id(bucket: str, prefix: str) -> str:
    """Physical resource id naming where the resource keeps its objects."""
    return f"cidrs:s3://{bucket}/{prefix}"


def send_response(url: str, body: Mapping[str, Any]) -> None:
    """PUT the response document to the pre-signed ResponseURL, retrying briefly."""
    data = json.dumps(body).encode()
    request = urllib.request.Request(
        url, data=data, method="PUT", headers={"Content-Type": "", "Content-Length": str(len(data))}
    )
    for attempt in range(3):
        try:
            with urllib.request.urlopen(request, timeout=10) as answer:
                answer.read()
            return
        except (urllib.error.URLError, OSError):
            if attempt == 2:
                raise
            logger.warning("response PUT failed, retrying", exc_info=True)
            time.sleep(1 + attempt)


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
            "Reason": reason[:_REASON_LIMIT] or status,
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


def handle_custom_resource(
    event: Mapping[str, Any],
    context: Any,
    client: S3Client,
    *,
    environ: Mapping[str, str] | None = None,
    send: Sender = send_response,
) -> dict[str, Any]:
    """Carry out one Create/Update/Delete request and answer it; return the response sent."""
    responder = _Responder(event, send)
    request_type = str(event.get("RequestType"))
    old_id = str(event.get("PhysicalResourceId") or FAILED_CREATE_ID)
    timer = _start_timeout_guard(responder, context, old_id)
    remaining = _time_left(context)

    def time_left() -> float:
        """Seconds left; none once the timeout guard has answered, so the upload aborts."""
        if responder.sent is not None:
            return 0.0
        return remaining() if remaining is not None else float("inf")

    try:
        status = "SUCCESS"
        physical, reason, data = _carry_out(event, request_type, old_id, client, environ, time_left)
    except Exception as exc:
        logger.exception("custom resource %s failed", request_type)
        status, data = "FAILED", {}
        physical = FAILED_CREATE_ID if request_type == "Create" else old_id
        stream = getattr(context, "log_stream_name", None)
        where = f" (log stream {stream})" if stream else ""
        reason = f"{type(exc).__name__}: {exc}{where}"
    finally:
        if timer is not None:
            timer.cancel()
    return responder.respond(status, physical, reason, data)


def _carry_out(
    event: Mapping[str, Any],
    request_type: str,
    old_id: str,
    client: S3Client,
    environ: Mapping[str, str] | None,
    time_left: Callable[[], float],
) -> tuple[str, str, dict[str, Any]]:
    """Do what the request asks; return (physical id, reason, data) for a SUCCESS answer."""
    props = event.get("ResourceProperties") or {}
    if request_type == "Delete":
        return (old_id, *_delete(props, old_id, client, environ))
    if request_type not in ("Create", "Update"):
        raise CidrError(f"unknown RequestType {request_type!r}; expected Create, Update or Delete")
    settings = load_settings(
        bucket=props.get("Bucket"), prefix=props.get("Prefix"), environ=environ
    )
    if settings.bucket is None:
        raise CidrError("no bucket: set the function's CIDR_BUCKET or the Bucket property")
    new_id = physical_id(settings.bucket, settings.prefix)
    cidrs = _cidr_list(props.get("Cidrs"))
    written = (
        expand_to_s3(
            cidrs,
            client,
            bucket=settings.bucket,
            prefix=settings.prefix,
            max_addresses=settings.max_addresses,
            time_left=time_left,
        )
        if cidrs
        else []
    )
    removed: list[str] = []
    if request_type == "Update" and new_id == old_id:
        kept = {result.cidr for result in written}
        dropped = [n for n in _valid(_old_cidrs(event)) if str(n) not in kept]
        removed = delete_objects(dropped, client, settings.bucket, settings.prefix)
    data = {
        "Bucket": settings.bucket,
        "Prefix": settings.prefix,
        "Objects": len(written),
        "Addresses": sum(result.addresses for result in written),
        "Removed": len(removed),
    }
    return new_id, f"wrote {len(written)} CIDR object(s), removed {len(removed)}", data


def _delete(
    props: Mapping[str, Any], old_id: str, client: S3Client, environ: Mapping[str, str] | None
) -> tuple[str, dict[str, Any]]:
    """Remove this resource's objects; a resource that never got created has none."""
    if old_id == FAILED_CREATE_ID:
        return "nothing to delete: the resource was never created", {}
    settings = load_settings(
        bucket=props.get("Bucket"), prefix=props.get("Prefix"), environ=environ
    )
    if settings.bucket is None or physical_id(settings.bucket, settings.prefix) != old_id:
        return f"left {old_id} alone: it is not where this function writes", {}
    try:
        listed = _cidr_list(props.get("Cidrs"))
    except CidrError:  # never created from such properties: nothing of ours to remove
        listed = []
    try:
        keys = delete_objects(_valid(listed), client, settings.bucket, settings.prefix)
    except Exception as exc:  # a deleted bucket holds nothing to remove
        if getattr(exc, "response", {}).get("Error", {}).get("Code") != "NoSuchBucket":
            raise
        keys = []
    return f"removed {len(keys)} CIDR object(s)", {"Removed": len(keys)}


def _cidr_list(value: object) -> list[object]:
    """`Cidrs` as CloudFormation sends it: a list, or a comma-separated string; blanks dropped."""
    if value is None:
        return []
    if isinstance(value, str):
        return [part for part in value.split(",") if part]
    if isinstance(value, list):
        return [part for part in value if part != ""]
    raise CidrError(f"Cidrs must be a list of CIDR strings, got {type(value).__name__}")


def _old_cidrs(event: Mapping[str, Any]) -> list[object]:
    old = event.get("OldResourceProperties") or {}
    return _cidr_list(old.get("Cidrs"))


def _valid(values: list[object]) -> list[Network]:
    """The values that are valid blocks (used on cleanup, where bad ones were never written)."""
    networks: list[Network] = []
    for value in values:
        try:
            networks.append(parse_cidr(value, max_addresses=2**128))
        except CidrError:
            continue
    return networks


def _time_left(context: Any) -> Callable[[], float] | None:
    remaining = getattr(context, "get_remaining_time_in_millis", None)
    if remaining is None:
        return None
    return lambda: float(remaining()) / 1000


def _start_timeout_guard(
    responder: _Responder, context: Any, physical: str
) -> threading.Timer | None:
    """Answer FAILED just before the function would be killed, if nothing was sent by then."""
    time_left = _time_left(context)
    if time_left is None:
        return None
    delay = max(0.0, time_left() - TIMEOUT_MARGIN_SECONDS)
    timer = threading.Timer(
        delay,
        responder.respond,
        args=("FAILED", physical, "timed out before the CIDR objects were written"),
    )
    timer.daemon = True
    timer.start()
    return timer
