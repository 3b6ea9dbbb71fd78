"""Rows as finished CSV and JSON text, formatted by DuckDB in SQL, in the shapes of `output`.

`output` writes Python values (about 100 k rows/s); for a result kept in DuckDB the engine
asks DuckDB for one text line per row instead (`line_sql`), so writing a large result costs a
fetch of one string per row. Each value's text is the one `output.text_value` /
`output.json_value` gives: integers as digits, booleans `true`/`false`, dates ISO, timestamps
ISO 8601 (`2026-11-22T01:10:11Z`, milliseconds only when there are any), NULL an empty CSV
field or JSON `null`, CSV quoted as Python's `csv` module quotes (RFC 4180, minimal). Types
formatted differently there (floats, decimals, addresses, lists) are not handled here: None.

A line is one `concat(...)` of its parts (a chain of `||` copies the growing line once per
part: about twice the CPU), and a timestamp one `strftime` (`%g` gives the milliseconds).
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence

_INTEGERS = re.compile(r"^(U?(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT))$")


def _timestamp(value: str, suffix: str = "") -> str:
    whole = "%Y-%m-%dT%H:%M:%S"
    return (
        f"CASE WHEN microsecond({value}) % 1000000 = 0 THEN strftime({value}, '{whole}{suffix}') "
        f"ELSE strftime({value}, '{whole}.%g{suffix}') END"
    )


def text_sql(value: str, kind: str) -> str | None:
    """SQL giving a value's text (NULL for NULL), for a DuckDB type name; None: not here."""
    if kind == "VARCHAR":
        return value
    if kind == "BOOLEAN":
        return f"CASE WHEN {value} THEN 'true' WHEN NOT {value} THEN 'false' END"
    if _INTEGERS.match(kind):
        return f"CAST({value} AS VARCHAR)"
    if kind == "DATE":
        return f"CAST({value} AS VARCHAR)"
    if kind == "TIMESTAMP WITH TIME ZONE":
        return _timestamp(f"timezone('UTC', {value})", "Z")
    if kind == "TIMESTAMP UTC":  # a TIMESTAMP WITH TIME ZONE already in UTC as TIMESTAMP
        return _timestamp(value, "Z")
    if kind == "TIMESTAMP":
        return _timestamp(value)
    return None


def _csv_field(text: str, kind: str) -> str:
    if kind != "VARCHAR":
        return f"coalesce({text}, '')"
    special = " OR ".join(f"contains({text}, {c})" for c in ("','", "'\"'", "chr(10)", "chr(13)"))
    quoted = f"concat('\"', replace({text}, '\"', '\"\"'), '\"')"
    return f"coalesce(CASE WHEN {special} THEN {quoted} ELSE {text} END, '')"


def _json_value(text: str, kind: str) -> str:
    if kind == "VARCHAR" or kind.startswith(("DATE", "TIMESTAMP")):
        return f"coalesce(CAST(to_json({text}) AS VARCHAR), 'null')"
    return f"coalesce({text}, 'null')"


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def line_sql(fmt: str, values: Sequence[tuple[str, str, str]]) -> str | None:
    """SQL of one row's line: a CSV record or a JSON object (`{"name": value, ...}` with
    `json.dumps`'s separators); `values` are (column name, text SQL, type). None: the format
    or a one-column CSV (whose empty value Python writes as `""`) is not handled here."""
    if not values:
        return None
    if fmt == "csv":
        if len(values) == 1:
            return None
        return "concat(" + ", ',', ".join(_csv_field(text, kind) for _, text, kind in values) + ")"
    if fmt in ("json", "jsonl"):
        parts = []
        for i, (name, text, kind) in enumerate(values):
            key = ("{" if i == 0 else ", ") + json.dumps(name, ensure_ascii=False) + ": "
            parts.append(f"{_literal(key)}, {_json_value(text, kind)}")
        return "concat(" + ", ".join(parts) + ", '}')"
    return None
