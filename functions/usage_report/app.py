"""usage_report: the scheduled usage report of security-group rules and network interfaces.

EventBridge invokes it on the stack's UsageReportSchedule. It collects this region's
inventory, runs the stack's saved queries `sg_connections` and `eni_usage` on Athena for the
last USAGE_DAYS days (default 7), matches them with the rules and publishes a plain-text
summary to the stack's SNS topic (e-mailed to UsageReportEmail). An event may set
`{"days": 30, "top": 20}` for a one-off run (Test tab, `sam local invoke -e
events/days.json`). Other settings come from the environment (the stack sets them):
USAGE_REPORT_TOPIC_ARN, SG_CONNECTIONS_QUERY_ID, ENI_USAGE_QUERY_ID, STACK_NAME,
VPC_CIDR_ANALYSIS_WORKGROUP, VPC_CIDR_ANALYSIS_DATABASE. Every failure raises, so the
invocation fails with the reason; it is not retried (the stack sets no retries), the next
scheduled run repeats it.
"""

from __future__ import annotations

from typing import Any

import boto3

from vpc_cidr_analysis.usage.summary import scheduled_report

SESSION = boto3.Session()
ATHENA = SESSION.client("athena")
SNS = SESSION.client("sns")


def lambda_handler(event: Any, context: Any) -> dict[str, Any]:
    """Run the report for the event's window (else USAGE_DAYS) and publish its summary."""
    explicit = event if isinstance(event, dict) else {}
    return scheduled_report(explicit, session=SESSION, athena=ATHENA, sns=SNS)
