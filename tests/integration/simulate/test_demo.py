"""`vpc-cidr-analysis demo`: the main job end to end, with answers equal to the ground truth."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from click.testing import CliRunner

from vpc_cidr_analysis.cli import cli
from vpc_cidr_analysis.simulate.demo import run_demo, run_tgw_demo, tgw_demo_dir
from vpc_cidr_analysis.simulate.simulator import (
    SCENARIOS_BY_NAME,
    AddressGroups,
    SampleConfig,
    connection_truth,
    read_ground_truth,
    tgw_rows,
)


def test_demo_answers_every_scenario_like_the_ground_truth(tmp_path: Path) -> None:
    end = datetime.now(UTC).date()
    config = SampleConfig(records=3000, days=14, end_date=end, seed=3)
    steps = run_demo(tmp_path, config)
    truth = read_ground_truth(tmp_path / "ground_truth.json")
    groups = AddressGroups(truth["networks"])
    first = f"{end - timedelta(days=9):%Y/%m/%d}"
    generated = connection_truth(config, first, f"{end:%Y/%m/%d}", pkt=True)
    by_name = {s.name: s for s in steps}
    for scenario in ("external", "peering", "cross_vpc", "internal", "inbound", "outbound"):
        test = SCENARIOS_BY_NAME[scenario].test
        expected = [r for r in generated.rows if test(groups(r["client"]), groups(r["server"]))]
        assert len(by_name[scenario].output.rows) == len(expected), scenario
    assert len(by_name["top_talkers"].output.rows) == 10


def test_demo_command_prints_each_query_and_how_to_rerun_it(tmp_path: Path) -> None:
    out = tmp_path / "demo"
    result = CliRunner().invoke(cli, ["demo", "--out", str(out), "--records", "2000"])
    assert result.exit_code == 0, result.output
    for name in ("external", "peering", "cross_vpc", "internal", "inbound", "outbound"):
        assert f"vpc-cidr-analysis query run {name} --logs {out}" in result.output
    assert "Done: 9 queries" in result.output
    report = out / "report.html"
    assert f"The traffic report between the simulated networks: {report}" in result.output
    assert 'id="matrix"' in report.read_text() and "vpc-a-prod" in report.read_text()
    tgw = tgw_demo_dir(out)
    assert tgw == tmp_path / "demo-tgw"
    assert f"vpc-cidr-analysis query run tgw_attachments --logs {tgw} -p days=10" in result.output
    attachments = read_ground_truth(tgw)["tgw"]["attachments"]
    assert f"{attachments['A']} = VPC-A" in result.output
    assert result.output.index("tgw_attachments") > result.output.index("The traffic report")
    assert "vpc-b-shared: ['10.1.0.0/16']" in (out / "networks.yaml").read_text()
    rerun = CliRunner().invoke(cli, ["demo", "--out", str(out), "--records", "2000"])
    assert rerun.exit_code == 0, "a second demo replaces the first one's logs"


def test_demo_shows_the_transit_gateway_answer_of_the_ground_truth(tmp_path: Path) -> None:
    config = SampleConfig(records=2000, days=14, end_date=datetime.now(UTC).date(), seed=3)
    step, attachments = run_tgw_demo(tmp_path, config)
    truth = read_ground_truth(tmp_path)
    assert step.name == "tgw_attachments" and step.values == {"days": "10"}
    assert truth["records"] == 5000  # the hub network's own size, whatever --records says
    expected = tgw_rows(truth, "tgw_attachments", "last_10_days")
    got = [dict(zip(step.output.columns, row, strict=True)) for row in step.output.rows]
    for row in got:
        row["first_seen"] = int(row["first_seen"].timestamp())
        row["last_seen"] = int(row["last_seen"].timestamp())
    assert got == expected
    assert set(attachments) == {"A", "B", "C", "onprem-vpn"}
