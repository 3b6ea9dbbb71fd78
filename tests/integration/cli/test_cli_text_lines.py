"""Text lines that do not match their header: read as Athena reads them, with one note on
stderr; `--strict` on `sql`, `query run` and `usage` makes the first one an error."""

from __future__ import annotations

import gzip
import shutil
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from vpc_cidr_analysis.cli import cli


@pytest.fixture
def ragged_sample(small_sample: Any, tmp_path: Path) -> tuple[Path, Path, Any]:
    """A copy of the small sample whose newest file gains a line with one field too many."""
    copy = tmp_path / "sample"
    shutil.copytree(small_sample.path, copy)
    path = sorted(copy.rglob("*.log.gz"))[-1]
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        lines = handle.read().splitlines()
    lines.append(lines[1] + " extra")
    with gzip.open(path, "wt", encoding="utf-8") as handle:
        handle.write("\n".join(lines) + "\n")
    return copy, path, small_sample.config.end_date


COUNT = "SELECT count(*) AS n FROM vpcflowlogstable"


def test_sql_reads_the_line_and_says_so(ragged_sample: tuple[Path, Path, Any]) -> None:
    logs, path, _ = ragged_sample
    result = CliRunner().invoke(cli, ["sql", "--logs", str(logs), "--format", "csv", COUNT])
    assert result.exit_code == 0, result.output
    clean = CliRunner().invoke(cli, ["sql", "--logs", str(path.parent), "--format", "csv", COUNT])
    notes = [line for line in result.stderr.splitlines() if line.startswith("Note: ")]
    assert len(notes) == 1
    assert f"1 line(s) did not match their file's header: {path} (1)" in notes[0]
    assert int(result.stdout.splitlines()[1]) > int(clean.stdout.splitlines()[1]) > 0


@pytest.mark.parametrize(
    "command",
    [
        ["sql", "--logs", "{logs}", COUNT],
        ["query", "run", "top_talkers", "--logs", "{logs}", "-p", "vpc_cidrs=0.0.0.0/0",
         "--today", "{today}"],
        ["usage", "rules", "--inventory", "{logs}", "--logs", "{logs}", "--today", "{today}"],
    ],
)  # fmt: skip
def test_strict_is_one_error_line_naming_file_and_line(
    ragged_sample: tuple[Path, Path, Any], command: list[str]
) -> None:
    logs, path, today = ragged_sample
    args = [a.format(logs=logs, today=today.isoformat()) for a in command]
    result = CliRunner().invoke(cli, [*args, "--strict"])
    assert result.exit_code != 0
    errors = [line for line in result.stderr.splitlines() if line.startswith("Error: ")]
    assert len(errors) == 1 and result.stdout == ""
    with gzip.open(path, "rt") as handle:
        lines = sum(1 for _ in handle)
    assert f"Error: {path} line {lines}: expected 29 fields" in errors[0]
    assert "found 30" in errors[0] and "--strict" in errors[0]


@pytest.mark.parametrize("fmt", ["csv", "json", "jsonl", "table"])
@pytest.mark.parametrize(
    "select",
    [
        "srcaddr, bytes FROM vpcflowlogstable ORDER BY bytes",  # lines DuckDB writes
        "srcaddr, bytes / 3.0 AS third FROM vpcflowlogstable",  # Python values (a decimal)
    ],
)
def test_strict_writes_nothing_in_any_format(
    ragged_sample: tuple[Path, Path, Any], fmt: str, select: str
) -> None:
    logs, _, _ = ragged_sample
    args = ["sql", "--logs", str(logs), "--format", fmt, f"SELECT {select}"]
    result = CliRunner().invoke(cli, [*args, "--strict"])
    assert result.exit_code != 0 and result.stdout == ""
    assert "--strict" in result.stderr
    read = CliRunner().invoke(cli, args)
    assert read.exit_code == 0, read.output
    assert "10.0." in read.stdout and "1 line(s) did not match" in read.stderr


@pytest.mark.parametrize("fmt", ["csv", "jsonl", "json"])
def test_lines_duckdb_wrote_are_what_python_values_give(
    ragged_sample: tuple[Path, Path, Any], fmt: str
) -> None:
    """`sql --format csv|jsonl|json` copies the file DuckDB wrote as it is (for JSON the
    whole array): the same bytes as `output.write` of the rows, the ragged line included."""
    import io

    from vpc_cidr_analysis import output
    from vpc_cidr_analysis.engine.local import LocalEngine

    logs, _, _ = ragged_sample
    # Ordered by every column shown: rows tied on the key print the same in either order.
    sql = (
        'SELECT srcaddr, dstport, from_unixtime("start") AS first_seen, log_status '
        'FROM vpcflowlogstable ORDER BY "start", srcaddr, dstport, log_status, srcport, bytes'
    )
    result = CliRunner().invoke(cli, ["sql", "--logs", str(logs), "--format", fmt, sql])
    assert result.exit_code == 0, result.output
    with LocalEngine(str(logs)) as engine:
        values = engine.execute(sql)
    expected = io.StringIO()
    assert output.write(values.columns, values.rows, fmt, expected) > 100
    assert result.stdout == expected.getvalue()


@pytest.mark.parametrize(("where", "expected"), [("false", "[]\n"), ("dstport = -1", "[]\n")])
def test_sql_json_of_no_rows_is_an_empty_array(
    ragged_sample: tuple[Path, Path, Any], where: str, expected: str
) -> None:
    logs, _, _ = ragged_sample
    sql = f"SELECT srcaddr, dstport FROM vpcflowlogstable WHERE {where}"
    result = CliRunner().invoke(cli, ["sql", "--logs", str(logs), "--format", "json", sql])
    assert result.exit_code == 0, result.output
    assert result.stdout == expected


def test_sql_json_of_chosen_columns_is_what_python_values_give(
    ragged_sample: tuple[Path, Path, Any],
) -> None:
    """`--columns` picks and orders the keys of the array DuckDB writes."""
    import io

    from vpc_cidr_analysis import output
    from vpc_cidr_analysis.engine.local import LocalEngine

    logs, _, _ = ragged_sample
    # Ordered by every column shown (see above).
    sql = (
        'SELECT srcaddr, dstport, "end" FROM vpcflowlogstable '
        'ORDER BY "start", srcaddr, dstport, "end", srcport, bytes'
    )
    args = ["sql", "--logs", str(logs), "--format", "json", "--columns", "end,srcaddr", sql]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    with LocalEngine(str(logs)) as engine:
        values = engine.execute(sql)
    expected = io.StringIO()
    assert output.write(["end", "srcaddr"], [(r[2], r[0]) for r in values.rows], "json", expected)
    assert result.stdout == expected.getvalue() and result.stdout.startswith('[\n  {"end": ')
