"""The SQL of `engine.output_sql` run on DuckDB: each value's JSON and CSV text is what
`output` makes of it (`json.dumps`, the `csv` module), one character or one instant at a
time."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime, timedelta

import duckdb
import pytest

from vpc_cidr_analysis import output
from vpc_cidr_analysis.engine import output_sql

#: Every ASCII character, and the Unicode ones JSON writers are known to treat apart.
CHARACTERS = [chr(i) for i in range(0x80)] + ["\u0085", "\u00a0", "\u2028", "\u2029", "\ufeff",
                                               "é", "中", "\U0001f600"]  # fmt: skip
KINDS = ("VARCHAR", "BOOLEAN", "BIGINT", "DATE", "TIMESTAMP", "TIMESTAMP WITH TIME ZONE")


@pytest.fixture(scope="module")
def con() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.execute("SET TimeZone = 'Asia/Kolkata'")  # the zone a TIMESTAMPTZ is shown in
    return con


def _lines(con: duckdb.DuckDBPyConnection, line: str | None, texts: list[str | None]) -> list[str]:
    assert line is not None
    sql = f"SELECT {line} FROM unnest(?::VARCHAR[]) WITH ORDINALITY AS t(text, n) ORDER BY n"
    return [row[0] for row in con.execute(sql, [texts]).fetchall()]


@pytest.mark.parametrize("fmt", ["jsonl", "csv"])
def test_every_character_in_a_string_is_what_output_writes(
    con: duckdb.DuckDBPyConnection, fmt: str
) -> None:
    texts: list[str | None] = [f"a{c}b" for c in CHARACTERS]
    texts += ["\\" + c for c in CHARACTERS] + ["", None, "\\u001B", "\\u00", "\x1b\\u001B"]
    columns = [("text", "text", "VARCHAR"), ("n", "n", "BIGINT")]
    got = _lines(con, output_sql.line_sql(fmt, columns), texts)
    rows = [(text, n) for n, text in enumerate(texts, start=1)]
    if fmt == "csv":  # a lone CR is quoted, as RFC 4180 and Python 3.13's csv quote it
        assert got[0x0D] == '"a\rb",14'  # (3.11 and 3.12 write it bare)
        rows = [(t, n) for t, n in rows if t is None or "\r" not in t]
        got = [line for line in got if "\r" not in line]
        assert "\n".join(got) + "\n" == output.render(["text", "n"], rows, "csv").split("\n", 1)[1]
    else:
        assert got == [json.dumps({"text": t, "n": n}, ensure_ascii=False) for t, n in rows]


def test_a_column_name_with_an_escape_is_written_as_json_dumps_writes_it(
    con: duckdb.DuckDBPyConnection,
) -> None:
    columns = [("a\x1bb\\u00", "text", "VARCHAR"), ('"n"', "n", "BIGINT")]
    got = _lines(con, output_sql.line_sql("jsonl", columns), ["x\x0by", "plain"])
    names = [name for name, _, _ in columns]
    expected = [
        dict(zip(names, ("x\x0by", 1), strict=True)),
        dict(zip(names, ("plain", 2), strict=True)),
    ]
    assert got == [json.dumps(e, ensure_ascii=False) for e in expected]


def test_a_null_of_every_kind_is_json_null_and_an_empty_csv_field(
    con: duckdb.DuckDBPyConnection,
) -> None:
    columns = [(kind.lower(), f"CAST(NULL AS {kind})", kind) for kind in KINDS]
    json_line, csv_line = output_sql.line_sql("jsonl", columns), output_sql.line_sql("csv", columns)
    assert json_line is not None and csv_line is not None
    row = con.execute(f"SELECT {json_line}, {csv_line}").fetchone()
    assert row == (json.dumps(dict.fromkeys(c[0] for c in columns)), "," * (len(KINDS) - 1))


@pytest.mark.parametrize("micros", [0, 1, 499, 500, 999, 1000, 250_000, 999_999])
@pytest.mark.parametrize("seconds", [1795740000, 0, -1, -86_400 * 365 * 70 - 7])
def test_timestamps_are_iso_with_milliseconds_only_when_there_are_any(
    con: duckdb.DuckDBPyConnection, seconds: int, micros: int
) -> None:
    instant = datetime(1970, 1, 1, tzinfo=UTC) + timedelta(seconds=seconds, microseconds=micros)
    epoch = seconds * 1_000_000 + micros
    columns = [
        ("zoned", f"make_timestamptz({epoch}::BIGINT)", "TIMESTAMP WITH TIME ZONE"),
        ("plain", f"make_timestamp({epoch}::BIGINT)", "TIMESTAMP"),
    ]
    row = (instant, instant.replace(tzinfo=None))
    json_line, csv_line = output_sql.line_sql("jsonl", columns), output_sql.line_sql("csv", columns)
    got = con.execute(f"SELECT {json_line}, {csv_line}").fetchone()
    csv_text = io.StringIO()
    csv.writer(csv_text, lineterminator="").writerow([output.text_value(v) for v in row])
    assert got == (
        output.render(["zoned", "plain"], [row], "jsonl").rstrip("\n"),
        csv_text.getvalue(),
    )


def test_types_formatted_otherwise_are_left_to_python() -> None:
    for kind in ("DOUBLE", "DECIMAL(18,3)", "INET", "VARCHAR[]", "MAP(VARCHAR, BIGINT)", "UUID"):
        for fmt in ("csv", "json", "jsonl"):
            assert output_sql.line_sql(fmt, [("a", "x", kind), ("b", "y", "BIGINT")]) is None
    assert output_sql.line_sql("csv", [("a", "x", "BIGINT")]) is None  # one CSV column
    assert output_sql.line_sql("table", [("a", "x", "BIGINT")]) is None
