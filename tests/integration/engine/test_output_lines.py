"""Rows DuckDB formats as text lines (`StreamingResult.lines`) are byte for byte what
`output.write` makes of the same rows as Python values, in CSV, JSON and JSON Lines."""

from __future__ import annotations

import gzip
import io
import json
from pathlib import Path
from typing import BinaryIO

import pytest

from vpc_cidr_analysis import output, schema
from vpc_cidr_analysis.engine import local
from vpc_cidr_analysis.engine.local import LocalEngine

SQL = """
SELECT srcaddr, bytes, action = 'ACCEPT' AS accepted, from_unixtime("start") AS first_seen,
       from_unixtime("start" + 0.25) AS with_ms, date(from_unixtime("end")) AS day_seen,
       from_unixtime("start" + 0.0005) AS under_ms, from_unixtime(-"start" / 1000.0) AS before_1970,
       CAST(from_unixtime("end") AS TIMESTAMP) AS plain,
       CASE WHEN bytes > 150 THEN 'a,"quoted"' || chr(10) || 'line' END AS awkward,
       CASE WHEN bytes > 150 THEN '' END AS empty, log_status
FROM vpcflowlogstable ORDER BY bytes, srcaddr
"""


@pytest.fixture
def logs(tmp_path: Path) -> Path:
    folder = tmp_path / "AWSLogs/123456789012/vpcflowlogs/us-east-1/2026/11/27"
    folder.mkdir(parents=True)
    lines = [" ".join(schema.V2_FIELDS)]
    for i, status in enumerate(["OK", "OK", "NODATA", "OK"]):
        bytes_ = "-" if status == "NODATA" else str(100 + 50 * i)
        lines.append(f"2 123456789012 eni-1 10.0.0.{i} 10.0.1.{i} 443 5000{i} 6 1 {bytes_} "
                     f"{1795740000 + i} {1795740060 + i} {'REJECT' if i == 1 else 'ACCEPT'} "
                     f"{status}")  # fmt: skip
    path = folder / "123456789012_vpcflowlogs_us-east-1_fl-1_20261127T0000Z_ab.log.gz"
    path.write_bytes(gzip.compress(("\n".join(lines) + "\n").encode()))
    return tmp_path


@pytest.mark.parametrize("fmt", ["csv", "json", "jsonl"])
@pytest.mark.parametrize("picks", [None, [3, 0, 9]])
def test_lines_are_what_output_writes(logs: Path, fmt: str, picks: list[int] | None) -> None:
    with LocalEngine(str(logs)) as engine:
        values = engine.execute(SQL)
        result = engine.stream(SQL)
        positions = picks if picks is not None else list(range(len(result.columns)))
        names = [result.columns[i] for i in positions]
        assert result.lines is not None
        lines = result.lines(fmt, positions)
        assert lines is not None
        fast = io.StringIO()
        assert output.write_lines(names, lines, fmt, fast) == 4
    slow = io.StringIO()
    rows = [[row[i] for i in positions] for row in values.rows]
    output.write(names, rows, fmt, slow)
    assert fast.getvalue() == slow.getvalue()
    text = fast.getvalue()
    if picks is None:  # a value of every kind is there
        assert "2026-11-27T" in text and ".250Z" in text and ":00.000Z" in text
        assert "1969-" in text
        assert ("2026-11-27," in text) == (fmt == "csv")  # the DATE column
        assert ('"a,""quoted""\nline"' in text) == (fmt == "csv")
        assert ("null" in text) == (fmt != "csv")


@pytest.mark.parametrize("fmt", ["csv", "json", "jsonl"])
def test_lines_from_parquet_entries(logs: Path, tmp_path: Path, fmt: str) -> None:
    """Over typed Parquet copies (a warm `--cache`: no text read, so no line can be set
    aside) the lines come straight from the query, the same bytes."""
    cache = tmp_path / "cache"
    with LocalEngine(str(logs), cache_dir=cache) as engine:
        values = engine.execute(SQL)  # fills the cache
    with LocalEngine(str(logs), cache_dir=cache) as engine:
        result = engine.stream(SQL)
        assert engine.last_files and not any(f.endswith(".log.gz") for f in _read(engine))
        positions = list(range(len(result.columns)))
        assert result.lines is not None
        lines = result.lines(fmt, positions)
        assert lines is not None
        fast = io.StringIO()
        assert output.write_lines(result.columns, lines, fmt, fast) == 4
        assert [list(r) for r in result] == [list(r) for r in values.rows]  # rows, if asked
    slow = io.StringIO()
    output.write(values.columns, values.rows, fmt, slow)
    assert fast.getvalue() == slow.getvalue()


def _read(engine: LocalEngine) -> list[str]:
    """The local paths of the files the engine's flow table reads now."""
    return [str(f.path) for group in engine._groups for f in group]


def test_types_formatted_otherwise_fall_back_to_python_values(logs: Path) -> None:
    with LocalEngine(str(logs)) as engine:
        result = engine.stream("SELECT srcaddr, bytes / 3.0 AS ratio FROM vpcflowlogstable")
        assert result.lines is not None
        assert result.lines("csv", [0, 1]) is None  # a decimal: Python's text, not DuckDB's
        assert result.lines("csv", [0]) is None  # one column: Python writes '' as ""
        assert result.count is not None and result.count() == 4


@pytest.mark.parametrize(
    ("where", "rows"), [("false", 0), ("srcaddr = '10.0.0.1'", 1), ("true", 4)]
)
def test_json_file_is_the_whole_array(logs: Path, where: str, rows: int) -> None:
    """For JSON DuckDB writes the document itself (brackets, separators, last line; `[]`
    when empty): copied, it is what `output.write` gives; read, its records are the lines."""
    sql = f"SELECT srcaddr, bytes, log_status FROM vpcflowlogstable WHERE {where} ORDER BY srcaddr"
    with LocalEngine(str(logs)) as engine:
        values = engine.execute(sql)
        copied, read = io.StringIO(), io.StringIO()
        for out in (copied, read):
            result = engine.stream(sql)
            assert result.lines is not None
            lines = result.lines("json", [0, 1, 2])
            assert lines is not None
            if out is copied:
                assert lines.copy_to(out) == rows  # type: ignore[attr-defined]
            else:
                assert output.write_lines(result.columns, lines, "json", out) == rows
        assert list((engine._copies.workdir / "results").iterdir()) == []
    expected = output.render(values.columns, values.rows, "json")
    assert copied.getvalue() == read.getvalue() == expected
    assert len(json.loads(expected)) == rows and (rows > 0 or expected == "[]\n")


@pytest.mark.parametrize("order", ["", "ORDER BY n, srcaddr"])
def test_json_array_of_many_rows_written_on_every_thread(logs: Path, order: str) -> None:
    """A result large enough for DuckDB to write from several threads is still one array
    with a separator between every two records (the ORDER BY's order kept)."""
    sql = (
        'SELECT srcaddr, k * 10000 + n AS n, from_unixtime("start" + n) AS first_seen '
        "FROM vpcflowlogstable CROSS JOIN UNNEST(sequence(1, 10000)) AS t(n) "
        f"CROSS JOIN UNNEST(sequence(0, 2)) AS u(k) {order}"
    )
    with LocalEngine(str(logs), threads=4) as engine:
        values = engine.execute(sql)
        result = engine.stream(sql)
        assert result.lines is not None
        lines = result.lines("json", [0, 1, 2])
        assert lines is not None
        copied = io.StringIO()
        assert lines.copy_to(copied) == 4 * 30000  # type: ignore[attr-defined]
    expected = output.render(values.columns, values.rows, "json")
    if order:
        assert copied.getvalue() == expected
    else:  # any order: the same records, each on its line between the separators
        text = copied.getvalue()
        assert text.startswith(output.JSON_START) and text.endswith(output.JSON_END)
        body = text[len(output.JSON_START) : -len(output.JSON_END)]
        records = body.split(output.JSON_SEPARATOR)
        assert all(r.startswith("{") and r.endswith("}") and "\n" not in r for r in records)
        assert sorted(records) == sorted(json.dumps(r) for r in json.loads(expected))


#: Strings every escaping rule meets: each control character (DuckDB's `to_json` writes
#: `\u001B` where `json.dumps` writes `\u001b`), quotes and backslashes, a backslash before
#: a control character, the text of an escape, U+2028/U+2029 (left as they are), non-ASCII,
#: CSV's separators, the empty string and NULL.
AWKWARD_STRINGS = [
    "".join(map(chr, range(0x20))) + "\x7f",
    'say "hi" \\ there',
    "\\u001B is text",
    "\\\x1b\\\\\x0b",
    "\u2028\u2029 é ü 😀 中文",
    "a,b\r\nc",
    "plain",
    "",
    None,
]


def _trino_string(text: str | None) -> str:
    """A string as Trino SQL made of `chr()` calls (no character of it quoted in the SQL)."""
    if text is None:
        return "NULL"
    return "(" + " || ".join(f"chr({ord(c)})" for c in text) + ")" if text else "''"


@pytest.mark.parametrize("fmt", ["csv", "json", "jsonl"])
def test_strings_are_escaped_as_python_escapes_them(logs: Path, fmt: str) -> None:
    values = ", ".join(f"({n}, {_trino_string(s)})" for n, s in enumerate(AWKWARD_STRINGS))
    sql = (
        "SELECT t.text, n, srcaddr FROM vpcflowlogstable "
        f"CROSS JOIN (VALUES {values}) AS t(n, text) WHERE bytes = 100 ORDER BY n"
    )
    with LocalEngine(str(logs)) as engine:
        expected = engine.execute(sql)
        result = engine.stream(sql)
        assert result.lines is not None
        lines = result.lines(fmt, [0, 1, 2])
        assert lines is not None
        fast = io.StringIO()
        assert lines.copy_to(fast) == len(AWKWARD_STRINGS)  # type: ignore[attr-defined]
    assert [row[0] for row in expected.rows] == AWKWARD_STRINGS
    slow = io.StringIO()
    output.write(expected.columns, expected.rows, fmt, slow)
    if fmt == "csv":  # copy_to writes the records, the CLI the header
        slow = io.StringIO(slow.getvalue().partition("\n")[2])
    assert fast.getvalue() == slow.getvalue()
    if fmt != "csv":
        text = fast.getvalue()
        assert "\\u001b" in text and "\\u001B" not in text.replace("\\\\u001B", "")
        assert "\u2028" in text and "😀" in text and '\\"hi\\"' in text


def test_timestamps_in_other_zones_are_written_in_utc(logs: Path) -> None:
    sql = (
        "SELECT from_unixtime(\"start\" + 0.125, 'Asia/Kolkata') AS india, "
        "from_unixtime(\"start\", 'America/St_Johns') AS newfoundland, "
        "CAST(from_unixtime(\"start\" - 0.0002, 'Asia/Tokyo') AS TIMESTAMP) AS tokyo_plain, "
        "srcaddr FROM vpcflowlogstable ORDER BY srcaddr"
    )
    with LocalEngine(str(logs)) as engine:
        expected = engine.execute(sql)
        result = engine.stream(sql)
        assert result.lines is not None
        lines = result.lines("jsonl", [0, 1, 2, 3])
        assert lines is not None
        fast = io.StringIO()
        assert output.write_lines(result.columns, lines, "jsonl", fast) == 4
    assert fast.getvalue() == output.render(expected.columns, expected.rows, "jsonl")
    first = json.loads(fast.getvalue().splitlines()[0])
    assert first["india"] == "2026-11-27T00:40:00.125Z"  # 1795740000 is 00:40 UTC
    assert first["newfoundland"] == "2026-11-27T00:40:00Z"
    assert first["tokyo_plain"] == "2026-11-27T09:39:59.999"  # Tokyo's wall clock


@pytest.mark.parametrize("mode", ["w", "a"])  # sendfile to the file; to O_APPEND it cannot
def test_lines_copied_to_a_file_follow_what_was_written_before(
    logs: Path, tmp_path: Path, mode: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    sent: list[int] = []  # what each call of _send_file sent
    send_file = local._send_file

    def recorded(handle: BinaryIO, out: BinaryIO) -> int:
        sent.append(send_file(handle, out))
        return sent[-1]

    monkeypatch.setattr(local, "_send_file", recorded)
    sql = "SELECT srcaddr, bytes, log_status FROM vpcflowlogstable ORDER BY srcaddr"
    target = tmp_path / "out.jsonl"
    with LocalEngine(str(logs)) as engine:
        values = engine.execute(sql)
        expected = output.render(values.columns, values.rows, "jsonl")
        result = engine.stream(sql)
        assert result.lines is not None
        lines = result.lines("jsonl", [0, 1, 2])
        assert lines is not None
        with open(target, mode, encoding="utf-8") as out:
            out.write("before\n")  # still in the text layer's buffer
            assert lines.copy_to(out) == 4  # type: ignore[attr-defined]
            out.write("after\n")
    assert target.read_text(encoding="utf-8") == f"before\n{expected}after\n"
    assert sent == ([len(expected.encode())] if mode == "w" else [0])  # sent, or copied
