"""`vpc-cidr-analysis sql` and the output renderers it shares with other commands."""

from __future__ import annotations

import csv
import gzip
import io
import json
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner

from vpc_cidr_analysis.cli import cli
from vpc_cidr_analysis.output import render, text_value

ACCOUNT = "123456789012"
HEADER = "version account-id srcaddr dstaddr bytes start action log-status"


@pytest.fixture
def logs(tmp_path: Path) -> Path:
    """Two days of logs: three records on 2026/11/27, one on 2026/11/01."""
    days = {
        "2026/11/27": [
            f"2 {ACCOUNT} 10.0.0.5 10.1.0.9 1500 1795740000 ACCEPT OK",
            f"2 {ACCOUNT} 10.1.0.9 10.0.0.5 700 1795740060 ACCEPT OK",
            f"2 {ACCOUNT} - - - 1795740000 - NODATA",
        ],
        "2026/11/01": [f"2 {ACCOUNT} 10.0.0.5 8.8.8.8 99 1793500000 REJECT OK"],
    }
    for day, lines in days.items():
        folder = tmp_path / "AWSLogs" / ACCOUNT / "vpcflowlogs" / "us-east-1" / day
        folder.mkdir(parents=True)
        name = f"{ACCOUNT}_vpcflowlogs_us-east-1_fl-1_{day.replace('/', '')}T0000Z_ab.log.gz"
        with gzip.open(folder / name, "wt") as handle:
            handle.write("\n".join([HEADER, *lines]) + "\n")
    return tmp_path


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def invoke(runner: CliRunner, *args: str) -> tuple[int, str, str]:
    result = runner.invoke(cli, ["sql", *args])
    return result.exit_code, result.stdout, result.stderr


def test_help_has_an_example(runner: CliRunner) -> None:
    code, out, _ = invoke(runner, "--help")
    assert code == 0
    assert "Example:" in out and "vpc-cidr-analysis sql --logs" in out
    for option in ("--file", "--param", "--cidr-dir", "--today", "--format", "--show-translation"):
        assert option in out


def test_table_output_with_positional_and_named_parameters(runner: CliRunner, logs: Path) -> None:
    sql = (
        "SELECT srcaddr, sum(bytes) AS total FROM vpcflowlogstable "
        "WHERE day = ? AND contains(?, TRY_CAST(dstaddr AS IPADDRESS)) GROUP BY srcaddr"
    )
    code, out, err = invoke(
        runner, "--logs", str(logs), sql, "-p", "day=2026/11/27", "-p", "10.1.0.0/16"
    )
    assert code == 0, err
    assert out.splitlines() == [
        "srcaddr   total",
        "--------  -----",
        "10.0.0.5   1500",
        "(1 row)",
    ]


def test_seed_query_with_cidr_and_today(runner: CliRunner, logs: Path) -> None:
    seed = (
        "SELECT * FROM vpcflowlogscidrdb.vpcflowlogstable JOIN  vpcflowlogscidrdb.cidrtable "
        "ON  srcaddr=ip\nAND  CIDR='10.1.0.0/16' and TO_DATE(day,'yyyy/mm/dd') > "
        "CURRENT_DATE- interval '10' day"
    )
    args = ["--logs", str(logs), "--cidr", "10.1.0.0/16", "--today", "2026-11-27"]
    code, out, err = invoke(runner, *args, "--format", "csv", seed)
    assert code == 0, err
    table = list(csv.DictReader(io.StringIO(out)))
    assert [(r["srcaddr"], r["dstaddr"], r["cidr"], r["ip"]) for r in table] == [
        ("10.1.0.9", "10.0.0.5", "10.1.0.0/16", "10.1.0.9")
    ]
    assert table[0]["day"] == "2026/11/27" and table[0]["hour"] == ""


def test_json_output_from_a_file(runner: CliRunner, logs: Path, tmp_path: Path) -> None:
    query = tmp_path / "q.sql"
    query.write_text(
        'SELECT log_status, count(*) AS n, min(from_unixtime("start")) AS first, '
        "1.50 * 2 AS price, max(srcaddr) AS top FROM vpcflowlogstable "
        "WHERE day > '2026/11/20' GROUP BY log_status ORDER BY log_status"
    )
    code, out, err = invoke(runner, "--logs", str(logs), "--file", str(query), "--format", "json")
    assert code == 0, err
    assert json.loads(out) == [
        {
            "log_status": "NODATA",
            "n": 1,
            "first": "2026-11-27T00:40:00Z",
            "price": "3.00",
            "top": "-",
        },
        {
            "log_status": "OK",
            "n": 2,
            "first": "2026-11-27T00:40:00Z",
            "price": "3.00",
            "top": "10.1.0.9",
        },
    ]


def test_show_translation(runner: CliRunner, logs: Path) -> None:
    code, out, _ = invoke(runner, "--show-translation", "SELECT 7 / 2 FROM vpcflowlogstable")
    assert code == 0
    assert out == "SELECT\n  ATHENA_INT_DIV(7, 2) AS _col0\nFROM vpcflowlogstable\n"
    code, out, err = invoke(
        runner, "--logs", str(logs), "--show-translation", "--format", "csv", "SELECT 7 / 2"
    )
    assert code == 0
    assert "ATHENA_INT_DIV(7, 2)" in err
    assert out == "_col0\n3\n"


def test_empty_cidrtable_is_noted(runner: CliRunner, logs: Path) -> None:
    code, out, err = invoke(runner, "--logs", str(logs), "SELECT count(*) FROM cidrtable")
    assert code == 0
    assert "cidrtable is empty; pass --cidr or --cidr-dir" in err
    assert "0" in out.splitlines()[2]


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["--logs", "{logs}"], 2, "give the SQL either as the QUERY argument or with --file"),
        (["SELECT 1"], 2, "--logs is required"),
        (
            ["--logs", "{logs}", "--today", "2026-02-30", "SELECT 1"],
            2,
            "Invalid value for '--today': '2026-02-30' is not a calendar date",
        ),
        (["--logs", "{logs}/missing", "SELECT 1"], 1, "--logs path does not exist"),
        (["--logs", "{logs}", "SELECT approx_set(srcaddr) FROM vpcflowlogstable"], 1, "approx_set"),
        (["--logs", "{logs}", "SELECT ?"], 1, "1 ? placeholder(s) but 0 value(s)"),
        (
            ["--logs", "{logs}", "--cidr", "10.0.0.0/7", "SELECT 1"],
            1,
            "more than the limit 16,777,216",
        ),
        (["--logs", "{logs}", "--file", "{logs}/none.sql"], 2, "cannot read"),
    ],
)
def test_errors_exit_nonzero_with_a_message(
    runner: CliRunner, logs: Path, args: list[str], code: int, message: str
) -> None:
    exit_code, _, err = invoke(runner, *[a.replace("{logs}", str(logs)) for a in args])
    assert exit_code == code
    assert message in err


def test_bad_line_is_reported_with_file_and_line(runner: CliRunner, logs: Path) -> None:
    bad = next(logs.rglob("*20261101T0000Z_ab.log.gz"))
    with gzip.open(bad, "wt") as handle:
        handle.write(HEADER + "\n" + f"2 {ACCOUNT} 10.0.0.5 8.8.8.8 99\n")
    code, _, err = invoke(
        runner, "--logs", str(logs), "--strict", "SELECT count(*) FROM vpcflowlogstable"
    )
    assert code == 1
    assert str(bad) in err and "line 2: expected 8 fields" in err and "found 5" in err
    # Without --strict the line is read as Athena reads it, and a note names it.
    code, out, err = invoke(runner, "--logs", str(logs), "--format", "csv",
                            "SELECT count(*) FROM vpcflowlogstable")  # fmt: skip
    assert code == 0 and out.splitlines()[-1].isdigit()
    assert f"1 line(s) did not match their file's header: {bad} (1)" in err
    # The same query over the other day never opens the bad file.
    sql = "SELECT count(*) FROM vpcflowlogstable WHERE day = '2026/11/27'"
    code, out, _ = invoke(runner, "--logs", str(logs), "--format", "csv", sql)
    assert (code, out) == (0, "_col0\n3\n")


# ---- renderers ---------------------------------------------------------------------------


def test_render_table_aligns_and_shows_null() -> None:
    text = render(
        ["name", "n", "when"], [("a", 5, None), ("longer", 12345, date(2026, 11, 27))], "table"
    )
    assert text.splitlines() == [
        "name        n  when",
        "------  -----  ----------",
        "a           5  NULL",
        "longer  12345  2026-11-27",
        "(2 rows)",
    ]


def test_render_csv_quotes_and_leaves_null_empty() -> None:
    text = render(["a", "b"], [('x,"y"', None), (True, 1.5)], "csv")
    assert text == 'a,b\n"x,""y""",\ntrue,1.5\n'


def test_render_json_types() -> None:
    when = datetime(2026, 11, 27, 10, 0, 0, 123000, tzinfo=UTC)
    text = render(
        ["d", "t", "m", "f", "z"], [(Decimal("1.10"), when, None, float("nan"), [1])], "json"
    )
    assert json.loads(text) == [
        {"d": "1.10", "t": "2026-11-27T10:00:00.123Z", "m": None, "f": "nan", "z": [1]}
    ]
    assert render(["a"], [], "json") == "[]\n"


def test_unknown_format_is_named() -> None:
    with pytest.raises(ValueError, match="unknown output format 'xml': expected one of table"):
        render(["a"], [], "xml")


def test_text_values() -> None:
    assert text_value(datetime(2026, 11, 27, 1, 2, 3)) == "2026-11-27T01:02:03"
    assert text_value(False) == "false"
    assert text_value(b"\x01\xff") == "01ff"


def test_a_table_stops_at_limit_and_counts_the_rest(runner: CliRunner, logs: Path) -> None:
    sql = "SELECT bytes FROM vpcflowlogstable ORDER BY bytes DESC NULLS LAST"
    code, out, _ = invoke(runner, "--logs", str(logs), "--limit", "2", sql)
    assert code == 0
    assert out.splitlines() == [
        "bytes", "-----", " 1500", "  700", "… 2 more rows (show them with --limit)", "(2 rows)",
    ]  # fmt: skip
    code, out, _ = invoke(runner, "--logs", str(logs), "--limit", "9", sql)
    assert out.splitlines()[-1] == "(4 rows)" and "more row" not in out
