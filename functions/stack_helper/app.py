"""stack_helper: the stack's own custom resources, answered to CloudFormation.

`Custom::FlowLogTable` creates, updates and deletes a flow-log table, VPC or Transit Gateway (and
its view, for the Hive layout or a location both kinds share) from the stack's parameters;
`Custom::EmptyBuckets` empties the stack's buckets when the stack is deleted. Every request is
answered once, SUCCESS or FAILED with the reason, also just before a timeout
(`vpc_cidr_analysis.stack.custom_resource`). Events: `events/*.json`.
"""

from __future__ import annotations

import functools
import logging
from typing import Any

import boto3

from vpc_cidr_analysis.stack import custom_resource
from vpc_cidr_analysis.stack.buckets import EMPTY_BUCKETS_TYPE, on_empty_buckets
from vpc_cidr_analysis.stack.table import FLOW_LOG_TABLE_TYPE, on_flow_log_table

logging.getLogger().setLevel(logging.INFO)
GLUE = boto3.client("glue")
S3 = boto3.client("s3")
ACTIONS = {
    FLOW_LOG_TABLE_TYPE: functools.partial(on_flow_log_table, glue=GLUE),
    EMPTY_BUCKETS_TYPE: functools.partial(on_empty_buckets, s3=S3),
}


def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Carry out one custom-resource request and answer it; return the response sent."""
    return custom_resource.handle(event, context, ACTIONS)
