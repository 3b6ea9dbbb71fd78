"""Warnings where an answer could mislead, notes on canonical forms, and what the CLI prints.

On the small sample (12 days of logs ending today): a window that reaches before the logs, a
window with no logs at all, an inventory none of whose ENIs are in the logs, each said once on
stderr in one `Warning:` line, and nothing when all is well; `--quiet` silences them.
"""

from __future__ import annotations

import dataclasses
import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import boto3
from click.testing import CliRunner
from moto import mock_aws

from vpc_cidr_analysis.cli import cli
from vpc_cidr_analysis.cli import options as cli_options
from vpc_cidr_analysis.usage.inventory import read_inventory


def invoke(*args: str) -> Any:
    result = CliRunner().invoke(cli, list(args))
    assert result.exit_code == 0, result.output
    return result


def warnings(result: Any) -> list[str]:
    return [line for line in result.stderr.splitlines() if line.startswith("Warning: ")]


def _usage(sample: Any, *more: str) -> list[str]:
    today = sample.config.end_date.isoformat()
    return ["--inventory", str(sample.path), "--logs", str(sample.path), "--today", today, *more]


def test_a_window_inside_the_logs_warns_of_nothing(small_sample: Any) -> None:
    assert warnings(invoke("usage", "rules", *_usage(small_sample))) == []
    today = small_sample.config.end_date.isoformat()
    run = invoke(
        "query", "run", "external", "--logs", str(small_sample.path), "--today", today,
        "-p", "vpc_cidrs=10.0.0.0/16",
    )  # fmt: skip
    assert warnings(run) == []


def test_a_window_before_the_logs_is_said_once(small_sample: Any) -> None:
    end = small_sample.config.end_date
    first = end - timedelta(days=small_sample.config.days - 1)
    start = first - timedelta(days=30 - small_sample.config.days)
    expected = [
        f"Warning: the window starts {start:%Y/%m/%d}, before the first day of flow logs "
        f"{first:%Y/%m/%d}: days before it count as no traffic"
    ]
    assert warnings(invoke("usage", "enis", *_usage(small_sample, "--days", "30"))) == expected
    run = invoke(
        "query", "run", "rejected", "--logs", str(small_sample.path),
        "--today", end.isoformat(), "-p", "days=30", "-p", "vpc_cidrs=10.0.0.0/16",
    )  # fmt: skip
    assert warnings(run) == expected


def test_a_window_without_logs_is_said_once(small_sample: Any) -> None:
    result = invoke("usage", "rules", *_usage(small_sample, "--end-day", "2020/01/10"))
    (warning,) = warnings(result)
    assert warning.startswith("Warning: no flow logs in the window 2020/01/01..2020/01/10")
    assert "every count reads 0" in warning
    assert "never used" in result.stdout  # the answer is still printed


def test_an_inventory_unlike_the_logs_is_said(small_sample: Any, tmp_path: Path) -> None:
    inventory = read_inventory(small_sample.path)
    others = [
        dataclasses.replace(eni, id=f"eni-{n:017x}")
        for n, eni in enumerate(inventory.network_interfaces)
    ]
    path = dataclasses.replace(inventory, network_interfaces=others).write(tmp_path / "inv.json")
    today = small_sample.config.end_date.isoformat()
    args = ["--inventory", str(path), "--logs", str(small_sample.path), "--today", today]
    result = invoke("usage", "exposure", *args)
    assert warnings(result) == [
        f"Warning: none of the inventory's {len(others)} network interfaces appear in the flow "
        f"logs of {(small_sample.config.end_date - timedelta(days=9)):%Y/%m/%d}.."
        f"{small_sample.config.end_date:%Y/%m/%d}; every rule reads 'never used' (is it the "
        "same account and region as the logs?)"
    ]


def test_quiet_silences_warnings_and_notes(small_sample: Any) -> None:
    args = _usage(small_sample, "--end-day", "2020/01/10")
    assert invoke("--quiet", "usage", "rules", *args).stderr == ""
    quiet = invoke(
        "-q", "query", "run", "external", "--logs", str(small_sample.path),
        "-p", "vpc_cidrs=2600:1F18:AAAA:AB00::/56",
    )  # fmt: skip
    assert quiet.stderr == ""


def test_upper_case_ipv6_is_read_canonically_and_said(small_sample: Any) -> None:
    run = invoke(
        "query", "run", "external", "--logs", str(small_sample.path),
        "-p", "vpc_cidrs=2600:1F18:AAAA:AB00::/56", "--format", "json",
    )  # fmt: skip
    assert (
        "-p vpc_cidrs=2600:1F18:AAAA:AB00::/56 read as 2600:1f18:aaaa:ab00::/56 (canonical form)"
        in run.stderr
    )
    assert isinstance(json.loads(run.stdout), list)
    sql = invoke(
        "sql", "--logs", str(small_sample.path), "--cidr", "2600:1F18:AAAA:AB00::/120",
        "SELECT DISTINCT cidr FROM cidrtable",
    )  # fmt: skip
    assert "--cidr '2600:1F18:AAAA:AB00::/120' read as '2600:1f18:aaaa:ab00::/120'" in sql.stderr
    assert "2600:1f18:aaaa:ab00::/120" in sql.stdout


def test_usage_report_prints_its_summary(small_sample: Any, tmp_path: Path) -> None:
    html = tmp_path / "report.html"
    result = invoke("usage", "report", *_usage(small_sample, "--html", str(html)))
    lines = result.stdout.splitlines()
    assert lines[0] == f"wrote {html}"
    assert len(lines) == 2
    assert lines[1].endswith(f"flow logs from local engine over {small_sample.path}.")
    assert " security-group rules: " in lines[1] and " never used, " in lines[1]


def test_query_list_aligns_every_row() -> None:
    lines = invoke("query", "list").stdout.splitlines()
    titles = {line.split("  ")[0]: line for line in lines[0::2]}
    starts = {len(line) - len(line.split("  ", 1)[1].lstrip()) for line in titles.values()}
    assert len(starts) == 1 and "sg_connections" in titles
    assert {len(line) - len(line.lstrip()) for line in lines[1::2]} == starts


def test_columns_and_jsonl_pick_and_stream(small_sample: Any) -> None:
    result = invoke(
        "usage", "rules", *_usage(small_sample, "--format", "jsonl", "--columns", "status,rule_id")
    )
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert records and all(list(r) == ["status", "rule_id"] for r in records)


def test_a_table_fits_the_terminal_and_is_full_when_piped(
    small_sample: Any, monkeypatch: Any
) -> None:
    full = invoke("usage", "rules", *_usage(small_sample)).stdout
    assert max(len(line) for line in full.splitlines()) > 120  # piped: every character
    monkeypatch.setattr(cli_options, "terminal_width", lambda: 120)
    fitted = invoke("usage", "rules", *_usage(small_sample)).stdout
    assert max(len(line) for line in fitted.splitlines()) <= 120
    assert "…" in fitted or "columns left out to fit: " in fitted.splitlines()[-1]
    chosen = invoke("usage", "rules", *_usage(small_sample, "--columns", "rule_id,status")).stdout
    assert chosen.splitlines()[0].split() == ["rule_id", "status"]


def test_s3_logs_are_read_with_the_region_given(small_sample: Any) -> None:
    with mock_aws():
        s3 = boto3.client("s3", region_name="eu-west-1")
        location = {"LocationConstraint": "eu-west-1"}
        s3.create_bucket(Bucket="flow-logs", CreateBucketConfiguration=location)
        for path in small_sample.path.rglob("*.log.gz"):
            key = path.relative_to(small_sample.path).as_posix()
            s3.upload_file(str(path), "flow-logs", key)
        result = invoke(
            "sql", "--logs", "s3://flow-logs/", "--region", "eu-west-1", "--format", "json",
            "SELECT count(*) AS n FROM vpcflowlogstable",
        )  # fmt: skip
    assert json.loads(result.stdout) == [{"n": small_sample.result.records}]
