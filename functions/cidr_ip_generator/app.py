"""cidr_ip_generator: write the address list of CIDR blocks, the data behind `cidrtable`.

Events: `{"cidr": "10.0.0.0/16"}` or `{"cidrs": ["10.0.0.0/16", "10.1.0.0/16"]}` (Test tab,
`sam local invoke -e events/cidr.json`), or a CloudFormation custom-resource request with
`ResourceProperties.Cidrs`. Settings: CIDR_BUCKET, CIDR_PREFIX (default `cidrs/`),
MAX_ADDRESSES (default 16777216, one /8). Bad input and failed writes raise, so the
invocation fails with the reason; nothing partial is ever left in the bucket.
"""

from __future__ import annotations

import logging
from typing import Any

import boto3
from cidr_expand import expand_event
from custom_resource import handle_custom_resource, is_custom_resource_event

logging.getLogger("cidr_ip_generator").setLevel(logging.INFO)
S3 = boto3.client("s3")


def lambda_handler(event: Any, context: Any) -> dict[str, Any]:
    """Expand the event's CIDR blocks; return, per block, where it went and how big it is."""
    if is_custom_resource_event(event):
        answered: dict[str, Any] = handle_custom_resource(event, context, S3)
        return answered
    remaining = getattr(context, "get_remaining_time_in_millis", None)
    time_left = (lambda: remaining() / 1000) if remaining is not None else None
    written = expand_event(event, S3, time_left=time_left)
    return {"cidrs": [result.as_dict() for result in written]}
