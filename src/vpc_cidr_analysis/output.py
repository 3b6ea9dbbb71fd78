"""Render query results as an aligned table, CSV or JSON (shared by the CLI commands).

Values are shown the way Athena's console shows them where that matters: NULL is `NULL` in a
table, an empty field in CSV and `null` in JSON; dates, timestamps and decimals are text in
JSON (`2026-11-27`, `2026-11-27 10:00:00.000 UTC`, `"12.50"`) so no precision is lost.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Sequence
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any, Literal, TextIO

Format = Literal["table", "csv", "json"]
FORMATS: tuple[Format, ...] = ("table", "csv", "json")
NULL_TEXT = "NULL"


def text_value(value: Any) -> str:
    """A value as text (table and CSV cells); None is the empty string."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return _timestamp_text(value)
    if isinstance(value, (date, time)):
        return value.isoformat()
    if isinstance(value, timedelta):
        return str(value)
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, bytes):
        return value.hex()
    if isinstance(value, (list, tuple, dict)):
        return json.dumps(json_value(value), ensure_ascii=False)
    return str(value)


def _timestamp_text(value: datetime) -> str:
    text = value.strftime("%Y-%m-%d %H:%M:%S") + f".{value.microsecond // 1000:03d}"
    if value.tzinfo is not None:
        offset = value.utcoffset()
        zone = "UTC" if offset == timedelta(0) else value.strftime("%z")
        text += f" {zone}"
    return text


def json_value(value: Any) -> Any:
    """A value as JSON data: numbers and booleans stay, dates/decimals become strings."""
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        return (
            value if value == value and value not in (float("inf"), float("-inf")) else str(value)
        )
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dict):
        return {str(k): json_value(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_value(v) for v in value]
    return text_value(value)


def render(columns: Sequence[str], rows: Iterable[Sequence[Any]], fmt: Format | str) -> str:
    """Rows in a format, as text (see `write` to stream into a file)."""
    buffer = io.StringIO()
    write(columns, rows, fmt, buffer)
    return buffer.getvalue()


def write(
    columns: Sequence[str], rows: Iterable[Sequence[Any]], fmt: Format | str, out: TextIO
) -> int:
    """Write rows in a format; returns the number of rows written.

    CSV and JSON stream row by row; the table needs every row to size its columns.
    """
    if fmt == "csv":
        return render_csv(columns, rows, out)
    if fmt == "json":
        return render_json(columns, rows, out)
    if fmt == "table":
        return render_table(columns, rows, out)
    raise ValueError(f"unknown output format {fmt!r}: expected one of {', '.join(FORMATS)}")


def render_csv(columns: Sequence[str], rows: Iterable[Sequence[Any]], out: TextIO) -> int:
    """CSV with a header row (RFC 4180 quoting); NULL is an empty field."""
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    count = 0
    for row in rows:
        writer.writerow([text_value(v) for v in row])
        count += 1
    return count


def render_json(columns: Sequence[str], rows: Iterable[Sequence[Any]], out: TextIO) -> int:
    """A JSON list of objects, one per row, keys in column order."""
    count = 0
    out.write("[")
    for row in rows:
        record = {name: json_value(v) for name, v in zip(columns, row, strict=True)}
        out.write(("," if count else "") + "\n  " + json.dumps(record, ensure_ascii=False))
        count += 1
    out.write("\n]\n" if count else "]\n")
    return count


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float, Decimal)) and not isinstance(value, bool)


def render_table(columns: Sequence[str], rows: Iterable[Sequence[Any]], out: TextIO) -> int:
    """Aligned columns with a header and a rule; numbers right-aligned; NULL shown as NULL."""
    cells: list[list[str]] = []
    numeric = [True] * len(columns)
    seen = [False] * len(columns)
    for row in rows:
        line = []
        for i, value in enumerate(row):
            line.append(NULL_TEXT if value is None else text_value(value).replace("\n", "\\n"))
            if value is not None:
                seen[i] = True
                numeric[i] = numeric[i] and _is_number(value)
        cells.append(line)
    right = [numeric[i] and seen[i] for i in range(len(columns))]
    widths = [len(c) for c in columns]
    for line in cells:
        widths = [max(w, len(v)) for w, v in zip(widths, line, strict=True)]

    def fmt(values: Sequence[str]) -> str:
        parts = [
            v.rjust(widths[i]) if right[i] else v.ljust(widths[i]) for i, v in enumerate(values)
        ]
        return "  ".join(parts).rstrip()

    out.write(fmt(list(columns)) + "\n")
    out.write("  ".join("-" * w for w in widths) + "\n")
    for line in cells:
        out.write(fmt(line) + "\n")
    out.write(f"({len(cells)} row{'s' if len(cells) != 1 else ''})\n")
    return len(cells)
