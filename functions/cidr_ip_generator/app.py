"""cidr_ip_generator: write the address list of CIDR blocks, the data behind `cidrtable`.

Events: `{"cidr": "10.0.0.0/16"}` or `{"cidrs": ["10.0.0.0/16", "10.1.0.0/16"]}` (Test tab,
`sam local invoke -e events/cidr.json`), or a CloudFormation custom-resource request for
`Custom::CidrObjects` (`ResourceProperties.Cidrs`). Settings: CIDR_BUCKET, CIDR_PREFIX (default
`cidrs/`), MAX_ADDRESSES (default 16777216, one /8). Bad input and failed writes raise, so the
invocation fails with the reason; nothing partial is ever left in the bucket.
"""

from __future__ import annotations

import functools
import logging
from typing import Any

import boto3

from vpc_cidr_analysis.cidrtable.expand import expand_event
from vpc_cidr_analysis.stack import custom_resource
from vpc_cidr_analysis.stack.cidr_objects import CIDR_OBJECTS_TYPE, on_cidr_objects

logging.getLogger().setLevel(logging.INFO)
S3 = boto3.client("s3")
ACTIONS = {CIDR_OBJECTS_TYPE: functools.partial(on_cidr_objects, s3=S3)}


def lambda_handler(event: Any, context: Any) -> dict[str, Any]:
    """Expand the event's CIDR blocks; return, per block, where it went and how big it is."""
    if custom_resource.is_custom_resource_event(event):
        return custom_resource.handle(event, context, ACTIONS)
    remaining = getattr(context, "get_remaining_time_in_millis", None)
    time_left = (lambda: remaining() / 1000) if remaining is not None else None
    written = expand_event(event, S3, time_left=time_left)
    return {"cidrs": [result.as_dict() for result in written]}
