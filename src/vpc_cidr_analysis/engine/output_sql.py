"""Rows as finished CSV and JSON text, formatted by DuckDB in SQL, in the shapes of `output`.

`output` writes Python values (about 100 k rows/s); for a result kept in DuckDB the engine
asks DuckDB for one text line per row instead (`line_sql`), so writing a large result costs a
fetch of one string per row. Each value's text is the one `output.text_value` /
`output.json_value` gives: integers as digits, booleans `true`/`false`, dates ISO, timestamps
ISO 8601 (`2026-11-22T01:10:11Z`, milliseconds only when there are any), strings escaped as
`json.dumps(..., ensure_ascii=False)` escapes them, NULL an empty CSV field or JSON `null`,
CSV quoted as Python's `csv` module quotes (RFC 4180, minimal). Types formatted differently
there (floats, decimals, addresses, lists) are not handled here: None.

What each value costs was measured (BENCHMARKS.md, "JSON and JSON Lines lines"): a line is one
`concat(...)` of its parts (a chain of `||` copies the growing line once per part); a
timestamp one `strftime` of its epoch microseconds as a plain TIMESTAMP (converting a
TIMESTAMP WITH TIME ZONE with `timezone('UTC', …)` goes through ICU: three times the CPU),
with JSON's quotes inside the format; a JSON string DuckDB's `to_json`, which escapes as
Python does but for the hexadecimal digits of `\\u00XX` (upper case: `\\u001B`), so a JSON
line holding a `\\u00` is made again with its strings escaped by `replace` (rare: control
characters).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence

from vpc_cidr_analysis.sqltext import sql_string

_INTEGERS = re.compile(r"^(U?(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT))$")

#: What `json.dumps` writes for each character it escapes in a string (ensure_ascii=False):
#: the backslash first, so the backslashes the others put in are not escaped again.
_JSON_ESCAPES = [
    (char, json.dumps(char, ensure_ascii=False)[1:-1])
    for char in ["\\", '"', *map(chr, range(0x20))]
]


def _char(char: str) -> str:
    """A one-character SQL string (control characters as `chr(n)`)."""
    return f"chr({ord(char)})" if ord(char) < 0x20 else sql_string(char)


def _timestamp(value: str, *, zone: bool, quote: str = "") -> str:
    """SQL of a TIMESTAMP [WITH TIME ZONE]'s ISO text (NULL for NULL), inside `quote`s."""
    micros = f"epoch_us({value})"
    stamp = f"make_timestamp({micros})" if zone else value  # UTC, as a plain TIMESTAMP
    whole = f"{quote}%Y-%m-%dT%H:%M:%S"
    end = ("Z" if zone else "") + quote
    return (
        f"CASE WHEN {micros} % 1000000 = 0 THEN strftime({stamp}, {sql_string(whole + end)}) "
        f"ELSE strftime({stamp}, {sql_string(whole + '.%g' + end)}) END"
    )


def text_sql(value: str, kind: str) -> str | None:
    """SQL giving a value's text (NULL for NULL), for a DuckDB type name; None: not here."""
    if kind == "VARCHAR":
        return value
    if kind == "BOOLEAN":
        return f"CASE WHEN {value} THEN 'true' WHEN NOT {value} THEN 'false' END"
    if _INTEGERS.match(kind) or kind == "DATE":
        return f"CAST({value} AS VARCHAR)"
    if kind in ("TIMESTAMP WITH TIME ZONE", "TIMESTAMP"):
        return _timestamp(value, zone=kind != "TIMESTAMP")
    return None


def _dumped(value: str) -> str:
    """A VARCHAR as DuckDB's JSON string: `json.dumps`'s but for `\\u00XX`'s hex digits."""
    return f"CAST(to_json({value}) AS VARCHAR)"


def _escaped(value: str) -> str:
    """A VARCHAR as the JSON string `json.dumps` writes, escaped by `replace` (slower)."""
    escaped = value
    for char, escape in _JSON_ESCAPES:
        escaped = f"replace({escaped}, {_char(char)}, {sql_string(escape)})"
    return f"'\"' || {escaped} || '\"'"


def _json_value(value: str, kind: str, string: Callable[[str], str]) -> str | None:
    """SQL giving a value as JSON text (`null` for NULL), strings made by `string`."""
    text: str | None
    if kind == "VARCHAR":
        text = string(value)
    elif kind in ("TIMESTAMP WITH TIME ZONE", "TIMESTAMP"):
        text = _timestamp(value, zone=kind != "TIMESTAMP", quote='"')
    elif kind == "DATE":  # digits and dashes: nothing to escape
        text = f"'\"' || CAST({value} AS VARCHAR) || '\"'"
    else:
        text = text_sql(value, kind)  # integers and booleans: as they are
    return None if text is None else f"coalesce({text}, 'null')"


def _json_line(columns: Sequence[tuple[str, str, str]], string: Callable[[str], str]) -> str | None:
    parts = []
    for i, (name, value, kind) in enumerate(columns):
        text = _json_value(value, kind, string)
        if text is None:
            return None
        key = ("{" if i == 0 else ", ") + json.dumps(name, ensure_ascii=False) + ": "
        parts.append(f"{sql_string(key)}, {text}")
    return "concat(" + ", ".join(parts) + ", '}')"


def _csv_field(value: str, kind: str) -> str | None:
    text = text_sql(value, kind)
    if text is None:
        return None
    if kind != "VARCHAR":
        return f"coalesce({text}, '')"
    special = " OR ".join(f"contains({text}, {c})" for c in ("','", "'\"'", "chr(10)", "chr(13)"))
    quoted = f"concat('\"', replace({text}, '\"', '\"\"'), '\"')"
    return f"coalesce(CASE WHEN {special} THEN {quoted} ELSE {text} END, '')"


def line_sql(fmt: str, columns: Sequence[tuple[str, str, str]]) -> str | None:
    """SQL of one row's line: a CSV record or a JSON object (`{"name": value, ...}` with
    `json.dumps`'s separators); `columns` are (name, SQL of the value, DuckDB type). None:
    the format, a type, or a one-column CSV (whose empty value Python writes as `""`) is not
    handled here."""
    if not columns:
        return None
    if fmt == "csv":
        fields = [_csv_field(value, kind) for _, value, kind in columns]
        if len(fields) == 1 or None in fields:
            return None
        return "concat(" + ", ',', ".join(f for f in fields if f is not None) + ")"
    if fmt not in ("json", "jsonl"):
        return None
    line = _json_line(columns, _dumped)
    if line is None or all(kind != "VARCHAR" for _, _, kind in columns):
        return line
    # A line whose to_json text holds a \u00 (rare: a control character, or that text) is
    # made again with its strings escaped by replace. One contains() per line costs less
    # than one per string; DuckDB computes the line once for both of its uses.
    again = _json_line(columns, _escaped)
    return f"CASE WHEN contains({line}, '\\u00') THEN {again} ELSE {line} END"
