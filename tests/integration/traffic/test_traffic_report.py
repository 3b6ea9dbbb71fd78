"""`vpc-cidr-analysis report` over simulated logs: the JSON holds the pack's answers, and the
HTML renders in headless Chromium with every section and no console message."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from engine_counts import count_engines_and_downloads

from vpc_cidr_analysis.aws_ranges import load_aws_ranges
from vpc_cidr_analysis.cli import cli
from vpc_cidr_analysis.networks import load_networks
from vpc_cidr_analysis.pack.queries import load_queries
from vpc_cidr_analysis.pack.runner import run_local
from vpc_cidr_analysis.simulate.simulator import SampleConfig, read_ground_truth, write_sample
from vpc_cidr_analysis.traffic.report import TOP_SERVERS, label_address, rows_of

END = date(2026, 11, 27)
FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Simulated logs, a networks file from the topology's names, and the report of them."""
    tmp = tmp_path_factory.mktemp("report")
    write_sample(SampleConfig(records=3000, days=12, end_date=END, seed=5), tmp / "logs")
    topology = read_ground_truth(tmp / "logs" / "ground_truth.json")["topology"]
    lines = [f"{v['name']}: [{', '.join(repr(c) for c in v['cidrs'])}]" for v in topology["vpcs"]]
    (tmp / "networks.yaml").write_text("\n".join([*lines, "a-resolver: 10.0.0.2/32"]) + "\n")
    result = CliRunner().invoke(
        cli,
        ["report", "--networks", str(tmp / "networks.yaml"), "--aws-ranges",
         str(FIXTURES / "ip-ranges.json"), "--logs", str(tmp / "logs"), "--today", "2026-11-27",
         "--days", "7", "--html", str(tmp / "report.html"), "--json", str(tmp / "report.json")],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert f"wrote {tmp / 'report.html'}" in result.stdout
    return {"tmp": tmp, "json": json.loads((tmp / "report.json").read_text())}


def _pair(row: dict[str, Any]) -> tuple[str, str]:
    return row["client_network"], row["server_network"]


def _bytes(row: dict[str, Any]) -> int:
    return int(row["client_bytes"] or 0) + int(row["server_bytes"] or 0)


def test_the_json_holds_the_matrix_of_the_window(built: dict[str, Any]) -> None:
    tmp, data = built["tmp"], built["json"]
    assert (data["first_day"], data["last_day"]) == ("2026/11/21", "2026/11/27")
    networks = load_networks(tmp / "networks.yaml")
    rows = networks.rows() + load_aws_ranges(FIXTURES / "ip-ranges.json").rows()
    out = run_local(
        load_queries()["network_matrix"], {"days": "7"}, str(tmp / "logs"), today=END,
        networks=rows,
    )  # fmt: skip
    assert data["matrix"] == rows_of(out)
    pairs = {_pair(r) for r in data["matrix"]}
    assert ("vpc-a-prod", "aws:S3:us-east-1") in pairs
    assert data["aws_ranges"]["syncToken"] == "1764547200"


def test_days_and_servers_add_up_to_the_matrix(built: dict[str, Any]) -> None:
    data = built["json"]
    matrix = {_pair(r): r for r in data["matrix"]}
    days = {r["day"] for r in data["daily"]}
    assert days <= {f"2026/11/{d}" for d in range(21, 28)} and len(days) >= 5
    assert {_pair(r) for r in data["daily"]} == set(matrix)
    for pair, cell in matrix.items():  # each connection on one day: the days add up
        same = [r for r in data["daily"] if _pair(r) == pair]
        assert sum(r["connections"] for r in same) == cell["connections"], pair
        assert sum(_bytes(r) for r in same) == _bytes(cell), pair
    servers: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for row in data["servers"]:
        servers.setdefault(_pair(row), []).append(row)
    assert set(servers) == set(matrix)
    for pair, rows in servers.items():
        assert len(rows) <= TOP_SERVERS
        assert [_bytes(r) for r in rows] == sorted((_bytes(r) for r in rows), reverse=True)
        if len(rows) < TOP_SERVERS:  # every server kept: they hold the pair's bytes
            assert sum(_bytes(r) for r in rows) == _bytes(matrix[pair])
            assert sum(r["connections"] for r in rows) == matrix[pair]["connections"]


def test_rejected_and_admin_rows_are_labelled_as_the_matrix(built: dict[str, Any]) -> None:
    tmp, data = built["tmp"], built["json"]
    networks = load_networks(tmp / "networks.yaml")
    ranges = load_aws_ranges(FIXTURES / "ip-ranges.json")
    assert data["rejected"] and data["remote_admin"]
    for row in data["rejected"] + data["remote_admin"]:
        assert row["client_network"] == label_address(row["client"], networks, ranges)
        assert row["server_network"] == label_address(row["server"], networks, ranges)
    assert {r["action"] for r in data["rejected"]} == {"REJECT"}
    assert {r["server_port"] for r in data["remote_admin"]} <= {22, 3389}
    assert {r["service"] for r in data["aws_services"]} >= {"S3", "DYNAMODB"}


@pytest.mark.skipif(CHROMIUM is None, reason="needs Chromium (Debian package chromium)")
def test_the_page_renders_in_chromium(built: dict[str, Any]) -> None:
    tmp, data = built["tmp"], built["json"]
    page = tmp / "report.html"
    flags = ["--headless", "--no-sandbox", "--disable-gpu", "--enable-logging=stderr", "--v=0"]
    flags += [f"--user-data-dir={tmp / 'profile'}"]
    dom = subprocess.run(
        [str(CHROMIUM), *flags, "--dump-dom", page.as_uri()],
        capture_output=True, text=True, timeout=120, check=True,
    )  # fmt: skip
    shot = subprocess.run(
        [str(CHROMIUM), *flags, f"--screenshot={tmp / 'report.png'}", "--window-size=1400,2000",
         page.as_uri()],
        capture_output=True, text=True, timeout=120, check=True,
    )  # fmt: skip
    assert (tmp / "report.png").stat().st_size > 10_000
    for run in (dom, shot):
        assert [line for line in run.stderr.splitlines() if ":CONSOLE" in line] == []
    html = dom.stdout
    assert len(re.findall(r'<td class="cell" ', html)) == len(data["matrix"])
    assert html.count('class="pair-timeline"') == len(data["matrix"])
    assert html.count('<details class="pair"') == len(data["matrix"])
    for marker in ('id="aws-services"', 'id="rejected"', 'id="remote-admin"', "<svg"):
        assert marker in html, marker
    assert not re.search(r'(src|href)="(https?:)?//', html)


def test_one_engine_serves_every_query_and_fetches_each_object_once(
    built: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Over S3 the report's queries share one engine: each object is downloaded once, and
    the answer is the one over the same files in a folder."""
    import boto3
    from moto import mock_aws

    tmp = built["tmp"]
    counts = count_engines_and_downloads(monkeypatch)
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    with mock_aws():
        s3 = boto3.client("s3", region_name="us-east-1")
        s3.create_bucket(Bucket="flow-logs")
        keys = []
        for path in sorted((tmp / "logs").rglob("*.log.gz")):
            keys.append(path.relative_to(tmp / "logs").as_posix())
            s3.upload_file(str(path), "flow-logs", keys[-1])
        result = CliRunner().invoke(
            cli,
            ["report", "--networks", str(tmp / "networks.yaml"), "--aws-ranges",
             str(FIXTURES / "ip-ranges.json"), "--logs", "s3://flow-logs/", "--today",
             "2026-11-27", "--days", "7", "--json", str(tmp / "s3.json")],
        )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert len(counts.engines) == 1
    fetched = counts.fetched
    assert sorted(fetched) == sorted(set(fetched)) and len(fetched) >= 7  # the window's days
    assert json.loads((tmp / "s3.json").read_text()) == built["json"]
