"""Access in real accounts, read off the console template: Lake Formation grants, a
customer-managed KMS key, the analyst policy, least-privilege listing, and the custom resources'
ServiceTimeout, replacement and failure reporting."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from paths import ROOT, script
from template_render import ACCOUNT, REGION, Renderer

from vpc_cidr_analysis import schema
from vpc_cidr_analysis.stack import table as stack

gen = script("build_console_template")
Tagged = gen.Tagged

KEY = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
ANALYST = f"arn:aws:iam::{ACCOUNT}:role/network-analyst"
SCHEDULE = "rate(7 days)"
LF_TYPE = "AWS::LakeFormation::Permissions"
#: Actions without resource-level permissions: "*" is the only Resource IAM accepts.
NO_RESOURCE_LEVEL = {
    "ec2:DescribeNetworkInterfaces",
    "ec2:DescribeSecurityGroups",
    "ec2:DescribeSecurityGroupRules",
    "ec2:DescribeManagedPrefixLists",
    "ec2:DescribeInstances",
    "lakeformation:GetDataAccess",
}


@pytest.fixture(scope="module")
def console() -> dict[str, Any]:
    return dict(gen.load_cfn(gen.CONSOLE_TEMPLATE.read_text(encoding="utf-8")))


@pytest.fixture(scope="module")
def sam() -> dict[str, Any]:
    return dict(gen.load_cfn(gen.SAM_TEMPLATE.read_text(encoding="utf-8")))


def render(console: dict[str, Any], **parameters: str) -> Renderer:
    return Renderer(console, **({"FlowLogsLocation": "s3://logs-1/org/vpc/"} | parameters))


def analyst_statements(rendered: Renderer) -> dict[str, dict[str, Any]]:
    policy = rendered.resources()["AnalystPolicy"]
    document = rendered.value(policy["Properties"]["PolicyDocument"])
    return {s["Sid"]: s for s in document["Statement"]}


def report_statements(rendered: Renderer) -> dict[str, dict[str, Any]]:
    role = rendered.resources()["UsageReportRole"]
    policies = rendered.value(role["Properties"]["Policies"])
    return {s["Sid"]: s for p in policies for s in p["PolicyDocument"]["Statement"]}


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def grants(rendered: Renderer) -> dict[str, dict[str, Any]]:
    return {
        k: rendered.value(v["Properties"])
        for k, v in rendered.resources().items()
        if v["Type"] == LF_TYPE
    }


# --------------------------------------------------------------------------- 2. Lake Formation


def test_lake_formation_grants_are_off_by_default(console: dict[str, Any]) -> None:
    rendered = render(console, UsageReportSchedule=SCHEDULE, AnalystPrincipalArn=ANALYST)
    assert console["Parameters"]["LakeFormationPermissions"]["Default"] == "false"
    assert grants(rendered) == {}
    table = rendered.value(rendered.resources()["FlowLogTable"]["Properties"])
    assert "LakeFormationGrants" not in table
    assert "LakeFormationDataAccess" not in analyst_statements(rendered)
    assert "LakeFormationDataAccess" not in report_statements(rendered)


def test_lake_formation_grants_the_helper_before_it_creates_the_table(
    console: dict[str, Any],
) -> None:
    rendered = render(console, LakeFormationPermissions="true")
    found = grants(rendered)
    assert set(found) == {"StackHelperDatabaseGrant", "StackHelperTablesGrant"}
    helper = rendered.refs["StackHelperRole.Arn"]
    database = found["StackHelperDatabaseGrant"]
    assert database["DataLakePrincipal"] == {"DataLakePrincipalIdentifier": helper}
    assert database["Resource"] == {
        "DatabaseResource": {"CatalogId": ACCOUNT, "Name": "vpcflowlogscidrdb"}
    }
    assert set(database["Permissions"]) == {"CREATE_TABLE", "DESCRIBE"}
    tables = found["StackHelperTablesGrant"]
    assert tables["DataLakePrincipal"] == {"DataLakePrincipalIdentifier": helper}
    assert tables["Resource"]["TableResource"]["TableWildcard"] == {}
    assert set(tables["Permissions"]) == {"ALTER", "DROP", "DESCRIBE"}
    # The table's properties name both grants, so CloudFormation creates them first.
    table = rendered.value(rendered.resources()["FlowLogTable"]["Properties"])
    assert table["LakeFormationGrants"] == ["grant-helper-database", "grant-helper-tables"]


@pytest.mark.parametrize(
    ("parameters", "readers"),
    [
        ({}, set()),
        ({"UsageReportSchedule": SCHEDULE}, {"UsageReportTablesGrant"}),
        ({"AnalystPrincipalArn": ANALYST}, {"AnalystTablesGrant"}),
        (
            {"UsageReportSchedule": SCHEDULE, "AnalystPrincipalArn": ANALYST},
            {"UsageReportTablesGrant", "AnalystTablesGrant"},
        ),
    ],
)
def test_lake_formation_grants_select_to_the_readers(
    console: dict[str, Any], parameters: dict[str, str], readers: set[str]
) -> None:
    rendered = render(console, LakeFormationPermissions="true", **parameters)
    found = grants(rendered)
    assert set(found) - {"StackHelperDatabaseGrant", "StackHelperTablesGrant"} == readers
    principals = {
        "UsageReportTablesGrant": rendered.refs["UsageReportRole.Arn"],
        "AnalystTablesGrant": ANALYST,
    }
    for name in readers:
        assert found[name]["DataLakePrincipal"] == {"DataLakePrincipalIdentifier": principals[name]}
        assert found[name]["Resource"] == {
            "TableResource": {
                "CatalogId": ACCOUNT,
                "DatabaseName": "vpcflowlogscidrdb",
                "TableWildcard": {},
            }
        }
        assert set(found[name]["Permissions"]) == {"SELECT", "DESCRIBE"}
    access = analyst_statements(rendered)["LakeFormationDataAccess"]
    assert (access["Action"], access["Resource"]) == ("lakeformation:GetDataAccess", "*")
    if "UsageReportSchedule" in parameters:
        assert "LakeFormationDataAccess" in report_statements(rendered)


# --------------------------------------------------------------------------- 3. KMS


@pytest.mark.parametrize("key", ["", KEY])
def test_a_customer_managed_key_is_decryptable_by_every_reader(
    console: dict[str, Any], key: str
) -> None:
    rendered = render(console, UsageReportSchedule=SCHEDULE, FlowLogsKmsKeyArn=key)
    for statements in (analyst_statements(rendered), report_statements(rendered)):
        if not key:
            assert "DecryptFlowLogs" not in statements
            assert not any("kms:" in str(s["Action"]) for s in statements.values())
            continue
        assert statements["DecryptFlowLogs"] == {
            "Sid": "DecryptFlowLogs",
            "Effect": "Allow",
            "Action": "kms:Decrypt",
            "Resource": key,
            "Condition": {"StringLike": {"kms:ViaService": "s3.*.amazonaws.com"}},
        }
    # The other roles never read the flow logs, so they get no key.
    for role in ("StackHelperRole", "CidrFunctionRole"):
        assert "kms:" not in str(console["Resources"][role]["Properties"]["Policies"])


def test_kms_key_parameter_takes_a_key_arn_only(console: dict[str, Any]) -> None:
    pattern = re.compile(console["Parameters"]["FlowLogsKmsKeyArn"]["AllowedPattern"])
    assert console["Parameters"]["FlowLogsKmsKeyArn"]["Default"] == ""
    for good in ("", KEY, "arn:aws-us-gov:kms:us-gov-west-1:111122223333:key/mrk-1234abcd"):
        assert pattern.fullmatch(good), good
    for bad in (
        "alias/flow-logs",
        f"arn:aws:kms:{REGION}:{ACCOUNT}:alias/flow-logs",
        "1234abcd-12ab-34cd-56ef-1234567890ab",
        f" {KEY}",
    ):
        assert not pattern.fullmatch(bad), bad
    principal = re.compile(console["Parameters"]["AnalystPrincipalArn"]["AllowedPattern"])
    assert principal.fullmatch(ANALYST) and principal.fullmatch("")
    assert principal.fullmatch(f"arn:aws:iam::{ACCOUNT}:user/ci/deployer")
    assert not principal.fullmatch(f"arn:aws:iam::{ACCOUNT}:group/analysts")  # LF has no groups


# --------------------------------------------------------------------------- 4. custom resources


def test_every_custom_resource_has_a_service_timeout_past_its_function(
    console: dict[str, Any],
) -> None:
    resources = console["Resources"]
    custom = {k: v for k, v in resources.items() if v["Type"].startswith("Custom::")}
    assert set(custom) == {
        "FlowLogTable",
        "TransitGatewayFlowLogTable",
        "EmptyBucketsOnDelete",
        "InitialCidrs",
    }
    for name, resource in custom.items():
        function = resource["Properties"]["ServiceToken"].value.split(".")[0]
        timeout = resources[function]["Properties"].get("Timeout", 300)
        service_timeout = resource["Properties"]["ServiceTimeout"]
        assert isinstance(service_timeout, int), name
        # long enough for the function and its response retries, far below the default hour
        assert timeout + 30 <= service_timeout <= 600, name


def test_a_new_database_name_replaces_the_database(console: dict[str, Any]) -> None:
    database = console["Resources"]["GlueDatabase"]["Properties"]
    # DatabaseName is create-only: a change replaces the database (the helper relies on it)
    assert database["DatabaseName"] == Tagged("!Ref", "DatabaseName")
    assert database["DatabaseInput"]["Name"] == Tagged("!Ref", "DatabaseName")


def test_dead_letter_skips_say_why(sam: dict[str, Any]) -> None:
    reasons = {
        name: {s["id"]: s["comment"] for s in r["Metadata"]["checkov"]["skip"]}.get("CKV_AWS_116")
        for name, r in sam["Resources"].items()
        if r["Type"] == "AWS::Serverless::Function"
    }
    assert set(reasons) == {"StackHelperFunction", "CidrIpGeneratorFunction", "UsageReportFunction"}
    for name in ("StackHelperFunction", "CidrIpGeneratorFunction"):
        assert "asynchronously" in str(reasons[name]), name
        assert "ServiceTimeout" in str(reasons[name]), name
        assert "synchronously by CloudFormation" not in str(reasons[name])
    assert "on-failure destination" in str(reasons["UsageReportFunction"])


def test_a_failing_scheduled_report_goes_to_the_topic(console: dict[str, Any]) -> None:
    rendered = render(console, UsageReportSchedule=SCHEDULE)
    config = rendered.value(rendered.resources()["UsageReportInvokeConfig"]["Properties"])
    topic = rendered.refs["UsageReportTopic"]
    assert config["DestinationConfig"] == {"OnFailure": {"Destination": topic}}
    assert config["MaximumRetryAttempts"] == 0
    publish = report_statements(rendered)["PublishReport"]
    assert (publish["Action"], publish["Resource"]) == ("sns:Publish", topic)


# --------------------------------------------------------------------------- 5. least privilege


@pytest.mark.parametrize(
    ("location", "prefix"),
    [("s3://logs-1/", ""), ("s3://logs-1", ""), ("s3://logs-1/org/vpc/", "org/vpc/")],
)
def test_flow_log_listing_is_limited_to_awslogs(
    console: dict[str, Any], location: str, prefix: str
) -> None:
    rendered = render(console, FlowLogsLocation=location, UsageReportSchedule=SCHEDULE)
    for statements in (analyst_statements(rendered), report_statements(rendered)):
        listing = [s for s in statements.values() if "s3:ListBucket" in as_list(s["Action"])]
        on_logs = [s for s in listing if "arn:aws:s3:::logs-1" in as_list(s["Resource"])]
        assert [s["Sid"] for s in on_logs] == ["ListFlowLogs"]
        assert on_logs[0]["Resource"] == "arn:aws:s3:::logs-1"
        assert on_logs[0]["Condition"] == {"StringLike": {"s3:prefix": f"{prefix}AWSLogs/*"}}
        default = statements["AthenaDefaultDatabase"]
        assert default["Action"] == "glue:GetDatabase"
        assert default["Resource"][-1] == f"arn:aws:glue:{REGION}:{ACCOUNT}:database/default"
        # the default database nowhere else: no table of it, no other action on it
        for sid, statement in statements.items():
            if sid != "AthenaDefaultDatabase":
                assert "database/default" not in str(statement["Resource"]), sid
                assert "table/default" not in str(statement["Resource"]), sid


# --------------------------------------------------------------------------- 6. analyst policy


def test_analyst_policy_names_exact_resources(console: dict[str, Any]) -> None:
    rendered = render(console, FlowLogsKmsKeyArn=KEY, LakeFormationPermissions="true")
    assert rendered.resources()["AnalystPolicy"]["Type"] == "AWS::IAM::ManagedPolicy"
    assert console["Outputs"]["AnalystPolicyArn"]["Value"] == Tagged("!Ref", "AnalystPolicy")
    statements = analyst_statements(rendered)
    for sid, statement in statements.items():
        assert statement["Effect"] == "Allow", sid
        actions = as_list(statement["Action"])
        assert not [a for a in actions if "*" in a], sid
        for arn in as_list(statement["Resource"]):
            if arn == "*":
                assert set(actions) <= NO_RESOURCE_LEVEL, sid
                continue
            assert arn.startswith("arn:aws:"), (sid, arn)
            assert "*" not in re.sub(r"/\*$", "", arn), (sid, arn)
    assert statements["RunQueriesInWorkGroup"]["Resource"] == (
        f"arn:aws:athena:{REGION}:{ACCOUNT}:workgroup/vca"
    )
    assert statements["ReadStackOutputs"]["Resource"] == rendered.refs["AWS::StackId"]
    assert statements["ReadFlowLogs"]["Resource"] == "arn:aws:s3:::logs-1/org/vpc/*"
    assert statements["ReadCidrObjects"]["Resource"] == "arn:aws:s3:::vca-cidrbucket-1/cidrs/*"
    assert statements["ReadWriteQueryResults"]["Resource"] == (
        "arn:aws:s3:::vca-resultsbucket-1/results/*"
    )
    tables = {arn.rsplit("/", 1)[-1] for arn in statements["ReadTables"]["Resource"][2:]}
    flow_tables = {t for k in schema.KINDS for t in stack.kind_tables(k)}
    assert tables == flow_tables | {"cidrtable", "networks"}
    assert "ReadTransitGatewayFlowLogs" not in statements  # no Transit Gateway table
    assert statements["ReadWriteNetworks"]["Resource"] == (
        "arn:aws:s3:::vca-cidrbucket-1/networks/*"
    )
    assert not [a for a in as_list(statements["ReadTables"]["Action"]) if "Create" in a]


@pytest.mark.parametrize(
    ("location", "listed", "read"),
    [
        # empty: under the VPC logs' location (the statements repeat part of theirs)
        ("", ("logs-1", "org/vpc/AWSLogs/*"), "arn:aws:s3:::logs-1/org/vpc/AWSLogs/*"),
        ("s3://tgw-logs/", ("tgw-logs", "AWSLogs/*"), "arn:aws:s3:::tgw-logs/AWSLogs/*"),
        (
            "s3://tgw-logs/hub/",
            ("tgw-logs", "hub/AWSLogs/*"),
            "arn:aws:s3:::tgw-logs/hub/AWSLogs/*",
        ),
    ],
)
def test_analyst_policy_covers_the_transit_gateway_location(
    console: dict[str, Any], location: str, listed: tuple[str, str], read: str
) -> None:
    rendered = render(
        console, TransitGatewayFlowLogs="true", TransitGatewayFlowLogsLocation=location
    )
    assert "TransitGatewayFlowLogTable" in rendered.resources()
    statements = analyst_statements(rendered)
    bucket, prefix = listed
    assert statements["ListTransitGatewayFlowLogs"]["Resource"] == f"arn:aws:s3:::{bucket}"
    assert statements["ListTransitGatewayFlowLogs"]["Condition"] == {
        "StringLike": {"s3:prefix": prefix}
    }
    assert statements["ReadTransitGatewayFlowLogs"]["Resource"] == read
    assert f"arn:aws:s3:::{bucket}" in statements["LocateBuckets"]["Resource"]
    # the VPC logs' statements are unchanged
    assert statements["ReadFlowLogs"]["Resource"] == "arn:aws:s3:::logs-1/org/vpc/*"
    tables = {arn.rsplit("/", 1)[-1] for arn in statements["ReadTables"]["Resource"][2:]}
    assert set(stack.kind_tables(schema.TGW)) <= tables
    # the table's resource gets the VPC location and format to compare with its own
    props = rendered.value(rendered.resources()["TransitGatewayFlowLogTable"]["Properties"])
    assert props["FlowLogsLocation"] == (location or "s3://logs-1/org/vpc/")
    assert props["OtherKindLocation"] == "s3://logs-1/org/vpc/"
    vpc = rendered.value(rendered.resources()["FlowLogTable"]["Properties"])
    assert vpc["OtherKindLocation"] == props["FlowLogsLocation"]
    assert vpc["OtherKindLogFormat"] == props["LogFormat"]
    assert rendered.outputs() >= {
        "TransitGatewayFlowLogsTableName",
        "TransitGatewayFlowLogsLocationTemplate",
    }


def test_without_the_transit_gateway_table_nothing_of_it_exists(console: dict[str, Any]) -> None:
    rendered = render(console)
    resources = rendered.resources()
    assert "TransitGatewayFlowLogTable" not in resources
    assert not [k for k in resources if k.startswith("QueryTgw")]
    vpc = rendered.value(resources["FlowLogTable"]["Properties"])
    assert (vpc["OtherKindLocation"], vpc["OtherKindLogFormat"]) == ("", "")
    assert not {o for o in rendered.outputs() if o.startswith("TransitGateway")}
    with_tgw = render(console, TransitGatewayFlowLogs="true").resources()
    saved = [k for k in with_tgw if k.startswith("QueryTgw")]
    assert "QueryTgwAttachments" in saved


def test_stack_helper_may_manage_every_table_of_both_kinds(console: dict[str, Any]) -> None:
    role = render(console).resources()["StackHelperRole"]
    policies = role["Properties"]["Policies"]
    statements = {s["Sid"]: s for p in policies for s in p["PolicyDocument"]["Statement"]}
    arns = [a.value for a in statements["ManageFlowLogTables"]["Resource"]]
    tables = {arn.rsplit("/", 1)[-1] for arn in arns if ":table/" in arn}
    assert tables == {t for k in schema.KINDS for t in stack.kind_tables(k)}


#: Modules behind `query run --engine athena --stack`, `estimate` and `usage --engine athena`.
ANALYST_MODULES = ["pack/athena.py", "pack/estimate.py", "engine/sources.py", "usage/summary.py"]
#: boto3 operations whose IAM action is not the operation's name.
ACTION_OF = {"s3:ListObjectsV2": "s3:ListBucket", "athena:GetPaginator": None}


def _calls(path: Path) -> set[str]:
    """IAM actions of the boto3 calls in a module: `athena.start_query_execution(`,
    `s3.get_paginator("list_objects_v2")`, `self.client.get_object(`."""
    text = path.read_text(encoding="utf-8")
    found: set[str] = set()
    clients = {"athena": "athena", "cloudformation": "cloudformation", "s3": "s3", "client": "s3"}
    for client, operation in re.findall(r"\b(athena|cloudformation|s3|client)\.(\w+)\(", text):
        if operation == "get_paginator":
            continue
        found.add(f"{clients[client]}:" + "".join(p.capitalize() for p in operation.split("_")))
    for client, operation in re.findall(r"\b(athena|s3|client)\.get_paginator\(\"(\w+)\"", text):
        found.add(f"{clients[client]}:" + "".join(p.capitalize() for p in operation.split("_")))
    return {ACTION_OF.get(a, a) for a in found} - {None}  # type: ignore[misc]


def test_analyst_policy_allows_every_call_the_cli_makes(console: dict[str, Any]) -> None:
    granted = {
        action
        for s in analyst_statements(render(console)).values()
        for action in as_list(s["Action"])
    }
    package = ROOT / "src" / "vpc_cidr_analysis"
    needed = set().union(*(_calls(package / m) for m in ANALYST_MODULES))
    assert {
        "athena:StartQueryExecution",
        "athena:GetQueryResults",
        "cloudformation:DescribeStacks",
        "s3:ListBucket",
        "s3:GetObject",
    } <= needed  # the scan finds the calls
    assert needed <= granted, needed - granted
    # what Athena itself does with the caller's permissions
    assert {"glue:GetTable", "glue:GetDatabase", "s3:PutObject", "s3:GetBucketLocation"} <= granted


def test_usage_report_reads_every_table_the_vpc_table_may_be_made_of(
    console: dict[str, Any],
) -> None:
    """The VPC table is a view over vpcflowlogstable_hive or _objects in some stacks; Athena
    needs the role to read the view's table too."""
    statements = report_statements(render(console, UsageReportSchedule=SCHEDULE))
    arns = statements["ReadFlowLogTables"]["Resource"]
    tables = {arn.rsplit("/", 1)[-1] for arn in arns if ":table/" in arn}
    assert tables == set(stack.kind_tables(schema.VPC))
