"""The usage report (HTML, JSON, CSV) and the `usage` commands, on the small simulated sample."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from engine_counts import count_engines_and_downloads

from vpc_cidr_analysis.cli import cli
from vpc_cidr_analysis.simulate.topology import default_topology, rule_id
from vpc_cidr_analysis.usage.inventory import Inventory, SecurityGroup, SecurityGroupRule
from vpc_cidr_analysis.usage.match import UsageReport, analyse
from vpc_cidr_analysis.usage.report import render_html, report_json, write_csv


def _args(sample: Any, *more: str) -> list[str]:
    today = sample.config.end_date.isoformat()
    return ["--inventory", str(sample.path), "--logs", str(sample.path), "--today", today, *more]


def _run(*args: str) -> Any:
    result = CliRunner().invoke(cli, list(args))
    assert result.exit_code == 0, result.output
    return result


@pytest.fixture(scope="module")
def report_files(small_sample: Any, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("report")
    _run(
        "usage",
        "report",
        *_args(small_sample),
        "--html",
        str(out / "report.html"),
        "--json",
        str(out / "report.json"),
        "--csv-dir",
        str(out / "csv"),
    )
    return out


def test_html_is_self_contained(report_files: Path) -> None:
    page = (report_files / "report.html").read_text()
    assert page.startswith("<!DOCTYPE html>") and page.rstrip().endswith("</html>")
    for outside in ("http://", "https://", "<script", "<link", "@import", "url(", "<img"):
        assert outside not in page
    assert "<style>" in page


def test_html_shows_the_window_heatmap_and_findings(report_files: Path, small_sample: Any) -> None:
    page = (report_files / "report.html").read_text()
    data = json.loads((report_files / "report.json").read_text())
    days = data["window"]["days"]
    assert len(days) == 10 and days[-1] == small_sample.config.end_date.strftime("%Y/%m/%d")
    assert f"Window <b>{days[0]}</b> to <b>{days[-1]}</b>" in page
    heat = page.split('<table class="heat">')[1].split("</table>")[0]
    assert heat.count("<tr") == 1 + len(data["rules"])  # header + one row per rule
    for rule in data["rules"]:  # each row names its rule
        assert f'<tr data-rule="{rule["rule_id"]}"><td class="rule"' in heat
    for day in days:
        assert f'<th class="d">{day[5:]}</th>' in heat
    t = default_topology()
    old_mysql = rule_id(t.security_group("a-db").id, "ingress", 4)
    never = page.split('id="never-used"')[1].split("<h2")[0]
    assert old_mysql in never and "old MySQL rule" in never
    unused = page.split('id="unused-enis"')[1].split("<h2")[0]
    assert t.eni("a-spare-1").id in unused
    assert "local engine over" in page


def test_json_and_csv_carry_the_same_tables(report_files: Path) -> None:
    data = json.loads((report_files / "report.json").read_text())
    assert set(data) >= {"window", "rules", "heatmap", "enis", "unused_enis", "exposure"}
    with (report_files / "csv" / "rules.csv").open() as fh:
        rows = list(csv.DictReader(fh))
    assert [r["rule_id"] for r in rows] == [r["rule_id"] for r in data["rules"]]
    assert [int(r["connections"]) for r in rows] == [r["connections"] for r in data["rules"]]
    with (report_files / "csv" / "heatmap.csv").open() as fh:
        heat = list(csv.reader(fh))
    assert heat[0][3:-1] == data["window"]["days"]
    for line in heat[1:]:
        assert sum(int(v) for v in line[3:-1]) == int(line[-1])
    used = [r for r in data["rules"] if r["status"] == "used"]
    assert used and all(r["connections"] > 0 and r["last_used"] for r in used)


def test_rules_command_filters_by_status(small_sample: Any) -> None:
    out = _run("usage", "rules", *_args(small_sample), "--status", "never used", "--format", "json")
    rows = json.loads(out.output)
    assert rows and {r["status"] for r in rows} == {"never used"}
    assert all(r["connections"] == 0 for r in rows)
    t = default_topology()
    assert rule_id(t.security_group("a-admin").id, "ingress", 1) in {r["rule_id"] for r in rows}


def test_enis_command_lists_unused_and_all(small_sample: Any) -> None:
    unused = _run("usage", "enis", *_args(small_sample), "--unused", "--format", "csv")
    lines = unused.output.strip().splitlines()
    assert lines[0].startswith("eni_id,vpc_id") and len(lines) == 2
    assert lines[1].startswith(default_topology().eni("a-spare-1").id)
    table = _run("usage", "enis", *_args(small_sample))
    assert re.search(rf"\({len(default_topology().enis)} rows\)", table.output)  # every ENI
    web = default_topology().eni("a-web-1").id
    assert re.search(rf"{web}.*tcp/443 \(\d+\)", table.output)


def test_exposure_command(small_sample: Any) -> None:
    out = _run("usage", "exposure", *_args(small_sample), "--format", "json")
    rows = json.loads(out.output)
    t = default_topology()
    assert {r["eni_id"] for r in rows} == {
        t.eni(n).id for n in ("a-alb-1", "a-alb-2", "a-web-1", "a-bastion-1")
    }
    assert all(r["public_ips"] for r in rows)


def test_usage_errors_are_clear(small_sample: Any, tmp_path: Path) -> None:
    runner = CliRunner()
    no_output = runner.invoke(cli, ["usage", "report", *_args(small_sample)])
    assert no_output.exit_code == 2 and "--html FILE" in no_output.output
    no_logs = runner.invoke(cli, ["usage", "rules", "--inventory", str(small_sample.path)])
    assert no_logs.exit_code == 2 and "--logs is required" in no_logs.output
    (tmp_path / "inv.json").write_text('{"format": "other"}')
    bad = runner.invoke(cli, ["usage", "rules", "--inventory", str(tmp_path / "inv.json"),
                              "--logs", str(small_sample.path)])  # fmt: skip
    assert bad.exit_code == 2 and "not an inventory" in bad.output
    bad_day = runner.invoke(cli, ["usage", "rules", *_args(small_sample), "--end-day", "27/11"])
    assert (
        bad_day.exit_code == 2
        and "Invalid value for '--end-day': '27/11' is not a day" in bad_day.output
    )


def test_html_escapes_inventory_text() -> None:
    inventory = Inventory(
        account="1",
        regions=("us-east-1",),
        collected_at="x",
        security_groups=(SecurityGroup("sg-1", "<b>evil</b>", "vpc-1", "us-east-1"),),
        rules=(
            SecurityGroupRule(
                "sgr-1", "sg-1", "us-east-1", "ingress", 6, 22, 22, cidr_ipv4="0.0.0.0/0",
                description="<script>alert(1)</script>",
            ),
        ),
    )  # fmt: skip
    report: UsageReport = analyse(inventory, [], [], ["2026/11/27"])
    page = render_html(report)
    assert "<script>" not in page and "&lt;script&gt;" in page and "&lt;b&gt;evil" in page
    assert report_json(report)["rules"][0]["status"] == "group unattached"


def test_csv_writes_every_table(tmp_path: Path) -> None:
    report = analyse(Inventory("1", ("us-east-1",), "x"), [], [], ["2026/11/27"])
    names = sorted(p.name for p in write_csv(report, tmp_path / "out"))
    assert names == [
        "enis.csv",
        "exposure.csv",
        "heatmap.csv",
        "rules.csv",
        "unexplained.csv",
        "unused_enis.csv",
    ]
    assert (
        tmp_path / "out" / "heatmap.csv"
    ).read_text() == "rule_id,group_id,direction,2026/11/27,total\n"


def test_usage_queries_share_one_engine_and_fetch_each_object_once(
    small_sample: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Over S3 `usage rules` runs its two queries on one engine (each object is downloaded
    once), and its rows are those of the two queries run on engines of their own."""
    import boto3
    from moto import mock_aws

    from vpc_cidr_analysis import output
    from vpc_cidr_analysis.pack.queries import get_query, window_days
    from vpc_cidr_analysis.pack.runner import run_local
    from vpc_cidr_analysis.usage.inventory import read_inventory
    from vpc_cidr_analysis.usage.match import connection_rows, day_range, eni_usage_records

    today = small_sample.config.end_date
    values = {"days": "10", "start_day": "", "end_day": ""}
    conn_query, eni_query = get_query("sg_connections"), get_query("eni_usage")
    conn = run_local(conn_query, values, str(small_sample.path), today=today)
    eni = run_local(eni_query, values, str(small_sample.path), today=today)
    days = day_range(window_days(conn_query, conn_query.bind(values), today))
    separate = analyse(
        read_inventory(small_sample.path),
        connection_rows(conn.columns, conn.rows),
        eni_usage_records(eni.columns, eni.rows),
        days,
    )
    expected = output.render(UsageReport.RULE_COLUMNS, separate.rule_rows(), "json")
    assert len(json.loads(expected)) > 10 and any(r[8] for r in separate.rule_rows())

    counts = count_engines_and_downloads(monkeypatch)
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    with mock_aws():
        s3 = boto3.client("s3", region_name="us-east-1")
        s3.create_bucket(Bucket="flow-logs")
        for path in sorted(small_sample.path.rglob("*.log.gz")):
            s3.upload_file(str(path), "flow-logs", path.relative_to(small_sample.path).as_posix())
        args = ["--inventory", str(small_sample.path), "--logs", "s3://flow-logs/"]
        over_s3 = _run("usage", "rules", *args, "--today", today.isoformat(), "--format", "json")
    assert len(counts.engines) == 1
    fetched = counts.fetched
    assert sorted(fetched) == sorted(set(fetched)) and len(fetched) >= 10  # the window's days
    assert over_s3.stdout == expected
    assert _run("usage", "rules", *_args(small_sample), "--format", "json").stdout == expected
