"""Results over text files come straight from the query (no kept copy for `execute` and
`lines`), yet a line that does not match its header, even in the last file read, still gives
Athena's answer, and `strict` fails before anything is handed out or left behind."""

from __future__ import annotations

import gzip
import io
from pathlib import Path

import pytest

from vpc_cidr_analysis import output, schema
from vpc_cidr_analysis.engine.local import LocalEngine, _file_lines
from vpc_cidr_analysis.engine.sources import SourceError

ACCOUNT = "123456789012"
V2 = " ".join(schema.V2_FIELDS)
SQL = "SELECT srcaddr, bytes, log_status FROM vpcflowlogstable"
ORDERED = SQL + " ORDER BY srcaddr"


def record(i: int) -> str:
    return (
        f"2 {ACCOUNT} eni-0a1 10.0.0.{i} 10.0.1.{i} 443 50000 6 1 {100 + i} "
        "1795740000 1795740060 ACCEPT OK"
    )


@pytest.fixture
def logs(tmp_path: Path) -> Path:
    """Three days of two records each; the last file read gains a short and a long line."""
    for day in (25, 26, 27):
        folder = tmp_path / f"AWSLogs/{ACCOUNT}/vpcflowlogs/us-east-1/2026/11/{day}"
        folder.mkdir(parents=True)
        lines = [V2, record(day), record(day + 100)]
        if day == 27:
            lines += [f"2 {ACCOUNT} eni-0a1 10.0.0.250", record(251) + " extra fields"]
        path = folder / f"{ACCOUNT}_vpcflowlogs_us-east-1_fl-1_202611{day}T0000Z_ab.log.gz"
        path.write_bytes(gzip.compress(("\n".join(lines) + "\n").encode()))
    return tmp_path


#: What Athena returns: the short line's missing fields NULL, the long line's extra dropped.
ATHENA = sorted(
    [(f"10.0.0.{i}", 100 + i, "OK") for i in (25, 125, 26, 126, 27, 127, 251)]
    + [("10.0.0.250", None, None)]
)


def csv_rows(text: str) -> list[tuple[str, int | None, str | None]]:
    body = text.splitlines()[1:]
    parsed = [line.split(",") for line in body]
    return [(a, int(b) if b else None, c or None) for a, b, c in parsed]


def written(engine: LocalEngine, sql: str, fmt: str) -> str:
    result = engine.stream(sql)
    assert result.lines is not None
    lines = result.lines(fmt, [0, 1, 2])
    assert lines is not None
    out = io.StringIO()
    output.write_lines(result.columns, lines, fmt, out)
    return out.getvalue()


@pytest.mark.parametrize("sql", [SQL, ORDERED])
def test_a_ragged_line_in_the_last_file_gives_athenas_answer(logs: Path, sql: str) -> None:
    with LocalEngine(str(logs)) as engine:
        executed = engine.execute(sql).rows
        assert len(engine.last_ragged) == 2
        streamed = list(engine.stream(sql))
        assert len(engine.last_ragged) == 2
        text = written(engine, sql, "csv")
        assert len(engine.last_ragged) == 2
        left = list((engine._copies.workdir / "results").iterdir())
    for got in (executed, streamed, csv_rows(text)):
        assert (sorted(got, key=repr) if sql == SQL else got) == sorted(ATHENA, key=repr)
    assert left == []  # the result file is removed once read


def test_strict_fails_before_anything_is_written(logs: Path) -> None:
    with LocalEngine(str(logs), strict=True) as engine:
        for fmt in ("csv", "json", "jsonl"):
            with pytest.raises(SourceError, match=r"line 4: expected 14 fields.*--strict"):
                written(engine, ORDERED, fmt)
        with pytest.raises(SourceError, match="--strict"):
            engine.execute(SQL)
        with pytest.raises(SourceError, match="--strict"):
            list(engine.stream(SQL))
        assert list((engine._copies.workdir / "results").iterdir()) == []


def test_count_and_rows_of_a_stream_agree(logs: Path) -> None:
    with LocalEngine(str(logs)) as engine:
        result = engine.stream(ORDERED)
        assert result.count is not None and result.count() == len(ATHENA)
        assert list(result) == sorted(ATHENA, key=repr)


@pytest.mark.parametrize("block", [1, 3, 7, 1 << 20])
def test_file_lines_are_whole_records_across_blocks(tmp_path: Path, block: int) -> None:
    records = ['a,"x\ny",1', "b,2", '"q""\n\n""",3', "", '"""",4', "c\r,5"]
    path = tmp_path / "lines.txt"
    path.write_bytes(("\n".join(records) + "\n").encode())
    assert list(_file_lines(path, csv=True, block=block)) == records
    assert not path.exists()
    path.write_bytes(b'{"a": "x\\ny"}\n{"b": 1}\n')
    assert list(_file_lines(path, csv=False, block=block)) == ['{"a": "x\\ny"}', '{"b": 1}']
