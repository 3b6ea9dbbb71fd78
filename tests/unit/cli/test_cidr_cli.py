"""`vpc-cidr-analysis expand`: local files in the cidrtable layout, same code as the Lambda."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from vpc_cidr_analysis.cli import cli


@pytest.fixture
def runner(monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.delenv("MAX_ADDRESSES", raising=False)
    return CliRunner()


def test_expand_writes_files_and_reports_them(runner: CliRunner, tmp_path: Path) -> None:
    out = tmp_path / "cidrs"
    result = runner.invoke(cli, ["expand", "10.0.0.0/30", "2001:db8::/126", "--out", str(out)])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert [line.split()[:3] for line in lines[2:4]] == [
        ["10.0.0.0/30", "4", str(out / "10.0.0.0_30.csv.gz")],
        ["2001:db8::/126", "4", str(out / "2001_db8___126.csv.gz")],
    ]
    assert gzip.decompress((out / "10.0.0.0_30.csv.gz").read_bytes()).decode() == (
        "10.0.0.0/30,10.0.0.0\n10.0.0.0/30,10.0.0.1\n10.0.0.0/30,10.0.0.2\n10.0.0.0/30,10.0.0.3\n"
    )
    assert gzip.decompress((out / "2001_db8___126.csv.gz").read_bytes()).decode() == (
        "2001:db8::/126,2001:db8::\n2001:db8::/126,2001:db8::1\n"
        "2001:db8::/126,2001:db8::2\n2001:db8::/126,2001:db8::3\n"
    )


def test_expand_json_output_is_an_array(runner: CliRunner, tmp_path: Path) -> None:
    args = ["expand", "10.1.0.0/16", "--out", str(tmp_path), "--format", "json"]
    result = runner.invoke(cli, args)
    assert result.exit_code == 0, result.output
    (record,) = json.loads(result.output)
    path = tmp_path / "10.1.0.0_16.csv.gz"
    assert record["cidr"] == "10.1.0.0/16"
    assert record["path"] == str(path)
    assert record["addresses"] == 65536
    assert record["bytes"] == path.stat().st_size
    lines = gzip.decompress(path.read_bytes()).decode().splitlines()
    assert (len(lines), lines[0], lines[-1]) == (
        65536,
        "10.1.0.0/16,10.1.0.0",
        "10.1.0.0/16,10.1.255.255",
    )


def test_bad_cidr_is_a_usage_error_and_writes_nothing(runner: CliRunner, tmp_path: Path) -> None:
    out = tmp_path / "cidrs"
    result = runner.invoke(cli, ["expand", "10.0.0.0/30", "10.0.0.1/16", "--out", str(out)])
    assert result.exit_code == 2
    assert "Invalid value for CIDR" in result.output
    assert "'10.0.0.1/16' has host bits set; the block that contains it is '10.0.0.0/16'" in (
        result.output
    )
    assert not out.exists()


def test_ipv6_too_large_points_to_contains(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(cli, ["expand", "2001:db8::/56", "--out", str(tmp_path)])
    assert result.exit_code == 2
    assert "contains('2001:db8::/56', TRY_CAST(srcaddr AS IPADDRESS))" in result.output
    assert list(tmp_path.iterdir()) == []


def test_limit_option_beats_environment(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MAX_ADDRESSES", "4")
    refused = runner.invoke(cli, ["expand", "10.0.0.0/29", "--out", str(tmp_path)])
    assert refused.exit_code == 2
    assert "8 addresses, more than the limit 4" in refused.output
    allowed = runner.invoke(
        cli, ["expand", "10.0.0.0/29", "--out", str(tmp_path), "--max-addresses", "8"]
    )
    assert allowed.exit_code == 0, allowed.output
    assert (tmp_path / "10.0.0.0_29.csv.gz").is_file()


def test_bad_environment_limit_is_reported(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MAX_ADDRESSES", "a lot")
    result = runner.invoke(cli, ["expand", "10.0.0.0/29", "--out", str(tmp_path)])
    assert result.exit_code == 1
    assert "MAX_ADDRESSES='a lot' is not a whole number" in result.output


def test_expand_is_listed_with_an_example(runner: CliRunner) -> None:
    listing = runner.invoke(cli, ["--help"])
    assert "expand" in listing.output
    help_text = runner.invoke(cli, ["expand", "--help"]).output
    assert "vpc-cidr-analysis expand 10.0.0.0/16 10.1.0.0/16 --out cidrs/" in help_text
    assert "At most 50" in help_text


def test_expand_reads_upper_case_ipv6_in_canonical_form(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(
        cli, ["expand", "2001:DB8::/126", "--out", str(tmp_path), "--format", "jsonl"]
    )
    assert result.exit_code == 0, result.output
    assert "CIDR '2001:DB8::/126' read as '2001:db8::/126' (canonical form)" in result.stderr
    (record,) = [json.loads(line) for line in result.stdout.splitlines()]
    assert (record["cidr"], record["addresses"]) == ("2001:db8::/126", 4)
    assert (tmp_path / "2001_db8___126.csv.gz").is_file()
