"""The SAM source and the generated console template: sync, structure, inline code, moto runs."""

from __future__ import annotations

import csv
import gzip
import io
import re
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import boto3
import pytest
from moto import mock_aws
from paths import ROOT, script
from template_render import for_moto

from vpc_cidr_analysis import schema
from vpc_cidr_analysis.pack.forms import saved_forms
from vpc_cidr_analysis.pack.queries import load_queries

gen = script("build_console_template")

Tagged = gen.Tagged
ACCOUNT = "123456789012"
REGION = "us-east-1"


@pytest.fixture(scope="module")
def sam() -> dict[str, Any]:
    return dict(gen.load_cfn(gen.SAM_TEMPLATE.read_text(encoding="utf-8")))


@pytest.fixture(scope="module")
def console() -> dict[str, Any]:
    return dict(gen.load_cfn(gen.CONSOLE_TEMPLATE.read_text(encoding="utf-8")))


def resolve(value: Any, refs: dict[str, str]) -> Any:
    """Evaluate !Ref, !Sub and !GetAtt (the functions these properties use) with `refs`."""
    if isinstance(value, Tagged):
        if value.tag == "!Ref":
            return refs[value.value]
        if value.tag == "!GetAtt":
            return refs[value.value]
        if value.tag == "!Sub":
            text, extra = (value.value, {}) if isinstance(value.value, str) else value.value
            names = {**refs, **{k: resolve(v, refs) for k, v in extra.items()}}
            text = re.sub(r"\$\{([^!}][^}]*)\}", lambda m: str(names[m.group(1)]), text)
            return text.replace("${!", "${")
        raise AssertionError(f"no resolver for {value.tag}")
    if isinstance(value, dict):
        return {k: resolve(v, refs) for k, v in value.items()}
    if isinstance(value, list):
        return [resolve(v, refs) for v in value]
    return value


def refs_for(database: str = schema.DATABASE) -> dict[str, str]:
    return {
        "AWS::AccountId": ACCOUNT,
        "AWS::Region": REGION,
        "AWS::Partition": "aws",
        "AWS::StackName": "vca",
        "DatabaseName": database,
        "GlueDatabase": database,
        "AthenaWorkGroup": "vca",
        "CidrBucket": "vca-cidrbucket-1",
        "ResultsBucket": "vca-resultsbucket-1",
        "CidrBucket.Arn": "arn:aws:s3:::vca-cidrbucket-1",
        "ResultsBucket.Arn": "arn:aws:s3:::vca-resultsbucket-1",
        "BytesScannedCutoffPerQuery": "10000000000",
        "StackHelperLogGroup.Arn": f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:/aws/lambda/h:*",
        "CidrFunctionLogGroup.Arn": f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:/aws/lambda/c:*",
    }


# --------------------------------------------------------------------------- generation


def test_generated_files_are_up_to_date() -> None:
    stale = gen.stale(gen.generate())
    assert stale == [], (
        f"out of date: {[str(p.relative_to(ROOT)) for p in stale]}; "
        "run python scripts/build_console_template.py"
    )


def test_check_mode_fails_on_a_stale_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    sam_copy = tmp_path / "template.yaml"
    console_copy = tmp_path / "console.yaml"
    sam_copy.write_text(gen.SAM_TEMPLATE.read_text(encoding="utf-8"), encoding="utf-8")
    console_copy.write_text(gen.CONSOLE_TEMPLATE.read_text(encoding="utf-8") + "# edited\n")
    monkeypatch.setattr(gen, "SAM_TEMPLATE", sam_copy)
    monkeypatch.setattr(gen, "CONSOLE_TEMPLATE", console_copy)
    assert gen.main(["--check"]) == 1
    assert "is out of date" in capsys.readouterr().err
    assert gen.main([]) == 0
    assert gen.main(["--check"]) == 0
    assert console_copy.read_text(encoding="utf-8") == gen.CONSOLE_TEMPLATE.read_text()


def test_console_template_fits_cloudformation_limits(console: dict[str, Any]) -> None:
    size = gen.CONSOLE_TEMPLATE.stat().st_size
    assert size <= 1_000_000  # a template uploaded through S3 (the console does that)
    assert len(console["Resources"]) <= 500
    for name, param in console["Parameters"].items():
        assert len(str(param.get("Default", ""))) <= 4096, name


def test_yaml_round_trip_keeps_short_forms(sam: dict[str, Any]) -> None:
    assert gen.load_cfn(gen.dump_cfn(sam)) == sam
    text = gen.dump_cfn({"A": Tagged("!Ref", "AWS::Region"), "B": Tagged("!GetAtt", "X.Arn")})
    assert text == "A: !Ref AWS::Region\nB: !GetAtt X.Arn\n"
    multi = gen.dump_cfn({"Code": "line 1\nline 2\n"})
    assert multi == "Code: |\n  line 1\n  line 2\n"


def test_saved_queries_block_needs_its_markers() -> None:
    with pytest.raises(gen.GenerationError, match="BEGIN saved queries"):
        gen.with_saved_queries("Resources:\n  A: {}\n", {})


def test_unknown_sam_function_property_is_an_error() -> None:
    resource = {
        "Type": "AWS::Serverless::Function",
        "Properties": {
            "CodeUri": "../functions/stack_helper/",
            "Handler": "app.lambda_handler",
            "Events": {},
        },
    }
    with pytest.raises(gen.GenerationError, match="Events have no translation"):
        gen.lambda_function("F", resource, {}, gen.SAM_TEMPLATE.parent, {})


def test_a_layer_that_is_not_this_templates_is_an_error() -> None:
    resource = {
        "Type": "AWS::Serverless::Function",
        "Properties": {
            "CodeUri": "../functions/stack_helper/",
            "Handler": "app.lambda_handler",
            "Layers": ["arn:aws:lambda:us-east-1:123456789012:layer:other:1"],
        },
    }
    with pytest.raises(gen.GenerationError, match="not !Ref to a layer of this template"):
        gen.lambda_function("F", resource, {}, gen.SAM_TEMPLATE.parent, {})


def test_console_template_has_no_layer_and_sam_source_one(
    console: dict[str, Any], sam: dict[str, Any]
) -> None:
    """Every SAM function reaches the package through PackageLayer (Globals); the console
    template has no build step, so the layer's modules are inlined instead."""
    assert sam["Globals"]["Function"]["Layers"] == [Tagged("!Ref", "PackageLayer")]
    layer = sam["Resources"]["PackageLayer"]
    assert layer["Type"] == "AWS::Serverless::LayerVersion"
    assert layer["Metadata"]["BuildMethod"] == "makefile"
    assert layer["Properties"]["CompatibleRuntimes"] == [sam["Globals"]["Function"]["Runtime"]]
    kinds = {r["Type"] for r in console["Resources"].values()}
    assert not {k for k in kinds if "Layer" in k}
    functions = [r for r in console["Resources"].values() if r["Type"] == "AWS::Lambda::Function"]
    assert functions and all("Layers" not in f["Properties"] for f in functions)
    sam_functions = [
        r for r in sam["Resources"].values() if r["Type"] == "AWS::Serverless::Function"
    ]
    assert {r["Properties"]["Handler"] for r in sam_functions} == {"app.lambda_handler"}
    assert all(r["Properties"]["CodeUri"].startswith("../functions/") for r in sam_functions)


# --------------------------------------------------------------------------- saved queries


def _saved_queries(template: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {
        k: v for k, v in template["Resources"].items() if v["Type"] == "AWS::Athena::NamedQuery"
    }


def test_one_saved_query_per_query_file_in_both_templates(
    sam: dict[str, Any], console: dict[str, Any]
) -> None:
    queries = load_queries(ROOT / "queries")
    assert queries, "queries/ holds no query files"
    saved = _saved_queries(sam)
    assert saved == _saved_queries(console)
    by_name = {v["Properties"]["Name"].split(":")[0]: v["Properties"] for v in saved.values()}
    conditions = {v["Properties"]["Name"].split(":")[0]: v.get("Condition") for v in saved.values()}
    forms = {form: (query, sql) for query in queries.values() for form, sql in saved_forms(query)}
    assert sorted(by_name) == sorted(forms)
    # every query over the Transit Gateway table (tgw_*), and only those, exists with that table
    tgw = {form for form, (query, _) in forms.items() if "tgwflowlogstable" in query.sql}
    assert "tgw_attachments" in tgw
    assert {form for form, c in conditions.items() if c} == tgw
    assert {conditions[form] for form in tgw} == {"TransitGatewayTable"}
    assert "external (cidrtable)" in forms and "eni_usage (cidrtable)" not in forms
    for form, (query, sql) in forms.items():
        props = by_name[form]
        assert props["Name"] == f"{form}: {query.title}"
        assert props["Description"] == query.description
        assert props["Database"] == Tagged("!Ref", "GlueDatabase")
        assert props["WorkGroup"] == Tagged("!Ref", "AthenaWorkGroup")
        text = resolve(props["QueryString"], refs_for())
        assert text == gen.saved_query_text(query.header, sql)
        assert text.startswith(f"-- name: {query.name}\n")


def test_saved_queries_follow_the_database_parameter(sam: dict[str, Any]) -> None:
    for props in (r["Properties"] for r in _saved_queries(sam).values()):
        text = resolve(props["QueryString"], refs_for("otherdb"))
        assert "vpcflowlogscidrdb." not in text
        if "vpcflowlogstable" in text:
            assert "otherdb.vpcflowlogstable" in text


def test_saved_queries_and_workgroup_through_the_athena_api(sam: dict[str, Any]) -> None:
    """moto's CloudFormation skips Athena, so create them from the template's properties."""
    refs = refs_for()
    resources = sam["Resources"]
    workgroup = resolve(resources["AthenaWorkGroup"]["Properties"], refs)
    config = dict(workgroup["WorkGroupConfiguration"])
    config["BytesScannedCutoffPerQuery"] = int(config["BytesScannedCutoffPerQuery"])
    queries = load_queries(ROOT / "queries")
    with mock_aws():
        athena = boto3.client("athena", region_name=REGION)
        athena.create_work_group(
            Name=workgroup["Name"], Description=workgroup["Description"], Configuration=config
        )
        got = athena.get_work_group(WorkGroup="vca")["WorkGroup"]["Configuration"]
        assert got["EngineVersion"]["SelectedEngineVersion"] == "Athena engine version 3"
        assert got["EnforceWorkGroupConfiguration"] is True
        assert got["ResultConfiguration"]["OutputLocation"] == "s3://vca-resultsbucket-1/results/"
        assert got["BytesScannedCutoffPerQuery"] == 10_000_000_000
        ids = []
        for resource in _saved_queries(sam).values():
            props = resolve(resource["Properties"], refs)
            ids.append(athena.create_named_query(**props)["NamedQueryId"])
        stored = {
            q["Name"].split(":")[0]: q
            for q in (athena.get_named_query(NamedQueryId=i)["NamedQuery"] for i in ids)
        }
    forms = {form: (query, sql) for query in queries.values() for form, sql in saved_forms(query)}
    assert sorted(stored) == sorted(forms)
    for form, (query, sql) in forms.items():
        assert stored[form]["QueryString"] == gen.saved_query_text(query.header, sql)
        assert stored[form]["Database"] == schema.DATABASE
        assert stored[form]["WorkGroup"] == "vca"


# --------------------------------------------------------------------------- structure


def test_parameters_are_validated_with_a_clear_constraint(console: dict[str, Any]) -> None:
    for name, param in console["Parameters"].items():
        assert param.get("Description"), name
        assert param.get("ConstraintDescription"), name
        if param["Type"] == "Number":
            assert param["MinValue"] == 10_000_000  # Athena's minimum cutoff
        else:
            assert param.get("AllowedPattern") or param.get("AllowedValues"), name
        if "Default" in param and "AllowedPattern" in param:
            assert re.fullmatch(param["AllowedPattern"], str(param["Default"])), name


@pytest.mark.parametrize(
    ("parameter", "good", "bad"),
    [
        (
            "FlowLogsLocation",
            ["s3://my-flow-logs/", "s3://my-flow-logs", "s3://logs.example/a/b/"],
            ["my-flow-logs", "s3://My_Logs/", "https://b/", "s3://ab/", "s3://b b/"],
        ),
        (
            "FlowLogsAccountIds",
            ["", "111122223333", "111122223333,444455556666"],
            ["1111", "111122223333, 444455556666", "111122223333,"],
        ),
        (
            "FlowLogsRegions",
            ["", "us-east-1", "us-east-1,eu-west-1,ap-southeast-2,us-gov-west-1"],
            ["US-EAST-1", "us-east-1,", "useast1"],
        ),
        ("ProjectionStartDate", ["2025/01/01", "2024/12/31"], ["2025-01-01", "2025/13/01"]),
        ("DatabaseName", ["vpcflowlogscidrdb", "db_2"], ["VPC", "db-2", ""]),
        (
            "InitialCidrBlocks",
            ["", "10.0.0.0/16", "10.0.0.0/16,10.1.0.0/16,2600:1f18::/56"],
            ["10.0.0.0", "10.0.0.0/16, 10.1.0.0/16"],
        ),
        (
            "LogFormat",
            ["${version} ${srcaddr}", "${srcaddr}"],
            ["version srcaddr", "${version}  ${srcaddr}", "${Version}"],
        ),
    ],
)
def test_parameter_patterns(
    console: dict[str, Any], parameter: str, good: list[str], bad: list[str]
) -> None:
    pattern = console["Parameters"][parameter]["AllowedPattern"]
    for value in good:
        assert re.fullmatch(pattern, value), (parameter, value)
    for value in bad:
        assert not re.fullmatch(pattern, value), (parameter, value)


def test_default_log_format_is_the_v5_fields(console: dict[str, Any]) -> None:
    default = console["Parameters"]["LogFormat"]["Default"]
    assert schema.parse_log_format(default) == schema.V5_FIELDS


def test_choices_match_the_library(console: dict[str, Any]) -> None:
    from vpc_cidr_analysis import layout
    from vpc_cidr_analysis.stack import buckets
    from vpc_cidr_analysis.stack import table as stack

    params = console["Parameters"]
    assert tuple(params["S3Layout"]["AllowedValues"]) == layout.LAYOUTS
    assert tuple(params["FileFormat"]["AllowedValues"]) == layout.FILE_FORMATS
    assert params["DatabaseName"]["Default"] == schema.DATABASE
    assert console["Resources"]["EmptyBucketsOnDelete"]["Type"] == buckets.EMPTY_BUCKETS_TYPE
    spec_keys = {"DatabaseName", "FlowLogsLocation", "S3Layout", "HourlyPartitions", "FileFormat"}
    spec_keys |= {"LogFormat", "AccountIds", "Regions", "ProjectionStartDate"}
    spec_keys |= {"Kind", "OtherKindLocation", "OtherKindLogFormat"}
    for name, kind in (("FlowLogTable", "vpc"), ("TransitGatewayFlowLogTable", "tgw")):
        table = console["Resources"][name]
        assert table["Type"] == stack.FLOW_LOG_TABLE_TYPE
        keys = set(table["Properties"]) - {"ServiceToken", "ServiceTimeout", "LakeFormationGrants"}
        assert keys == spec_keys, name
        assert table["Properties"]["Kind"] == kind
        assert stack.KIND_NAMES[kind].table == (schema.FLOW_TABLE, schema.TGW_TABLE)[kind == "tgw"]
    # the Transit Gateway format's default: AWS's default format, every field in the guide's order
    tgw_default = params["TransitGatewayLogFormat"]["Default"]
    assert schema.parse_log_format(tgw_default, schema.TGW) == schema.TGW_DEFAULT_FIELDS
    assert len(schema.TGW_DEFAULT_FIELDS) == 36
    assert re.fullmatch(params["TransitGatewayLogFormat"]["AllowedPattern"], tgw_default)
    assert tuple(params["TransitGatewayFlowLogs"]["AllowedValues"]) == ("false", "true")
    assert params["TransitGatewayFlowLogs"]["Default"] == "false"
    assert params["TransitGatewayFlowLogsLocation"]["Default"] == ""


def test_functions(console: dict[str, Any], sam: dict[str, Any]) -> None:
    resources = console["Resources"]
    # Optional (conditional) resources have their own tests (test_usage_report_stack.py).
    functions = {
        k: v
        for k, v in resources.items()
        if v["Type"] == "AWS::Lambda::Function" and "Condition" not in v
    }
    assert set(functions) == {"CidrIpGeneratorFunction", "StackHelperFunction"}
    assert not any(v["Type"].startswith("AWS::Serverless") for v in resources.values())
    assert "Transform" not in console and "Globals" not in console
    for logical_id, function in functions.items():
        props = function["Properties"]
        assert props["Runtime"] in ("python3.12", "python3.13"), logical_id
        assert props["Architectures"] == ["arm64"]
        assert props["MemorySize"] == 512
        assert props["Timeout"] == 300
        assert props["Handler"].startswith("index.")
        assert len(props["Code"]["ZipFile"].encode()) < gen.ZIPFILE_LIMIT
        log_group = resources[props["LoggingConfig"]["LogGroup"].value]
        assert log_group["Type"] == "AWS::Logs::LogGroup"
        assert log_group["Properties"]["RetentionInDays"] > 0
        sam_props = sam["Resources"][logical_id]["Properties"]
        assert (gen.SAM_TEMPLATE.parent / sam_props["CodeUri"]).is_dir()
    env = functions["CidrIpGeneratorFunction"]["Properties"]["Environment"]["Variables"]
    assert env["CIDR_BUCKET"] == Tagged("!Ref", "CidrBucket")
    assert env["CIDR_PREFIX"] == "cidrs/"


def _statements(role: dict[str, Any]) -> list[dict[str, Any]]:
    return [s for p in role["Properties"]["Policies"] for s in p["PolicyDocument"]["Statement"]]


def test_iam_names_exact_resources(console: dict[str, Any]) -> None:
    resources = console["Resources"]
    roles = {
        k: v for k, v in resources.items() if v["Type"] == "AWS::IAM::Role" and "Condition" not in v
    }
    assert set(roles) == {"CidrFunctionRole", "StackHelperRole"}
    for role in roles.values():
        assert "ManagedPolicyArns" not in role["Properties"]
        for statement in _statements(role):
            targets = statement["Resource"]
            for target in targets if isinstance(targets, list) else [targets]:
                # a wildcard only for "every object under" (/*) or "every log stream of" (:*)
                arn = resolve(target, refs_for())
                assert arn.startswith("arn:aws:"), arn
                assert "*" not in re.sub(r"(/\*|:\*)$", "", arn), arn
            actions = statement["Action"]
            assert "*" not in (actions if isinstance(actions, list) else [actions])
    cidr = {s["Sid"]: s for s in _statements(roles["CidrFunctionRole"])}
    assert set(cidr) == {"WriteOwnLogs", "WriteCidrObjects", "ListCidrObjects"}
    assert cidr["WriteOwnLogs"]["Resource"] == Tagged("!GetAtt", "CidrFunctionLogGroup.Arn")
    assert cidr["WriteCidrObjects"]["Resource"] == Tagged("!Sub", "${CidrBucket.Arn}/cidrs/*")
    assert set(cidr["WriteCidrObjects"]["Action"]) == {
        "s3:PutObject",
        "s3:AbortMultipartUpload",
        "s3:DeleteObject",
    }
    assert cidr["ListCidrObjects"]["Condition"] == {"StringLike": {"s3:prefix": "cidrs/*"}}


def test_buckets_are_private_encrypted_and_tls_only(console: dict[str, Any]) -> None:
    resources = console["Resources"]
    buckets = [k for k, v in resources.items() if v["Type"] == "AWS::S3::Bucket"]
    assert sorted(buckets) == ["CidrBucket", "ResultsBucket"]
    policies = {
        v["Properties"]["Bucket"].value: v["Properties"]["PolicyDocument"]
        for v in resources.values()
        if v["Type"] == "AWS::S3::BucketPolicy"
    }
    for name in buckets:
        props = resources[name]["Properties"]
        rule = props["BucketEncryption"]["ServerSideEncryptionConfiguration"][0]
        assert rule["ServerSideEncryptionByDefault"]["SSEAlgorithm"] in ("aws:kms", "AES256")
        assert all(props["PublicAccessBlockConfiguration"].values())
        assert len(props["PublicAccessBlockConfiguration"]) == 4
        assert props["OwnershipControls"]["Rules"] == [{"ObjectOwnership": "BucketOwnerEnforced"}]
        (deny,) = policies[name]["Statement"]
        assert deny["Effect"] == "Deny" and deny["Principal"] == "*"
        assert deny["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
        assert deny["Resource"] == [
            Tagged("!GetAtt", f"{name}.Arn"),
            Tagged("!Sub", f"${{{name}.Arn}}/*"),
        ]
    expiry = resources["ResultsBucket"]["Properties"]["LifecycleConfiguration"]["Rules"][0]
    assert expiry["ExpirationInDays"] == 30


def test_stack_deletion_empties_the_buckets_after_their_writers(console: dict[str, Any]) -> None:
    resources = console["Resources"]
    empty = resources["EmptyBucketsOnDelete"]["Properties"]
    assert empty["BucketNames"] == [Tagged("!Ref", "CidrBucket"), Tagged("!Ref", "ResultsBucket")]
    # Resources that write into the buckets depend on the emptier, so they go first on delete.
    assert resources["CidrIpGeneratorFunction"]["DependsOn"] == "EmptyBucketsOnDelete"
    assert resources["AthenaWorkGroup"]["DependsOn"] == "EmptyBucketsOnDelete"
    assert resources["AthenaWorkGroup"]["Properties"]["RecursiveDeleteOption"] is True


def test_outputs_cover_the_cli_and_the_readme(console: dict[str, Any]) -> None:
    from vpc_cidr_analysis.pack.athena import STACK_OUTPUTS

    outputs = console["Outputs"]
    assert set(STACK_OUTPUTS) <= set(outputs)
    assert {
        "DatabaseName",
        "FlowLogsTableName",
        "CidrTableName",
        "CidrBucketName",
        "ResultsBucketName",
        "WorkGroupName",
        "CidrFunctionName",
        "Region",
    } <= set(outputs)
    for output in outputs.values():
        assert output.get("Description")


def test_cidrtable_through_the_glue_api(console: dict[str, Any]) -> None:
    resources = console["Resources"]
    refs = refs_for()
    database = resolve(
        resources["GlueDatabase"]["Properties"], refs | {"FlowLogsLocation": "s3://x/"}
    )
    table = resolve(resources["CidrTable"]["Properties"], refs)
    with mock_aws():
        glue = boto3.client("glue", region_name=REGION)
        glue.create_database(DatabaseInput=database["DatabaseInput"])
        glue.create_table(DatabaseName=table["DatabaseName"], TableInput=table["TableInput"])
        got = glue.get_table(DatabaseName=schema.DATABASE, Name=schema.CIDR_TABLE)["Table"]
    storage = got["StorageDescriptor"]
    assert [(c["Name"], c["Type"]) for c in storage["Columns"]] == list(schema.CIDR_COLUMNS)
    assert storage["Location"] == "s3://vca-cidrbucket-1/cidrs/"
    assert storage["SerdeInfo"]["Parameters"]["field.delim"] == ","
    assert "skip.header.line.count" not in got.get("Parameters", {})


# --------------------------------------------------------------------------- inline code


@pytest.fixture
def isolated_imports() -> Iterator[Callable[[str], ModuleType]]:
    """Load inline `index.py` texts as modules, restoring sys.modules and the import hooks."""
    saved_modules = dict(sys.modules)
    saved_hooks = list(sys.meta_path)
    counter = iter(range(1000))

    def load(source: str) -> ModuleType:
        for name in [n for n in sys.modules if n.split(".")[0] in ("app", "vpc_cidr_analysis")]:
            del sys.modules[name]
        name = f"inline_index_{next(counter)}"
        module = ModuleType(name)
        exec(compile(source, f"<{name}>", "exec"), module.__dict__)
        return module

    try:
        yield load
    finally:
        sys.meta_path[:] = saved_hooks
        sys.modules.clear()
        sys.modules.update(saved_modules)


def _zipfile(console: dict[str, Any], logical_id: str) -> str:
    return str(console["Resources"][logical_id]["Properties"]["Code"]["ZipFile"])


def test_inline_code_embeds_the_repository_files_unchanged(
    console: dict[str, Any], isolated_imports: Callable[[str], ModuleType]
) -> None:
    package = {
        "vpc_cidr_analysis": "src/vpc_cidr_analysis/__init__.py",
        "vpc_cidr_analysis.errors": "src/vpc_cidr_analysis/errors.py",
        "vpc_cidr_analysis.stack": "src/vpc_cidr_analysis/stack/__init__.py",
        "vpc_cidr_analysis.stack.custom_resource": "src/vpc_cidr_analysis/stack/custom_resource.py",
    }
    expected = {
        "CidrIpGeneratorFunction": package
        | {
            "app": "functions/cidr_ip_generator/app.py",
            "vpc_cidr_analysis.cidr": "src/vpc_cidr_analysis/cidr.py",
            "vpc_cidr_analysis.cidrtable": "src/vpc_cidr_analysis/cidrtable/__init__.py",
            "vpc_cidr_analysis.cidrtable.expand": "src/vpc_cidr_analysis/cidrtable/expand.py",
            "vpc_cidr_analysis.settings": "src/vpc_cidr_analysis/settings.py",
            "vpc_cidr_analysis.stack.cidr_objects": "src/vpc_cidr_analysis/stack/cidr_objects.py",
        },
        "StackHelperFunction": package
        | {
            "app": "functions/stack_helper/app.py",
            "vpc_cidr_analysis.layout": "src/vpc_cidr_analysis/layout.py",
            "vpc_cidr_analysis.s3url": "src/vpc_cidr_analysis/s3url.py",
            "vpc_cidr_analysis.schema": "src/vpc_cidr_analysis/schema.py",
            "vpc_cidr_analysis.stack.buckets": "src/vpc_cidr_analysis/stack/buckets.py",
            "vpc_cidr_analysis.stack.table": "src/vpc_cidr_analysis/stack/table.py",
        },
    }
    for logical_id, modules in expected.items():
        namespace: dict[str, Any] = {}
        source = _zipfile(console, logical_id)
        sources_literal = source[source.index("_SOURCES = {") : source.index("_PACKAGES =")]
        exec(sources_literal, namespace)
        embedded = namespace["_SOURCES"]
        assert {name: path for name, (path, _) in embedded.items()} == modules
        for path, text in embedded.values():
            assert text == (ROOT / path).read_text(encoding="utf-8"), path


class FakeContext:
    log_stream_name = "2026/11/27/[$LATEST]abc"

    def get_remaining_time_in_millis(self) -> int:
        return 300_000


def _cfn_event(
    request: str, kind: str, logical_id: str, url: str, props: dict[str, Any]
) -> dict[str, Any]:
    return {
        "RequestType": request,
        "ResourceType": kind,
        "LogicalResourceId": logical_id,
        "RequestId": f"req-{request}",
        "StackId": f"arn:aws:cloudformation:{REGION}:{ACCOUNT}:stack/vca/1",
        "ResponseURL": url,
        "ResourceProperties": {"ServiceToken": "arn:aws:lambda:fn", **props},
    }


def test_inline_cidr_function_writes_what_cidrtable_reads(
    console: dict[str, Any],
    isolated_imports: Callable[[str], ModuleType],
    monkeypatch: pytest.MonkeyPatch,
    response_url: tuple[str, list[dict[str, Any]]],
) -> None:
    url, bodies = response_url
    table = resolve(console["Resources"]["CidrTable"]["Properties"], refs_for())["TableInput"]
    location = table["StorageDescriptor"]["Location"]
    delimiter = table["StorageDescriptor"]["SerdeInfo"]["Parameters"]["field.delim"]
    bucket, _, prefix = location.removeprefix("s3://").partition("/")
    env = console["Resources"]["CidrIpGeneratorFunction"]["Properties"]["Environment"]["Variables"]
    monkeypatch.setenv("CIDR_BUCKET", bucket)
    monkeypatch.setenv("CIDR_PREFIX", env["CIDR_PREFIX"])
    monkeypatch.setenv("MAX_ADDRESSES", env["MAX_ADDRESSES"])
    with mock_aws():
        s3 = boto3.client("s3", region_name=REGION)
        s3.create_bucket(Bucket=bucket)
        index = isolated_imports(_zipfile(console, "CidrIpGeneratorFunction"))
        answer = index.lambda_handler({"cidr": "10.0.0.0/28"}, FakeContext())
        keys = [o["Key"] for o in s3.list_objects_v2(Bucket=bucket)["Contents"]]
        assert keys == [f"{prefix}10.0.0.0_28.csv.gz"]
        body = gzip.decompress(s3.get_object(Bucket=bucket, Key=keys[0])["Body"].read())
        rows = list(csv.reader(io.StringIO(body.decode()), delimiter=delimiter))
        assert len(rows[0]) == len(table["StorageDescriptor"]["Columns"])
        assert rows == [["10.0.0.0/28", f"10.0.0.{n}"] for n in range(16)]
        assert answer["cidrs"][0]["cidr"] == "10.0.0.0/28"

        # The InitialCidrs custom resource runs the same function at deploy time.
        initial = console["Resources"]["InitialCidrs"]
        assert initial["Properties"]["ServiceToken"] == Tagged(
            "!GetAtt", "CidrIpGeneratorFunction.Arn"
        )
        props = {"Cidrs": ["10.1.0.0/30", "10.2.0.0/31"]}
        event = _cfn_event("Create", initial["Type"], "InitialCidrs", url, props)
        index.lambda_handler(event, FakeContext())
        assert bodies[-1]["Status"] == "SUCCESS", bodies[-1]
        keys = sorted(o["Key"] for o in s3.list_objects_v2(Bucket=bucket)["Contents"])
        assert keys == [
            f"{prefix}{n}.csv.gz" for n in ("10.0.0.0_28", "10.1.0.0_30", "10.2.0.0_31")
        ]


def test_inline_stack_helper_creates_the_table_and_empties_buckets(
    console: dict[str, Any],
    isolated_imports: Callable[[str], ModuleType],
    response_url: tuple[str, list[dict[str, Any]]],
) -> None:
    url, bodies = response_url
    table_props = resolve(
        {
            k: v
            for k, v in console["Resources"]["FlowLogTable"]["Properties"].items()
            if k
            not in (
                "ServiceToken",
                "AccountIds",
                "Regions",
                "LakeFormationGrants",
                "OtherKindLocation",
                "OtherKindLogFormat",
            )
        },
        refs_for()
        | {
            "FlowLogsLocation": "s3://my-flow-logs/prefix/",
            "S3Layout": "hive",
            "HourlyPartitions": "true",
            "FileFormat": "parquet",
            "LogFormat": console["Parameters"]["LogFormat"]["Default"],
            "ProjectionStartDate": "2025/06/01",
        },
    )
    table_props |= {"AccountIds": ACCOUNT, "Regions": REGION}
    # the Transit Gateway table on, under the same location (as TransitGatewayFlowLogsLocation
    # empty gives): each table is a view that keeps its own kind of records
    tgw_format = console["Parameters"]["TransitGatewayLogFormat"]["Default"]
    tgw_props = table_props | {
        "Kind": "tgw",
        "LogFormat": tgw_format,
        "OtherKindLocation": table_props["FlowLogsLocation"],
        "OtherKindLogFormat": table_props["LogFormat"],
    }
    table_props |= {
        "OtherKindLocation": "s3://my-flow-logs/prefix/",
        "OtherKindLogFormat": tgw_format,
    }
    with mock_aws():
        glue = boto3.client("glue", region_name=REGION)
        s3 = boto3.client("s3", region_name=REGION)
        glue.create_database(DatabaseInput={"Name": schema.DATABASE})
        s3.create_bucket(Bucket="vca-cidrbucket-1")
        s3.put_object(Bucket="vca-cidrbucket-1", Key="cidrs/10.0.0.0_16.csv.gz", Body=b"x")
        index = isolated_imports(_zipfile(console, "StackHelperFunction"))
        create = _cfn_event("Create", "Custom::FlowLogTable", "FlowLogTable", url, table_props)
        index.lambda_handler(create, FakeContext())
        assert bodies[-1]["Status"] == "SUCCESS", bodies[-1]
        # the attributes the IAM policies' s3:ListBucket conditions are built from
        assert bodies[-1]["Data"]["LogsBucket"] == "my-flow-logs"
        assert bodies[-1]["Data"]["LogsPrefix"] == "prefix/AWSLogs/"
        view = glue.get_table(DatabaseName=schema.DATABASE, Name=schema.FLOW_TABLE)["Table"]
        source = glue.get_table(DatabaseName=schema.DATABASE, Name="vpcflowlogstable_hive")["Table"]
        assert view["TableType"] == "VIRTUAL_VIEW"
        assert source["Parameters"]["storage.location.template"] == (
            "s3://my-flow-logs/prefix/AWSLogs/aws-account-id=${aws_account_id}/"
            "aws-service=vpcflowlogs/aws-region=${aws_region}/year=${year}/month=${month}/day=${day}/"
            "hour=${hour}/"
        )
        assert source["Parameters"]["projection.aws_account_id.values"] == ACCOUNT
        create = _cfn_event(
            "Create", "Custom::FlowLogTable", "TransitGatewayFlowLogTable", url, tgw_props
        )
        index.lambda_handler(create, FakeContext())
        assert bodies[-1]["Status"] == "SUCCESS", bodies[-1]
        assert bodies[-1]["PhysicalResourceId"] == f"{schema.DATABASE}.{schema.TGW_TABLE}"
        assert bodies[-1]["Data"]["TableName"] == schema.TGW_TABLE
        tgw_view = glue.get_table(DatabaseName=schema.DATABASE, Name=schema.TGW_TABLE)["Table"]
        tgw_source = glue.get_table(DatabaseName=schema.DATABASE, Name="tgwflowlogstable_hive")
        assert tgw_view["TableType"] == "VIRTUAL_VIEW"
        assert (
            tgw_source["Table"]["Parameters"]["storage.location.template"]
            == (source["Parameters"]["storage.location.template"])
        )
        assert tgw_view["Description"].endswith('"version" = 6).')
        assert view["Description"].endswith('"version" <> 6).')

        empty = console["Resources"]["EmptyBucketsOnDelete"]
        names = resolve(empty["Properties"]["BucketNames"], refs_for())
        delete = _cfn_event(
            "Delete", empty["Type"], "EmptyBucketsOnDelete", url, {"BucketNames": names}
        )
        delete["PhysicalResourceId"] = "EmptyBucketsOnDelete-on-delete"
        index.lambda_handler(delete, FakeContext())
        assert bodies[-1]["Status"] == "SUCCESS", bodies[-1]
        assert s3.list_objects_v2(Bucket="vca-cidrbucket-1")["KeyCount"] == 0


# --------------------------------------------------------------------------- moto CloudFormation


def _without_custom_resources(template: dict[str, Any]) -> dict[str, Any]:
    """moto cannot run Lambda code for custom resources (no container engine): drop them."""
    resources = dict(template["Resources"])
    custom = {k for k, v in resources.items() if v["Type"].startswith("Custom::")}
    kept = {}
    for logical_id, resource in resources.items():
        if logical_id in custom:
            continue
        resource = dict(resource)
        if resource.get("DependsOn") in custom:
            del resource["DependsOn"]
        kept[logical_id] = resource
    outputs = {
        k: v
        for k, v in template["Outputs"].items()
        if not (isinstance(v["Value"], Tagged) and v["Value"].value.split(".")[0] in custom)
    }
    stand_in = for_moto(kept, "s3://logs-1/")  # moto answers no GetAtt of them
    return {**template, "Resources": stand_in, "Outputs": outputs}


@pytest.mark.filterwarnings("ignore:Tried to parse AWS::")
def test_console_template_creates_and_deletes_with_moto(
    console: dict[str, Any],
    isolated_imports: Callable[[str], ModuleType],
    response_url: tuple[str, list[dict[str, Any]]],
) -> None:
    url, bodies = response_url
    body = gen.dump_cfn(_without_custom_resources(console))
    with mock_aws():
        cloudformation = boto3.client("cloudformation", region_name=REGION)
        cloudformation.create_stack(
            StackName="vca",
            TemplateBody=body,
            Parameters=[{"ParameterKey": "FlowLogsLocation", "ParameterValue": "s3://logs-1/"}],
            Capabilities=["CAPABILITY_IAM"],
        )
        stack = cloudformation.describe_stacks(StackName="vca")["Stacks"][0]
        assert stack["StackStatus"] == "CREATE_COMPLETE"
        outputs = {o["OutputKey"]: o["OutputValue"] for o in stack["Outputs"]}
        assert outputs["Region"] == REGION  # (moto leaves out Outputs of Glue/Athena resources)
        s3 = boto3.client("s3", region_name=REGION)
        buckets = {b["Name"] for b in s3.list_buckets()["Buckets"]}
        assert buckets == {outputs["CidrBucketName"], outputs["ResultsBucketName"]}
        functions = boto3.client("lambda", region_name=REGION).list_functions()["Functions"]
        assert {f["Handler"] for f in functions} == {"index.lambda_handler"}
        assert len(functions) == 2  # the CIDR function and the stack helper
        assert all(f["Runtime"] == "python3.13" for f in functions)
        assert outputs["CidrFunctionName"] in {f["FunctionName"] for f in functions}
        roles = boto3.client("iam").list_roles()["Roles"]
        assert len([r for r in roles if r["RoleName"].startswith("vca-")]) == 2

        # Objects in the buckets: the emptier (as CloudFormation runs it on delete) clears them.
        for bucket in buckets:
            s3.put_object(Bucket=bucket, Key="cidrs/10.0.0.0_16.csv.gz", Body=b"x")
        index = isolated_imports(_zipfile(console, "StackHelperFunction"))
        delete = _cfn_event(
            "Delete",
            "Custom::EmptyBuckets",
            "EmptyBucketsOnDelete",
            url,
            {"BucketNames": sorted(buckets)},
        )
        delete["PhysicalResourceId"] = "EmptyBucketsOnDelete-on-delete"
        index.lambda_handler(delete, FakeContext())
        assert bodies[-1]["Status"] == "SUCCESS"
        cloudformation.delete_stack(StackName="vca")
        summaries = cloudformation.list_stacks()["StackSummaries"]
        assert [s["StackStatus"] for s in summaries] == ["DELETE_COMPLETE"]
        assert s3.list_buckets()["Buckets"] == []
        assert boto3.client("lambda", region_name=REGION).list_functions()["Functions"] == []


@pytest.mark.filterwarnings("ignore:Tried to parse AWS::")
def test_moto_keeps_buckets_that_hold_objects(console: dict[str, Any]) -> None:
    """The control for the test above: without emptying, the buckets outlive the stack."""
    body = gen.dump_cfn(_without_custom_resources(console))
    with mock_aws():
        cloudformation = boto3.client("cloudformation", region_name=REGION)
        cloudformation.create_stack(
            StackName="vca",
            TemplateBody=body,
            Parameters=[{"ParameterKey": "FlowLogsLocation", "ParameterValue": "s3://logs-1/"}],
            Capabilities=["CAPABILITY_IAM"],
        )
        s3 = boto3.client("s3", region_name=REGION)
        for bucket in s3.list_buckets()["Buckets"]:
            s3.put_object(Bucket=bucket["Name"], Key="results/a.csv", Body=b"x")
        cloudformation.delete_stack(StackName="vca")
        assert len(s3.list_buckets()["Buckets"]) == 2


def test_any_query_reading_the_tgw_table_is_saved_under_its_condition(tmp_path: Path) -> None:
    """Not a list of names: a new query file over tgwflowlogstable (here a copy named
    tgw_drops) gets the condition, a VPC one none; its CTEs are not tables it reads."""
    source = (ROOT / "queries" / "tgw_attachments.sql").read_text(encoding="utf-8")
    (tmp_path / "tgw_drops.sql").write_text(
        source.replace("-- name: tgw_attachments", "-- name: tgw_drops"), encoding="utf-8"
    )
    (tmp_path / "external.sql").write_text(
        (ROOT / "queries" / "external.sql").read_text(encoding="utf-8"), encoding="utf-8"
    )
    resources = gen.named_query_resources(tmp_path)
    assert resources["QueryTgwDrops"]["Condition"] == "TransitGatewayTable"
    assert list(resources["QueryTgwDrops"]) == ["Type", "Condition", "Properties"]
    assert "Condition" not in resources["QueryExternal"]
    query = load_queries(tmp_path)["tgw_drops"]
    assert gen.tables_read(query) == {"tgwflowlogstable"}
