"""`networks show|push`: the networks table checked locally and written to the stack (moto)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import boto3
import pytest
from click.testing import CliRunner, Result
from moto import mock_aws

from vpc_cidr_analysis.cli import cli

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
REGION = "us-east-1"


def invoke(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args))


@pytest.fixture
def networks_file(tmp_path: Path) -> Path:
    path = tmp_path / "networks.yaml"
    path.write_text("vpc-a: [10.0.0.0/16, '2600:1F18:AAAA:AB00::/56']\nvpc-b: [10.1.0.0/16]\n")
    return path


def test_show_prints_the_table_the_file_makes(networks_file: Path) -> None:
    result = invoke("networks", "show", "--networks", str(networks_file), "--format", "csv")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        "network,cidr",
        "vpc-a,10.0.0.0/16",
        "vpc-a,2600:1f18:aaaa:ab00::/56",
        "vpc-b,10.1.0.0/16",
    ]


def test_show_without_a_file_is_a_usage_error() -> None:
    result = invoke("networks", "show")
    assert result.exit_code == 2 and "--networks FILE is required" in result.output


def _stack(cloudformation: object, outputs: dict[str, str]) -> None:
    template = {
        "Resources": {"Topic": {"Type": "AWS::SNS::Topic"}},
        "Outputs": {k: {"Value": v} for k, v in outputs.items()},
    }
    cloudformation.create_stack(StackName="vca", TemplateBody=json.dumps(template))  # type: ignore[attr-defined]


def test_push_writes_the_csv_where_the_stack_says(networks_file: Path) -> None:
    with mock_aws():
        s3 = boto3.client("s3", region_name=REGION)
        s3.create_bucket(Bucket="vca-cidrbucket-1")
        _stack(
            boto3.client("cloudformation", region_name=REGION),
            {"NetworksLocation": "s3://vca-cidrbucket-1/networks/"},
        )
        result = invoke(
            "networks", "push", "--networks", str(networks_file), "--aws-ranges",
            str(FIXTURES / "ip-ranges.json"), "--stack", "vca", "--region", REGION,
        )  # fmt: skip
        assert result.exit_code == 0, result.output
        assert "wrote 12 rows to s3://vca-cidrbucket-1/networks/networks.csv" in result.stdout
        body = s3.get_object(Bucket="vca-cidrbucket-1", Key="networks/networks.csv")["Body"]
        lines = body.read().decode().splitlines()
    assert lines[:4] == [
        "network,cidr",
        "vpc-a,10.0.0.0/16",
        "vpc-a,2600:1f18:aaaa:ab00::/56",
        "vpc-b,10.1.0.0/16",
    ]
    assert "aws:S3:us-east-1,52.216.0.0/15" in lines
    assert "syncToken 1764547200" in result.stderr


def test_push_to_a_stack_without_the_table_says_what_to_do(networks_file: Path) -> None:
    with mock_aws():
        _stack(boto3.client("cloudformation", region_name=REGION), {"Other": "x"})
        result = invoke(
            "networks", "push", "--networks", str(networks_file), "--stack", "vca",
            "--region", REGION,
        )  # fmt: skip
    assert result.exit_code == 1
    assert "has no NetworksLocation output" in result.output


def test_names_in_p_give_the_rows_of_their_blocks(small_sample: Any, tmp_path: Path) -> None:
    """`-p vpc_cidrs=vpc-a -p peer_cidrs=vpc-b` answers exactly as the blocks written out."""
    vpcs = {v["key"]: v for v in small_sample.truth["topology"]["vpcs"]}
    path = tmp_path / "networks.yaml"
    path.write_text(
        "".join(f"{v['name']}: [{', '.join(repr(c) for c in v['cidrs'])}]\n" for v in vpcs.values())
    )
    end = f"{small_sample.config.end_date:%Y-%m-%d}"
    common = ["query", "run", "peering", "--logs", str(small_sample.path), "--today", end,
              "--format", "json"]  # fmt: skip
    by_name = invoke(
        *common, "--networks", str(path), "-p", f"vpc_cidrs={vpcs['A']['name']}",
        "-p", f"peer_cidrs={vpcs['B']['name']}",
    )  # fmt: skip
    by_block = invoke(
        *common, "-p", f"vpc_cidrs={','.join(vpcs['A']['cidrs'])}",
        "-p", f"peer_cidrs={','.join(vpcs['B']['cidrs'])}",
    )  # fmt: skip
    assert by_name.exit_code == 0 and by_block.exit_code == 0, by_name.output + by_block.output
    assert json.loads(by_name.stdout) == json.loads(by_block.stdout) != []
