"""The SQL of `engine.output_sql` run on DuckDB: each value's JSON and CSV text is what
`json.dumps` / `output.text_value` make of it, one character or one instant at a time."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import duckdb
import pytest

from vpc_cidr_analysis import output
from vpc_cidr_analysis.engine import output_sql

#: Every ASCII character, and the Unicode ones JSON writers are known to treat apart.
CHARACTERS = [chr(i) for i in range(0x80)] + ["\u0085", "\u00a0", "\u2028", "\u2029", "\ufeff",
                                               "é", "中", "\U0001f600"]  # fmt: skip


@pytest.fixture(scope="module")
def con() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.execute("SET TimeZone = 'Asia/Kolkata'")  # the zone a TIMESTAMPTZ is shown in
    return con


def test_every_character_in_a_json_string_is_what_json_dumps_writes(
    con: duckdb.DuckDBPyConnection,
) -> None:
    texts = [f"a{c}b" for c in CHARACTERS] + ["\\" + c for c in CHARACTERS] + ["", "\\u001B"]
    got = con.execute(
        f"SELECT {output_sql.json_sql('text', 'VARCHAR')} FROM unnest(?::VARCHAR[]) AS t(text)",
        [texts],
    ).fetchall()
    assert [row[0] for row in got] == [json.dumps(t, ensure_ascii=False) for t in texts]


def test_a_null_of_every_kind_is_json_null_and_an_empty_csv_field(
    con: duckdb.DuckDBPyConnection,
) -> None:
    for kind in ("VARCHAR", "BOOLEAN", "BIGINT", "DATE", "TIMESTAMP", "TIMESTAMP WITH TIME ZONE"):
        value = f"CAST(NULL AS {kind})"
        json_text, text = output_sql.json_sql(value, kind), output_sql.text_sql(value, kind)
        assert json_text is not None and text is not None
        assert con.execute(f"SELECT {json_text}, {text}").fetchone() == ("null", None), kind


@pytest.mark.parametrize("micros", [0, 1, 499, 500, 999, 1000, 250_000, 999_999])
@pytest.mark.parametrize("seconds", [1795740000, 0, -1, -86_400 * 365 * 70 - 7])
def test_timestamps_are_iso_with_milliseconds_only_when_there_are_any(
    con: duckdb.DuckDBPyConnection, seconds: int, micros: int
) -> None:
    instant = datetime(1970, 1, 1, tzinfo=UTC) + timedelta(seconds=seconds, microseconds=micros)
    epoch = seconds * 1_000_000 + micros
    zoned = f"make_timestamptz({epoch}::BIGINT)"
    plain = f"make_timestamp({epoch}::BIGINT)"
    sql = [
        output_sql.json_sql(zoned, "TIMESTAMP WITH TIME ZONE"),
        output_sql.json_sql(plain, "TIMESTAMP"),
        output_sql.text_sql(zoned, "TIMESTAMP WITH TIME ZONE"),
    ]
    got = con.execute(f"SELECT {', '.join(s for s in sql if s)}").fetchone()
    naive = instant.replace(tzinfo=None)
    assert got == (
        json.dumps(output.json_value(instant)),
        json.dumps(output.json_value(naive)),
        output.text_value(instant),
    )


def test_types_formatted_otherwise_are_left_to_python() -> None:
    for kind in ("DOUBLE", "DECIMAL(18,3)", "INET", "VARCHAR[]", "MAP(VARCHAR, BIGINT)", "UUID"):
        assert output_sql.json_sql("x", kind) is None
        assert output_sql.line_sql("jsonl", [("a", "x", kind), ("b", "y", "BIGINT")]) is None
        assert output_sql.line_sql("csv", [("a", "x", kind), ("b", "y", "BIGINT")]) is None
