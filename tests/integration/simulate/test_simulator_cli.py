"""`vpc-cidr-analysis sample`: options, summary line, and refusals that write nothing."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from vpc_cidr_analysis.cli import cli
from vpc_cidr_analysis.simulate.simulator import read_ground_truth
from vpc_cidr_analysis.simulate.topology import DEFAULT_TOPOLOGY, default_topology


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["sample", *args])
    return result.exit_code, result.output


def test_writes_logs_and_prints_one_summary_line(tmp_path: Path) -> None:
    code, output = run(
        "--out", str(tmp_path), "--records", "700", "--days", "2", "--end-date", "2026-11-20"
    )
    assert code == 0, output
    lines = output.strip().splitlines()
    assert len(lines) == 1
    files = [p for p in (tmp_path / "AWSLogs").rglob("*.log.gz")]
    size = sum(p.stat().st_size for p in files)
    assert lines[0] == (
        f"wrote {len(files):,} files, 700 records, {size:,} bytes to {tmp_path} "
        "(ground truth: ground_truth.json)"
    )
    truth = read_ground_truth(tmp_path)
    assert truth["options"]["end_date"] == "2026-11-20"
    assert truth["records"] == 700


def test_all_options_reach_the_files(tmp_path: Path) -> None:
    code, output = run(
        "--out", str(tmp_path), "--records", "300", "--days", "1", "--end-date", "2026-02-03",
        "--seed", "9", "--layout", "hive", "--hourly", "--prefix", "team/logs",
        "--fields", "${version},${srcaddr},${dstaddr},${action},${log-status}",
        "--account", "111122223333", "--region", "ap-southeast-2", "--ground-truth", "summary",
    )  # fmt: skip
    assert code == 0, output
    keys = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*.log.gz"))
    assert keys[0].startswith(
        "team/logs/AWSLogs/aws-account-id=111122223333/aws-service=vpcflowlogs/"
        "aws-region=ap-southeast-2/year=2026/month=02/day=03/hour=00/111122223333_vpcflowlogs_"
        "ap-southeast-2_fl-"
    )
    header = gzip.decompress((tmp_path / keys[0]).read_bytes()).decode().splitlines()[0]
    assert header == "version srcaddr dstaddr action log-status"
    truth = read_ground_truth(tmp_path)
    assert truth["detail"] == "summary"
    assert truth["options"]["seed"] == 9


def test_parquet_format(tmp_path: Path) -> None:
    code, output = run(
        "--out", str(tmp_path), "--records", "200", "--days", "1", "--file-format", "parquet"
    )
    assert code == 0, output
    assert list(tmp_path.rglob("*.log.parquet"))
    assert not list(tmp_path.rglob("*.log.gz"))


def test_help_shows_an_example() -> None:
    code, output = run("--help")
    assert code == 0
    assert "Example:" in output
    assert "vpc-cidr-analysis sample --out logs/" in output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--fields", "version srcaddr bogus"], "unknown flow-log field 'bogus'"),
        (["--fields", "version srcaddr bogus"], "srcaddr, dstaddr"),  # lists accepted names
        (["--days", "0"], "days must be a whole number >= 1, got 0"),
        (["--records", "0"], "records must be a whole number >= 1, got 0"),
        (["--end-date", "27/11/2026"], "'--end-date': '27/11/2026' is not a day; expected"),
        (["--end-date", "2026-02-30"], "'--end-date': '2026-02-30' is not a calendar date"),
        (["--account", "12345"], "account must be 12 digits"),
        (["--layout", "flat"], "'flat' is not one of 'default', 'hive'"),
    ],
)
def test_bad_input_is_a_clear_error_and_writes_nothing(
    tmp_path: Path, args: list[str], message: str
) -> None:
    out = tmp_path / "logs"
    code, output = run("--out", str(out), *args)
    assert code == 2
    assert message in " ".join(output.split())
    assert not out.exists()


def test_out_that_is_a_file_is_refused(tmp_path: Path) -> None:
    target = tmp_path / "logs.txt"
    target.write_text("x")
    code, output = run("--out", str(target), "--records", "10")
    assert code == 2
    assert "is a file: expected a directory" in output
    assert target.read_text() == "x"


def test_existing_logs_need_force(tmp_path: Path) -> None:
    assert run("--out", str(tmp_path), "--records", "100", "--days", "1")[0] == 0
    code, output = run("--out", str(tmp_path), "--records", "100", "--days", "1")
    assert code == 2
    assert "--force" in output
    code, output = run("--out", str(tmp_path), "--records", "50", "--days", "1", "--force")
    assert code == 0, output
    assert read_ground_truth(tmp_path)["records"] == 50


def test_missing_out_is_a_usage_error() -> None:
    code, output = run("--records", "10")
    assert code == 2
    assert "missing option --out" in output


def test_show_topology_prints_the_default_and_a_file_overrides_it(tmp_path: Path) -> None:
    code, output = run("--show-topology")
    assert code == 0
    shown = json.loads(output)
    assert shown == default_topology().to_dict()
    custom = json.loads(json.dumps(DEFAULT_TOPOLOGY))
    custom["vpcs"][1]["cidrs"] = ["10.1.0.0/16", "10.9.0.0/16"]
    custom["traffic"] = [t for t in custom["traffic"] if t["name"] == "a-to-b-api"]
    custom["nodata_weight"] = custom["skipdata_weight"] = 0
    path = tmp_path / "net.json"
    path.write_text(json.dumps(custom))
    out = str(tmp_path / "o")
    code, output = run("--out", out, "--topology", str(path), "--records", "40", "--days", "1")
    assert code == 0, output
    truth = read_ground_truth(tmp_path / "o")
    assert truth["networks"]["B"] == ["10.1.0.0/16", "10.9.0.0/16"]
    scenarios = truth["scenarios"]
    assert scenarios["outbound"]["all"]["records"] == 20  # requests, seen by A and by B
    assert scenarios["inbound"]["all"]["records"] == 20  # their responses
    assert scenarios["external"]["all"]["records"] == 40  # B is outside A
    assert scenarios["internal"]["all"]["records"] == 0


def test_bad_topology_file_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "net.json"
    path.write_text('{"vpcs": []')
    code, output = run("--out", str(tmp_path / "o"), "--topology", str(path))
    assert code == 2
    assert "is not valid JSON" in output
    assert not (tmp_path / "o").exists()
