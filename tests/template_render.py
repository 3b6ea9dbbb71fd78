"""Evaluate the console template's intrinsic functions for given parameter values, as
CloudFormation would, to test what a stack with those parameters gets (roles, policies,
conditional resources)."""

from __future__ import annotations

import re
from typing import Any

from paths import script

from vpc_cidr_analysis.stack.table import parse_location

Tagged = script("build_console_template").Tagged
ACCOUNT = "123456789012"
REGION = "us-east-1"
#: What `!Ref AWS::NoValue` evaluates to: removed from the list or mapping that holds it.
NO_VALUE = object()


class Renderer:
    """Evaluates the intrinsic functions this template uses, for given parameter values."""

    def __init__(self, template: dict[str, Any], **parameters: str) -> None:
        defaults = {k: str(v.get("Default", "")) for k, v in template["Parameters"].items()}
        self.refs: dict[str, Any] = defaults | parameters
        self.refs |= {
            "AWS::AccountId": ACCOUNT,
            "AWS::StackId": f"arn:aws:cloudformation:{REGION}:{ACCOUNT}:stack/vca/1",
            "AWS::NoValue": NO_VALUE,
            "CidrBucket": "vca-cidrbucket-1",
            "CidrBucket.Arn": "arn:aws:s3:::vca-cidrbucket-1",
            "AnalystPolicy": f"arn:aws:iam::{ACCOUNT}:policy/vca-AnalystPolicy-1",
            "StackHelperRole.Arn": f"arn:aws:iam::{ACCOUNT}:role/vca-StackHelperRole-1",
            "StackHelperFunction.Arn": f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:vca-helper",
            "StackHelperDatabaseGrant": "grant-helper-database",
            "StackHelperTablesGrant": "grant-helper-tables",
            "AWS::Region": REGION,
            "AWS::Partition": "aws",
            "AWS::StackName": "vca",
            "AthenaWorkGroup": "vca",
            "GlueDatabase": self.refs["DatabaseName"],
            "ResultsBucket": "vca-resultsbucket-1",
            "ResultsBucket.Arn": "arn:aws:s3:::vca-resultsbucket-1",
            "UsageReportTopic": f"arn:aws:sns:{REGION}:{ACCOUNT}:vca-UsageReportTopic-1",
            "UsageReportLogGroup": "/aws/lambda/vca-usage-report",
            "UsageReportLogGroup.Arn": (
                f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:/aws/lambda/vca-usage-report:*"
            ),
            "UsageReportFunction": "vca-UsageReportFunction-1",
            "UsageReportFunction.Arn": (
                f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:vca-UsageReportFunction-1"
            ),
            "UsageReportScheduleRule.Arn": f"arn:aws:events:{REGION}:{ACCOUNT}:rule/vca-usage",
            "UsageReportRole.Arn": f"arn:aws:iam::{ACCOUNT}:role/vca-UsageReportRole-1",
            "QuerySgConnections": "query-id-sg-connections",
            "QueryEniUsage": "query-id-eni-usage",
        }
        if self.refs.get("FlowLogsLocation"):
            # what the stack helper answers for the location (Custom::FlowLogTable attributes)
            bucket, prefix = parse_location(self.refs["FlowLogsLocation"])
            self.refs["FlowLogTable.LogsBucket"] = bucket
            self.refs["FlowLogTable.LogsPrefix"] = f"{prefix}AWSLogs/"
            # the Transit Gateway table's, at its own location or (empty) the VPC logs'
            tgw = self.refs.get("TransitGatewayFlowLogsLocation") or self.refs["FlowLogsLocation"]
            bucket, prefix = parse_location(tgw)
            self.refs["TransitGatewayFlowLogTable.LogsBucket"] = bucket
            self.refs["TransitGatewayFlowLogTable.LogsPrefix"] = f"{prefix}AWSLogs/"
        self.template = template
        self.conditions: dict[str, bool] = {}

    def condition(self, name: str) -> bool:
        if name not in self.conditions:
            self.conditions[name] = bool(self.value(self.template["Conditions"][name]))
        return self.conditions[name]

    def value(self, node: Any) -> Any:
        """The node's value; AWS::NoValue drops a list item or a property, as in CloudFormation."""
        if isinstance(node, list):
            return [v for v in (self.value(v) for v in node) if v is not NO_VALUE]
        if isinstance(node, dict):
            pairs = ((k, self.value(v)) for k, v in node.items())
            return {k: v for k, v in pairs if v is not NO_VALUE}
        if not isinstance(node, Tagged):
            return node
        tag, arg = node.tag, node.value
        if tag in ("!Ref", "!GetAtt"):
            return self.refs[arg]
        if tag == "!Condition":
            return self.condition(arg)
        if tag == "!Equals":
            left, right = self.value(arg)
            return str(left) == str(right)
        if tag == "!Not":
            return not self.value(arg[0])
        if tag == "!And":
            return all(self.value(arg))
        if tag == "!If":
            name, yes, no = arg
            return self.value(yes) if self.condition(name) else self.value(no)
        if tag == "!Select":
            index, items = self.value(arg)
            return items[int(index)]
        if tag == "!Split":
            delimiter, text = self.value(arg)
            return text.split(delimiter)
        if tag == "!Join":
            delimiter, items = self.value(arg)
            return delimiter.join(items)
        if tag == "!Sub":
            text, extra = (arg, {}) if isinstance(arg, str) else arg
            names = self.refs | {k: self.value(v) for k, v in extra.items()}
            text = re.sub(r"\$\{([^!}][^}]*)\}", lambda m: str(names[m.group(1)]), text)
            return text.replace("${!", "${")
        raise AssertionError(f"no evaluator for {tag}")

    def resources(self) -> dict[str, Any]:
        """Resources CloudFormation would create for these parameters (not yet evaluated)."""
        return {
            k: v
            for k, v in self.template["Resources"].items()
            if "Condition" not in v or self.condition(v["Condition"])
        }

    def outputs(self) -> set[str]:
        return {
            k
            for k, v in self.template["Outputs"].items()
            if "Condition" not in v or self.condition(v["Condition"])
        }


def for_moto(node: Any, location: str) -> Any:
    """`node` as moto's CloudFormation can create it, for the default (off) optional features:
    every `${FlowLogTable.<attribute>}` in a `!Sub` replaced by what the stack helper answers
    for `location` (moto runs no custom resource), and every optional list item
    `!If [condition, item, !Ref AWS::NoValue]` left out (moto rejects AWS::NoValue in a policy's
    statements); the `Renderer` tests check those items."""
    bucket, prefix = parse_location(location)
    values = {"LogsBucket": bucket, "LogsPrefix": f"{prefix}AWSLogs/"}
    if isinstance(node, Tagged) and node.tag == "!Sub" and isinstance(node.value, str):
        text = re.sub(r"\$\{FlowLogTable\.(\w+)\}", lambda m: values[m.group(1)], node.value)
        return text if "${" not in text else Tagged("!Sub", text)
    if isinstance(node, list):
        return [for_moto(v, location) for v in node if not _optional_item(v)]
    if isinstance(node, dict):
        return {k: for_moto(v, location) for k, v in node.items()}
    return node


def _optional_item(node: Any) -> bool:
    return (
        isinstance(node, Tagged)
        and node.tag == "!If"
        and node.value[2] == Tagged("!Ref", "AWS::NoValue")
    )
