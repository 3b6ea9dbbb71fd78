"""The `query` and `estimate` commands, driven like a user would."""

from __future__ import annotations

import json
from typing import Any

import boto3
import pytest
from click.testing import CliRunner
from moto import mock_aws

from vpc_cidr_analysis.cli import cli
from vpc_cidr_analysis.pack.queries import load_queries


def invoke(*args: str) -> Any:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def test_list_names_every_query_and_its_defaults() -> None:
    result = invoke("query", "list")
    assert result.exit_code == 0
    for name in load_queries():
        assert name in result.output
    assert "vpc_cidrs=(required), peer_cidrs=(required)" in result.output  # no silent network


def test_show_prints_a_pasteable_query() -> None:
    result = invoke("query", "show", "peering")
    assert result.exit_code == 0
    assert result.output.startswith("-- name: peering")
    assert "any_match(split(? /* vpc_cidrs */, ',')" in result.output
    lookup = invoke("query", "show", "peering", "--form", "cidrtable", "--raw")
    assert "vpcflowlogscidrdb.cidrtable" in lookup.output
    assert "SELECT r.*\nFROM records r\nWHERE EXISTS" in lookup.output


def test_run_local_json(small_sample: Any) -> None:
    args = (
        "query", "run", "cross_vpc", "--logs", str(small_sample.path),
        "--today", small_sample.config.end_date.isoformat(),
        "-p", "vpc_cidrs=10.0.0.0/16,100.64.0.0/20,2600:1f18:aaaa:ab00::/56",
        "-p", "peer_cidrs=10.2.0.0/16", "--format", "json",
    )  # fmt: skip
    result = invoke(*args)
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    assert rows and [*rows[0]] == [c.name for c in load_queries()["cross_vpc"].columns]
    raw = invoke(*args, "--raw")
    assert raw.exit_code == 0, raw.output
    records = json.loads(raw.output)
    assert sum(r["records"] for r in rows) == len(records)  # every record, merged
    # each connection counted once: no more than the records' sum over every interface
    assert sum(r["client_bytes"] + r["server_bytes"] for r in rows) <= sum(
        r["bytes"] for r in records
    )


def test_cidr_blocks_are_required_with_an_example() -> None:
    result = CliRunner().invoke(cli, ["query", "run", "external", "--logs", "."])
    assert result.exit_code == 2
    assert "Error: query external needs vpc_cidrs: The VPC's CIDR blocks" in result.output
    assert "Example: -p vpc_cidrs=10.0.0.0/16,100.64.0.0/20" in result.output


def test_bad_parameter_is_a_usage_error_naming_it() -> None:
    result = CliRunner().invoke(
        cli, ["query", "run", "external", "--logs", ".", "-p", "days=0", "-p", "vpc_cidrs=::/0"]
    )
    assert result.exit_code == 2
    assert "parameter days: 0 is out of range; expected 1..3660" in result.output
    injected = CliRunner().invoke(
        cli, ["query", "run", "external", "--logs", ".", "-p", "vpc_cidrs=' OR 1=1 --"]
    )
    assert injected.exit_code == 2
    assert "vpc_cidrs" in injected.output


def test_local_engine_needs_logs() -> None:
    result = CliRunner().invoke(cli, ["query", "run", "external", "-p", "vpc_cidrs=::/0"])
    assert result.exit_code == 2
    assert "--logs is required with --engine local" in result.output


def test_run_on_athena_binds_parameters() -> None:
    with mock_aws():
        result = invoke(
            "query", "run", "inbound", "--engine", "athena", "--region", "us-east-1",
            "--workgroup", "primary", "--output-location", "s3://results-bucket/",
            "-p", "days=3", "-p", "vpc_cidrs=10.0.0.0/16", "-p", "peer_cidrs=10.1.0.0/16",
        )  # fmt: skip
        assert result.exit_code == 0, result.output
        athena = boto3.client("athena", region_name="us-east-1")
        executions = athena.list_query_executions()["QueryExecutionIds"]
        assert len(executions) == 1
        execution = athena.get_query_execution(QueryExecutionId=executions[0])["QueryExecution"]
    vpc, peer, inbound = "'10.0.0.0/16'", "'10.1.0.0/16'", "'inbound'"
    assert execution["ExecutionParameters"] == [
        "''", "''", "3", "''", inbound, vpc, peer, inbound, peer, vpc,
    ]  # fmt: skip
    assert execution["QueryExecutionContext"]["Database"] == "vpcflowlogscidrdb"
    assert "scanned 0 bytes (0 B), cost $0.000050" in result.stderr


def test_estimate_reports_bytes_and_dollars() -> None:
    with mock_aws():
        s3 = boto3.client("s3", region_name="us-east-1")
        s3.create_bucket(Bucket="flow-log-bucket")
        key = "AWSLogs/123456789012/vpcflowlogs/us-east-1/2026/11/27/x.log.gz"
        s3.put_object(Bucket="flow-log-bucket", Key=key, Body=b"x" * 1000)
        old = "AWSLogs/123456789012/vpcflowlogs/us-east-1/2026/10/01/x.log.gz"
        s3.put_object(Bucket="flow-log-bucket", Key=old, Body=b"x" * 5000)
        result = invoke(
            "estimate", "external", "--logs", "s3://flow-log-bucket/", "--today", "2026-11-27",
            "-p", "days=2", "--region", "us-east-1",
        )  # fmt: skip
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].split() == ["prefix", "objects", "bytes", "size"]
    assert lines[2].split() == [
        "s3://flow-log-bucket/AWSLogs/123456789012/vpcflowlogs/us-east-1/2026/11/26/",
        "0",
        "0",
        "0",
        "B",
    ]
    assert lines[-1] == (
        "1,000 bytes (1.0 kB) in 2 days (2026/11/26..2026/11/27): at most $0.000050 at $5/TB "
        "(10 MB minimum)"
    )


def test_estimate_as_json_is_an_array_of_prefixes() -> None:
    with mock_aws():
        s3 = boto3.client("s3", region_name="us-east-1")
        s3.create_bucket(Bucket="flow-log-bucket")
        key = "AWSLogs/123456789012/vpcflowlogs/us-east-1/2026/11/27/x.log.gz"
        s3.put_object(Bucket="flow-log-bucket", Key=key, Body=b"x" * 1500)
        result = invoke(
            "estimate", "external", "--logs", "s3://flow-log-bucket/", "--today", "2026/11/27",
            "-p", "days=1", "--region", "us-east-1", "--format", "json",
        )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == [
        {
            "prefix": "s3://flow-log-bucket/AWSLogs/123456789012/vpcflowlogs/us-east-1/2026/11/27/",
            "objects": 1,
            "bytes": 1500,
            "size": "1.5 kB",
        }
    ]
    assert "1,500 bytes (1.5 kB) in 1 days" in result.stderr


def test_known_failures_are_one_error_line(tmp_path: Any) -> None:
    missing = CliRunner().invoke(
        cli, ["query", "run", "external", "--logs", str(tmp_path / "x"), "-p", "vpc_cidrs=::/0"]
    )
    assert missing.exit_code == 1
    assert f"Error: --logs path does not exist: {tmp_path / 'x'}" in missing.output
    no_form = CliRunner().invoke(cli, ["query", "show", "eni_usage", "--form", "cidrtable"])
    assert no_form.exit_code == 1
    assert "eni_usage.sql: the query has no contains() membership test" in no_form.output
    assert no_form.output.startswith("Error: ") and no_form.output.count("\n") == 1
    window = CliRunner().invoke(
        cli, ["query", "run", "external", "--logs", ".", "-p", "start_day=2026/11/05",
              "-p", "end_day=2026/11/01", "-p", "vpc_cidrs=::/0"],
    )  # fmt: skip
    assert window.exit_code == 2
    assert "start_day 2026/11/05 is after end_day 2026/11/01" in window.output


def test_estimate_with_nothing_to_read_says_what_to_check() -> None:
    with mock_aws():
        boto3.client("s3", region_name="us-east-1").create_bucket(Bucket="empty-bucket")
        result = CliRunner().invoke(
            cli, ["estimate", "external", "--logs", "s3://empty-bucket/", "--layout", "hive",
                  "--region", "us-east-1"],
        )  # fmt: skip
    assert result.exit_code == 1
    assert "no flow logs under s3://empty-bucket/ in the hive layout" in result.output


@pytest.mark.parametrize("fmt", ["csv", "json", "jsonl"])
@pytest.mark.parametrize(
    ("name", "extra", "streamed"),
    [
        ("sg_connections", [], True),  # DuckDB writes the lines
        ("cross_vpc", [], False),  # decided_by: the notes read the rows, kept in Python
        ("cross_vpc", ["--raw"], True),
    ],
)
def test_run_local_writes_what_python_values_give(
    small_sample: Any, fmt: str, name: str, extra: list[str], streamed: bool
) -> None:
    """`query run --format csv|json|jsonl` lets DuckDB write the rows when no note reads
    them: the same bytes as the rows kept in Python and written by `output`."""
    import io

    from vpc_cidr_analysis import output
    from vpc_cidr_analysis.pack.runner import run_local

    today = small_sample.config.end_date
    params = [] if name == "sg_connections" else [
        "vpc_cidrs=10.0.0.0/16,100.64.0.0/20,2600:1f18:aaaa:ab00::/56", "peer_cidrs=10.2.0.0/16"
    ]  # fmt: skip
    query = load_queries()[name]
    values = dict(p.split("=", 1) for p in params)
    kept = run_local(query, values, str(small_sample.path), today=today, raw=bool(extra))
    assert len(kept.rows) >= (20 if streamed else 2) and not kept.written
    expected = io.StringIO()
    output.write(kept.columns, kept.rows, fmt, expected)
    written: list[str] = []
    out = run_local(query, values, str(small_sample.path), today=today, raw=bool(extra),
                    write=lambda rows: written.append(rows.columns[0]))  # fmt: skip
    assert out.written == streamed and (out.rows == kept.rows or streamed)
    assert written == ([kept.columns[0]] if streamed else [])
    args = ["query", "run", name, "--logs", str(small_sample.path), "--today",
            today.isoformat(), "--format", fmt, *extra]  # fmt: skip
    for param in params:
        args += ["-p", param]
    result = invoke(*args)
    assert result.exit_code == 0, result.output
    if name == "sg_connections":  # ordered by every column: the same bytes
        assert result.stdout == expected.getvalue()
    else:  # rows of equal sort keys come in any order: the same lines, the same shape
        got, want = result.stdout.splitlines(), expected.getvalue().splitlines()
        assert sorted(r.rstrip(",") for r in got) == sorted(r.rstrip(",") for r in want)
        assert got[0] == want[0] and got[-1].rstrip(",") and len(got) == len(want)
