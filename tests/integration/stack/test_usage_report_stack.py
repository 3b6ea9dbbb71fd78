"""The optional scheduled usage report in the stack: conditions, parameters, least-privilege
IAM, and the console template's inline function run against moto."""

from __future__ import annotations

import ast
import json
import re
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import boto3
import pytest
from moto import mock_aws
from paths import ROOT, script
from template_render import Renderer, for_moto
from usage_report_world import (
    REGION,
    build_network,
    executions,
    expected_message,
    expected_subject,
    queue_usage_results,
)

gen = script("build_console_template")
Tagged = gen.Tagged

ACCOUNT = "123456789012"
REPORT_RESOURCES = {
    "UsageReportTopic": "AWS::SNS::Topic",
    "UsageReportLogGroup": "AWS::Logs::LogGroup",
    "UsageReportRole": "AWS::IAM::Role",
    "UsageReportFunction": "AWS::Lambda::Function",
    "UsageReportScheduleRule": "AWS::Events::Rule",
    "UsageReportInvokePermission": "AWS::Lambda::Permission",
    "UsageReportInvokeConfig": "AWS::Lambda::EventInvokeConfig",
}


@pytest.fixture(scope="module")
def console() -> dict[str, Any]:
    return dict(gen.load_cfn(gen.CONSOLE_TEMPLATE.read_text(encoding="utf-8")))


# --------------------------------------------------------------------------- conditions


def test_off_by_default(console: dict[str, Any]) -> None:
    rendered = Renderer(console, FlowLogsLocation="s3://logs-1/")
    resources = rendered.resources()
    assert not [k for k in resources if k.startswith("UsageReport")]
    assert not {t["Type"] for t in resources.values()} & {
        "AWS::SNS::Topic",
        "AWS::SNS::Subscription",
        "AWS::Events::Rule",
        "AWS::Lambda::Permission",
    }
    assert not [k for k in rendered.outputs() if k.startswith("UsageReport")]
    assert console["Parameters"]["UsageReportSchedule"]["Default"] == ""
    # Every resource of the report is conditional, so nothing of it can leak into a stack.
    assert {
        k: v["Condition"] for k, v in console["Resources"].items() if k.startswith("UsageReport")
    } == {k: "UsageReportEnabled" for k in REPORT_RESOURCES} | {
        "UsageReportEmailSubscription": "UsageReportByEmail",
        "UsageReportTablesGrant": "LakeFormationForReport",
    }


@pytest.mark.parametrize(("email", "subscribed"), [("", False), ("network-team@example.com", True)])
def test_a_schedule_creates_the_report_and_an_email_subscribes(
    console: dict[str, Any], email: str, subscribed: bool
) -> None:
    rendered = Renderer(
        console,
        FlowLogsLocation="s3://logs-1/",
        UsageReportSchedule="cron(0 6 ? * MON *)",
        UsageReportEmail=email,
    )
    resources = rendered.resources()
    for logical_id, kind in REPORT_RESOURCES.items():
        assert resources[logical_id]["Type"] == kind
    assert ("UsageReportEmailSubscription" in resources) is subscribed
    if subscribed:
        subscription = rendered.value(resources["UsageReportEmailSubscription"]["Properties"])
        assert subscription == {
            "TopicArn": rendered.refs["UsageReportTopic"],
            "Protocol": "email",
            "Endpoint": email,
        }
    assert {"UsageReportTopicArn", "UsageReportFunctionName"} <= rendered.outputs()

    topic = rendered.value(resources["UsageReportTopic"]["Properties"])
    assert topic["KmsMasterKeyId"] == "alias/aws/sns"
    invoke = rendered.value(resources["UsageReportInvokeConfig"]["Properties"])
    assert invoke["MaximumRetryAttempts"] == 0  # a failed run is not re-scanned twice more
    rule = rendered.value(resources["UsageReportScheduleRule"]["Properties"])
    assert rule["ScheduleExpression"] == "cron(0 6 ? * MON *)"
    assert rule["State"] == "ENABLED"
    assert rule["Targets"] == [
        {"Id": "usage-report", "Arn": rendered.refs["UsageReportFunction.Arn"]}
    ]
    permission = rendered.value(resources["UsageReportInvokePermission"]["Properties"])
    assert permission == {
        "Action": "lambda:InvokeFunction",
        "FunctionName": rendered.refs["UsageReportFunction"],
        "Principal": "events.amazonaws.com",
        "SourceArn": rendered.refs["UsageReportScheduleRule.Arn"],
    }


def test_the_function(console: dict[str, Any]) -> None:
    rendered = Renderer(
        console, FlowLogsLocation="s3://logs-1/", UsageReportSchedule="rate(7 days)"
    )
    function = console["Resources"]["UsageReportFunction"]
    props = rendered.value(function["Properties"])
    assert function["DependsOn"] == "EmptyBucketsOnDelete"  # its results go to a stack bucket
    assert props["Runtime"] == "python3.13"
    assert props["Architectures"] == ["arm64"]
    assert props["Timeout"] == 900
    assert props["Handler"] == "index.lambda_handler"
    assert props["Role"] == rendered.refs["UsageReportRole.Arn"]
    assert props["LoggingConfig"]["LogGroup"] == "/aws/lambda/vca-usage-report"
    log_group = rendered.value(console["Resources"]["UsageReportLogGroup"]["Properties"])
    assert log_group == {"LogGroupName": "/aws/lambda/vca-usage-report", "RetentionInDays": 90}
    assert props["Environment"]["Variables"] == {
        "USAGE_REPORT_TOPIC_ARN": rendered.refs["UsageReportTopic"],
        "USAGE_DAYS": "7",
        "SG_CONNECTIONS_QUERY_ID": "query-id-sg-connections",
        "ENI_USAGE_QUERY_ID": "query-id-eni-usage",
        "STACK_NAME": "vca",
        "VPC_CIDR_ANALYSIS_WORKGROUP": "vca",
        "VPC_CIDR_ANALYSIS_DATABASE": "vpcflowlogscidrdb",
    }
    assert len(props["Code"]["ZipFile"].encode()) < gen.ZIPFILE_LIMIT
    # The saved queries it reads are the pack's usage queries.
    for logical_id in ("QuerySgConnections", "QueryEniUsage"):
        assert console["Resources"][logical_id]["Type"] == "AWS::Athena::NamedQuery"


# --------------------------------------------------------------------------- parameters


@pytest.mark.parametrize(
    ("parameter", "good", "bad"),
    [
        (
            "UsageReportSchedule",
            [
                "",
                "rate(1 day)",
                "rate(7 days)",
                "rate(12 hours)",
                "rate(30 minutes)",
                "cron(0 6 ? * MON *)",
                "cron(0 6 1 * ? *)",
                "cron(15 10 ? * 6L 2026-2030)",
                "cron(0/30 8-17 ? * MON-FRI *)",
            ],
            [
                "weekly",
                "rate(7 day)",
                "rate(1 days)",
                "rate(0 days)",
                "rate(7 weeks)",
                "rate(7days)",
                "cron(0 6 * * *)",
                "cron(0 6 ? * MON * *)",
                "cron(0 6 ? * MON *) ",
                "0 6 ? * MON *",
            ],
        ),
        (
            "UsageReportEmail",
            ["", "ops@example.com", "network.team+vpc@corp.example.co.uk"],
            ["ops", "ops@example", "ops @example.com", "a@b.com,c@d.com", "@example.com"],
        ),
    ],
)
def test_parameter_patterns(
    console: dict[str, Any], parameter: str, good: list[str], bad: list[str]
) -> None:
    spec = console["Parameters"][parameter]
    assert spec["ConstraintDescription"] and spec["Description"]
    for value in good:
        assert re.fullmatch(spec["AllowedPattern"], value), (parameter, value)
    for value in bad:
        assert not re.fullmatch(spec["AllowedPattern"], value), (parameter, value)


# --------------------------------------------------------------------------- IAM


#: Actions IAM cannot scope to a resource (Service Authorization Reference: no resource type).
NO_RESOURCE_LEVEL = {
    "ec2:DescribeNetworkInterfaces",
    "ec2:DescribeSecurityGroups",
    "ec2:DescribeSecurityGroupRules",
    "ec2:DescribeManagedPrefixLists",
    "ec2:DescribeInstances",
}


def _statements(rendered: Renderer, role: dict[str, Any]) -> dict[str, dict[str, Any]]:
    policies = rendered.value(role["Properties"]["Policies"])
    return {s["Sid"]: s for p in policies for s in p["PolicyDocument"]["Statement"]}


@pytest.mark.parametrize(
    ("location", "objects"),
    [
        ("s3://logs-1/", "arn:aws:s3:::logs-1/*"),
        ("s3://logs-1", "arn:aws:s3:::logs-1/*"),
        ("s3://logs-1/vpc/", "arn:aws:s3:::logs-1/vpc/*"),
        ("s3://logs-1/org/vpc/", "arn:aws:s3:::logs-1/org/vpc/*"),
    ],
)
def test_role_names_exact_resources(console: dict[str, Any], location: str, objects: str) -> None:
    rendered = Renderer(console, FlowLogsLocation=location, UsageReportSchedule="rate(1 day)")
    role = console["Resources"]["UsageReportRole"]
    assert "ManagedPolicyArns" not in role["Properties"]
    statements = _statements(rendered, role)
    for sid, statement in statements.items():
        actions = (
            statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
        )
        targets = (
            statement["Resource"]
            if isinstance(statement["Resource"], list)
            else [statement["Resource"]]
        )
        assert "*" not in actions and statement["Effect"] == "Allow", sid
        if targets == ["*"]:
            assert set(actions) <= NO_RESOURCE_LEVEL, sid
            continue
        for arn in targets:
            assert arn.startswith("arn:aws:"), (sid, arn)
            # a wildcard only for "every object under", "every log stream of", and prefix
            # lists of any owner (AWS-managed lists are not this account's)
            bare = re.sub(r"(/\*|:\*)$", "", arn).replace(":*:prefix-list", ":prefix-list")
            assert "*" not in bare, (sid, arn)
    assert statements["ReadFlowLogs"]["Resource"] == objects
    assert statements["ListQueryResults"]["Resource"] == "arn:aws:s3:::vca-resultsbucket-1"
    assert statements["LocateFlowLogBucket"]["Resource"] == "arn:aws:s3:::logs-1"
    # listing only under the flow logs' AWSLogs/ (Athena and the report list no other keys)
    prefix = objects.removeprefix("arn:aws:s3:::logs-1/").removesuffix("*")
    assert statements["ListFlowLogs"]["Resource"] == "arn:aws:s3:::logs-1"
    assert statements["ListFlowLogs"]["Condition"] == {
        "StringLike": {"s3:prefix": f"{prefix}AWSLogs/*"}
    }
    # Athena's look-up of the default database: GetDatabase only, nothing on its tables
    assert statements["AthenaDefaultDatabase"]["Action"] == "glue:GetDatabase"
    assert statements["AthenaDefaultDatabase"]["Resource"] == [
        f"arn:aws:glue:{REGION}:{ACCOUNT}:catalog",
        f"arn:aws:glue:{REGION}:{ACCOUNT}:database/default",
    ]
    assert "DecryptFlowLogs" not in statements  # no key given
    assert "LakeFormationDataAccess" not in statements
    assert statements["RunSavedUsageQueries"]["Resource"] == (
        f"arn:aws:athena:{REGION}:{ACCOUNT}:workgroup/vca"
    )
    assert statements["PublishReport"] == {
        "Sid": "PublishReport",
        "Effect": "Allow",
        "Action": "sns:Publish",
        "Resource": rendered.refs["UsageReportTopic"],
    }
    assert statements["WriteQueryResults"]["Resource"] == (
        "arn:aws:s3:::vca-resultsbucket-1/results/*"
    )
    assert set(statements["DescribeNetworkInventory"]["Action"]) == NO_RESOURCE_LEVEL


def test_the_role_allows_every_call_the_report_makes(console: dict[str, Any]) -> None:
    """The EC2 and Athena calls in the modules the function embeds are all granted."""
    rendered = Renderer(console, FlowLogsLocation="s3://logs-1/", UsageReportSchedule="rate(1 day)")
    granted = {
        action
        for s in _statements(rendered, console["Resources"]["UsageReportRole"]).values()
        for action in (s["Action"] if isinstance(s["Action"], list) else [s["Action"]])
    }
    calls = {
        "ec2": ["describe_network_interfaces", "describe_security_groups"],
        "ec2 ": [
            "describe_security_group_rules",
            "describe_managed_prefix_lists",
            "get_managed_prefix_list_entries",
            "describe_instances",
        ],
        "athena": [
            "get_named_query",
            "start_query_execution",
            "get_query_execution",
            "get_query_results",
            "stop_query_execution",
        ],
        "sns": ["publish"],
    }
    for service, operations in calls.items():
        for operation in operations:
            action = service.strip() + ":" + "".join(p.capitalize() for p in operation.split("_"))
            assert action in granted, action


# --------------------------------------------------------------------------- inline code


def _embedded_names(name: str) -> bool:
    return name == "app" or name == "vpc_cidr_analysis" or name.startswith("vpc_cidr_analysis.")


@pytest.fixture
def inline_handler(console: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """The console template's inline `index.py`, executed as Lambda would. Only the modules it
    embeds are swapped out and restored (other modules, e.g. cryptography's, must stay)."""
    saved = {n: m for n, m in sys.modules.items() if _embedded_names(n)}
    saved_hooks = list(sys.meta_path)
    source = str(console["Resources"]["UsageReportFunction"]["Properties"]["Code"]["ZipFile"])
    try:
        for name in saved:
            del sys.modules[name]
        namespace: dict[str, Any] = {"__name__": "index"}
        with mock_aws():
            exec(compile(source, "<index.py>", "exec"), namespace)
            yield namespace
    finally:
        sys.meta_path[:] = saved_hooks
        for name in [n for n in sys.modules if _embedded_names(n)]:
            del sys.modules[name]
        sys.modules.update(saved)


def test_inline_function_publishes_the_summary(
    console: dict[str, Any], inline_handler: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    session = boto3.Session(region_name=REGION)
    world = build_network(session.client("ec2"))
    athena = session.client("athena")
    athena.create_work_group(
        Name="vca",
        Configuration={"ResultConfiguration": {"OutputLocation": "s3://vca-results/results/"}},
    )
    rendered = Renderer(console, FlowLogsLocation="s3://logs-1/", UsageReportSchedule="rate(1 day)")
    query_ids = {}
    for logical_id in ("QuerySgConnections", "QueryEniUsage"):
        props = rendered.value(console["Resources"][logical_id]["Properties"])
        query_ids[logical_id] = athena.create_named_query(
            Name=props["Name"],
            Database=props["Database"],
            WorkGroup=props["WorkGroup"],
            QueryString=props["QueryString"],
        )["NamedQueryId"]
    sns, sqs = session.client("sns"), session.client("sqs")
    topic = sns.create_topic(Name="vca-usage-report")["TopicArn"]
    queue_url = sqs.create_queue(QueueName="inbox")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])[
        "Attributes"
    ]["QueueArn"]
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn)
    environment = rendered.value(
        console["Resources"]["UsageReportFunction"]["Properties"]["Environment"]["Variables"]
    )
    environment |= {
        "USAGE_REPORT_TOPIC_ARN": topic,
        "SG_CONNECTIONS_QUERY_ID": query_ids["QuerySgConnections"],
        "ENI_USAGE_QUERY_ID": query_ids["QueryEniUsage"],
        "AWS_REGION": REGION,
    }
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    today = datetime.now(UTC).date()
    queue_usage_results(world, today)
    event = json.loads((ROOT / "functions/usage_report/events/scheduled.json").read_text())

    result = inline_handler["lambda_handler"](event, None)

    body = json.loads(sqs.receive_message(QueueUrl=queue_url)["Messages"][0]["Body"])
    assert body["Subject"] == expected_subject(today) == result["subject"]
    assert body["Message"] == expected_message(world, today)
    # The inline code ran the embedded modules, not the installed package.
    assert sys.modules["vpc_cidr_analysis.usage.summary"].__spec__.loader is not None
    assert type(sys.modules["vpc_cidr_analysis"].__spec__.loader).__name__ == "_EmbeddedModules"
    assert [e.execution_parameters for e in executions()] == [["''", "''", "7", "''"]] * 2


def test_inline_code_needs_only_the_lambda_runtime(console: dict[str, Any]) -> None:
    """Embedded modules import the standard library, boto3 and each other: no duckdb, click."""
    source = str(console["Resources"]["UsageReportFunction"]["Properties"]["Code"]["ZipFile"])
    namespace: dict[str, Any] = {}
    exec(source[source.index("_SOURCES = {") : source.index("_PACKAGES =")], namespace)
    embedded: dict[str, tuple[str, str]] = namespace["_SOURCES"]
    assert embedded["app"][0] == "functions/usage_report/app.py"
    assert "vpc_cidr_analysis.usage.summary" in embedded
    assert not {"vpc_cidr_analysis.engine.local", "vpc_cidr_analysis.pack.runner"} & set(embedded)
    for path, text in embedded.values():
        assert text == (ROOT / path).read_text(encoding="utf-8"), path
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            for name in names:
                top = name.split(".")[0]
                assert top in sys.stdlib_module_names or top == "boto3" or name in embedded, (
                    f"{path} imports {name}, which the Lambda runtime does not have"
                )


@pytest.mark.filterwarnings("ignore:Tried to parse AWS::")
def test_stack_with_the_report_creates_in_moto(console: dict[str, Any]) -> None:
    """moto's CloudFormation accepts the conditional resources (topic, rule, function)."""
    template = {
        **console,
        "Resources": {
            k: v
            for k, v in console["Resources"].items()
            if not v["Type"].startswith(("Custom::", "AWS::Athena::", "AWS::Glue::"))
            and k not in ("FlowLogTable", "AnalystPolicy")  # the policy names the workgroup
        },
        "Outputs": {
            k: v
            for k, v in console["Outputs"].items()
            if k in ("Region", "UsageReportTopicArn", "UsageReportFunctionName")
        },
    }
    report = template["Resources"]
    report["UsageReportFunction"] = {
        k: v for k, v in report["UsageReportFunction"].items() if k != "DependsOn"
    }
    props = dict(report["UsageReportFunction"]["Properties"])
    env = dict(props["Environment"]["Variables"])
    for name in ("SG_CONNECTIONS_QUERY_ID", "ENI_USAGE_QUERY_ID", "VPC_CIDR_ANALYSIS_WORKGROUP"):
        env[name] = "resolved-by-the-athena-resources"  # moto does not create Athena resources
    env["VPC_CIDR_ANALYSIS_DATABASE"] = "vpcflowlogscidrdb"
    props["Environment"] = {"Variables": env}
    report["UsageReportFunction"]["Properties"] = props
    role = report["UsageReportRole"]
    role_props = dict(role["Properties"])
    role_props["Policies"] = [
        {
            "PolicyName": "usage-report",
            "PolicyDocument": {
                "Version": "2012-10-17",
                "Statement": [
                    s
                    for s in role_props["Policies"][0]["PolicyDocument"]["Statement"]
                    if not isinstance(s, dict)  # the !If of optional statements
                    or s["Sid"] not in ("RunSavedUsageQueries", "ReadFlowLogTables")
                ],
            },
        }
    ]
    report["UsageReportRole"] = {**role, "Properties": role_props}
    report.pop("EmptyBucketsOnDelete", None)
    report.pop("InitialCidrs", None)
    for resource in report.values():
        if resource.get("DependsOn") == "EmptyBucketsOnDelete":
            resource.pop("DependsOn")
    body = gen.dump_cfn(for_moto(template, "s3://logs-1/"))
    with mock_aws():
        cloudformation = boto3.client("cloudformation", region_name=REGION)
        cloudformation.create_stack(
            StackName="vca",
            TemplateBody=body,
            Parameters=[
                {"ParameterKey": "FlowLogsLocation", "ParameterValue": "s3://logs-1/"},
                {"ParameterKey": "UsageReportSchedule", "ParameterValue": "rate(7 days)"},
                {"ParameterKey": "UsageReportEmail", "ParameterValue": "ops@example.com"},
            ],
            Capabilities=["CAPABILITY_IAM"],
        )
        stack = cloudformation.describe_stacks(StackName="vca")["Stacks"][0]
        assert stack["StackStatus"] == "CREATE_COMPLETE"
        outputs = {o["OutputKey"]: o["OutputValue"] for o in stack["Outputs"]}
        sns = boto3.client("sns", region_name=REGION)
        attributes = sns.get_topic_attributes(TopicArn=outputs["UsageReportTopicArn"])
        assert attributes["Attributes"]["KmsMasterKeyId"] == "alias/aws/sns"
        # (moto has no AWS::SNS::Subscription: the rendered-template test checks that one)
        rules = boto3.client("events", region_name=REGION).list_rules()["Rules"]
        assert [r["ScheduleExpression"] for r in rules] == ["rate(7 days)"]
        function = boto3.client("lambda", region_name=REGION).get_function(
            FunctionName=outputs["UsageReportFunctionName"]
        )["Configuration"]
        assert function["Handler"] == "index.lambda_handler"
        assert function["Timeout"] == 900
