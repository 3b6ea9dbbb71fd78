"""Render query results as an aligned table, CSV, JSON or JSON Lines (shared by the CLI).

NULL is `NULL` in a table, an empty field in CSV and `null` in JSON; dates, timestamps and
decimals are text in JSON (`2026-11-27`, `2026-11-27T10:00:00Z`, `"12.50"`) so no precision
is lost. Timestamps are ISO 8601 everywhere, in UTC with `Z` when they carry a zone. JSON is
always one array of objects; JSON Lines one object per line, for streaming. A table can be
fitted to a width (a terminal's): the widest columns are cut, their cells ending in `…`; and
cut to a number of rows (`more`: how many were left out, said on the last lines).
`write_lines` writes rows that are already text lines (CSV records or JSON objects formatted
elsewhere, e.g. by the local engine's DuckDB) in the same shapes.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any, Literal, TextIO

from vpc_cidr_analysis.errors import AnalysisError

Format = Literal["table", "csv", "json", "jsonl"]
FORMATS: tuple[Format, ...] = ("table", "csv", "json", "jsonl")
NULL_TEXT = "NULL"
#: A fitted table never cuts a column narrower than this (or its header, if shorter).
MIN_COLUMN_WIDTH = 8
ELLIPSIS = "…"
#: The JSON array's text around and between its records (one object per line, indented two
#: spaces): what `render_json` writes, and what the local engine asks DuckDB to write.
JSON_START = "[\n  "
JSON_SEPARATOR = ",\n  "
JSON_END = "\n]\n"
JSON_EMPTY = "[]\n"


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
    """ISO 8601: `2026-11-22T01:10:11Z` (milliseconds only when there are any)."""
    if value.tzinfo is not None:
        value = value.astimezone(UTC)
    text = value.strftime("%Y-%m-%dT%H:%M:%S")
    if value.microsecond:
        text += f".{value.microsecond // 1000:03d}"
    return text + ("Z" if value.tzinfo is not None else "")


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


class OutputError(AnalysisError, ValueError):
    """An output choice that cannot be met: an unknown format or column."""


def render(
    columns: Sequence[str],
    rows: Iterable[Sequence[Any]],
    fmt: Format | str,
    *,
    width: int | None = None,
) -> str:
    """Rows in a format, as text (see `write` to stream into a file)."""
    buffer = io.StringIO()
    write(columns, rows, fmt, buffer, width=width)
    return buffer.getvalue()


def write(
    columns: Sequence[str],
    rows: Iterable[Sequence[Any]],
    fmt: Format | str,
    out: TextIO,
    *,
    width: int | None = None,
) -> int:
    """Write rows in a format; returns the number of rows written.

    CSV, JSON and JSON Lines stream row by row; the table needs every row to size its
    columns, and is fitted to `width` characters when one is given.
    """
    if fmt == "csv":
        return render_csv(columns, rows, out)
    if fmt == "json":
        return render_json(columns, rows, out)
    if fmt == "jsonl":
        return render_jsonl(columns, rows, out)
    if fmt == "table":
        return render_table(columns, rows, out, width=width)
    raise OutputError(f"unknown output format {fmt!r}: expected one of {', '.join(FORMATS)}")


def select_columns(
    columns: Sequence[str], rows: Iterable[Sequence[Any]], chosen: Sequence[str]
) -> tuple[list[str], Iterator[Sequence[Any]]]:
    """Only the `chosen` columns, in the order given; `OutputError` names an unknown one."""
    if not chosen:
        return list(columns), iter(rows)
    unknown = [name for name in chosen if name not in columns]
    if unknown:
        raise OutputError(
            f"no column {unknown[0]!r} in this output; expected names from: {', '.join(columns)}"
        )
    picks = [list(columns).index(name) for name in chosen]
    return list(chosen), ([row[i] for i in picks] for row in rows)


def parse_columns(text: str | None) -> list[str]:
    """`--columns a,b,c` as a list of names (spaces around names ignored)."""
    if not text:
        return []
    names = [name.strip() for name in text.split(",")]
    if any(not name for name in names):
        raise OutputError(f"columns {text!r} has an empty name; expected e.g. srcaddr,dstaddr")
    return names


def render_csv(columns: Sequence[str], rows: Iterable[Sequence[Any]], out: TextIO) -> int:
    """CSV with a header row (RFC 4180 quoting); NULL is an empty field.

    Text, integers and NULL, most cells, are turned into text here without `text_value`'s
    chain of type tests (the same text; 40 % less CPU on the pack's results)."""
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    text = text_value
    count = 0
    for row in rows:
        writer.writerow(
            [
                v if type(v) is str else "" if v is None else str(v) if type(v) is int else text(v)
                for v in row
            ]
        )
        count += 1
    return count


def render_json(columns: Sequence[str], rows: Iterable[Sequence[Any]], out: TextIO) -> int:
    """A JSON list of objects, one per row, keys in column order."""
    count = 0
    for row in rows:
        record = {name: json_value(v) for name, v in zip(columns, row, strict=True)}
        text = json.dumps(record, ensure_ascii=False)
        out.write((JSON_SEPARATOR if count else JSON_START) + text)
        count += 1
    out.write(JSON_END if count else JSON_EMPTY)
    return count


def render_jsonl(columns: Sequence[str], rows: Iterable[Sequence[Any]], out: TextIO) -> int:
    """JSON Lines: one object per row and line, keys in column order."""
    count = 0
    for row in rows:
        record = {name: json_value(v) for name, v in zip(columns, row, strict=True)}
        out.write(json.dumps(record, ensure_ascii=False) + "\n")
        count += 1
    return count


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float, Decimal)) and not isinstance(value, bool)


def write_lines(
    columns: Sequence[str], lines: Iterable[str], fmt: Format | str, out: TextIO
) -> int:
    """Write rows given as finished lines (a CSV record, or a JSON object) in `fmt`'s shape:
    CSV under a header row, JSON Lines as they are, JSON inside one array."""
    if fmt == "csv":
        csv.writer(out, lineterminator="\n").writerow(columns)
    elif fmt not in ("json", "jsonl"):
        raise OutputError(f"lines cannot be written as {fmt!r}: expected csv, json or jsonl")
    count = 0
    batch: list[str] = []
    for line in lines:
        batch.append(line)
        if len(batch) == 10_000:
            out.write(_joined(batch, fmt, first=count == 0))
            count += len(batch)
            batch = []
    if batch:
        out.write(_joined(batch, fmt, first=count == 0))
        count += len(batch)
    if fmt == "json":
        out.write(JSON_END if count else JSON_EMPTY)
    return count


def _joined(batch: list[str], fmt: str, *, first: bool) -> str:
    if fmt == "json":
        return (JSON_START if first else JSON_SEPARATOR) + JSON_SEPARATOR.join(batch)
    return "\n".join(batch) + "\n"


def render_table(
    columns: Sequence[str],
    rows: Iterable[Sequence[Any]],
    out: TextIO,
    *,
    width: int | None = None,
    more: int = 0,
) -> int:
    """Aligned columns with a header and a rule; numbers right-aligned; NULL shown as NULL.

    With `width`, the widest columns are narrowed (down to `MIN_COLUMN_WIDTH`) until a line
    fits, and cells cut to their column end in `…`; columns that still do not fit are left
    out from the right, and the last line names them. `more`: rows left out after these,
    said as `… N more rows` (the CLI's `--limit` shows more).
    """
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
    shown = len(columns)
    if width is not None:
        fitted = _fit(widths, width)
        while shown > 1 and sum(fitted[:shown]) + 2 * (shown - 1) > width:
            shown -= 1
        widths = _fit(widths[:shown], width)

    def fmt(values: Sequence[str]) -> str:
        parts = []
        for i, v in enumerate(values[:shown]):
            if len(v) > widths[i]:
                v = v[: max(widths[i] - 1, 0)] + ELLIPSIS
            parts.append(v.rjust(widths[i]) if right[i] else v.ljust(widths[i]))
        return "  ".join(parts).rstrip()

    out.write(fmt(list(columns)) + "\n")
    out.write("  ".join("-" * w for w in widths[:shown]) + "\n")
    for line in cells:
        out.write(fmt(line) + "\n")
    if more:
        out.write(
            f"{ELLIPSIS} {more} more row{'s' if more != 1 else ''} (show them with --limit)\n"
        )
    hidden = list(columns[shown:])
    left_out = f"; {len(hidden)} columns left out to fit: {', '.join(hidden)}" if hidden else ""
    out.write(f"({len(cells)} row{'s' if len(cells) != 1 else ''}{left_out})\n")
    return len(cells)


def _fit(widths: list[int], width: int) -> list[int]:
    """Column widths whose line (two spaces between columns) fits `width`, if it can."""
    fitted = list(widths)
    floors = [min(w, MIN_COLUMN_WIDTH) for w in widths]
    excess = sum(fitted) + 2 * (len(fitted) - 1) - width
    while excess > 0:
        narrowable = [i for i, w in enumerate(fitted) if w > floors[i]]
        if not narrowable:
            break
        widest = max(narrowable, key=fitted.__getitem__)
        fitted[widest] -= 1
        excess -= 1
    return fitted


def human_bytes(count: int) -> str:
    """Bytes in decimal units as Athena bills them: `512 B`, `1.2 kB`, `3.4 MB`, `5.0 TB`."""
    if count < 1000:
        return f"{count} B"
    value = float(count)
    for unit in ("kB", "MB", "GB", "TB"):
        value /= 1000
        if value < 1000:
            return f"{value:.1f} {unit}"
    return f"{value / 1000:.1f} PB"
