"""Rendering rows: ISO 8601 timestamps, JSON arrays and JSON Lines, column choice, fitted tables."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal

import pytest

from vpc_cidr_analysis.output import (
    OutputError,
    human_bytes,
    parse_columns,
    render,
    render_csv,
    select_columns,
    text_value,
)


def test_timestamps_are_iso_8601_in_utc() -> None:
    assert text_value(datetime(2026, 11, 22, 1, 10, 11, tzinfo=UTC)) == "2026-11-22T01:10:11Z"
    plus_two = timezone(timedelta(hours=2))
    assert text_value(datetime(2026, 11, 22, 3, 10, 11, tzinfo=plus_two)) == (
        "2026-11-22T01:10:11Z"
    )
    assert text_value(datetime(2026, 11, 22, 1, 10, 11, 250000)) == "2026-11-22T01:10:11.250"


def test_csv_and_json_write_the_same_iso_timestamp() -> None:
    when = datetime(2026, 11, 22, 1, 10, 11, tzinfo=UTC)
    assert render(["t"], [(when,)], "csv") == "t\n2026-11-22T01:10:11Z\n"
    assert json.loads(render(["t"], [(when,)], "json")) == [{"t": "2026-11-22T01:10:11Z"}]


def test_json_is_one_array_and_jsonl_one_object_a_line() -> None:
    rows = [(1, "a"), (2, None)]
    assert json.loads(render(["n", "s"], rows, "json")) == [
        {"n": 1, "s": "a"},
        {"n": 2, "s": None},
    ]
    lines = render(["n", "s"], rows, "jsonl").splitlines()
    assert [json.loads(line) for line in lines] == [{"n": 1, "s": "a"}, {"n": 2, "s": None}]
    assert render(["n"], [], "jsonl") == ""


def test_columns_are_chosen_in_the_order_given() -> None:
    names, rows = select_columns(["a", "b", "c"], [(1, 2, 3)], ["c", "a"])
    assert (names, list(rows)) == (["c", "a"], [[3, 1]])
    assert parse_columns(" c , a ") == ["c", "a"]
    with pytest.raises(
        OutputError, match="no column 'x' in this output; expected names from: a, b"
    ):
        select_columns(["a", "b"], [], ["x"])
    with pytest.raises(OutputError, match="has an empty name"):
        parse_columns("a,,b")


def test_a_table_fits_the_width_by_cutting_the_widest_column() -> None:
    rows = [("eni-1", "x" * 60, 12345)]
    full = render(["id", "description", "bytes"], rows, "table")
    assert max(len(line) for line in full.splitlines()) == 5 + 2 + 60 + 2 + 5
    fitted = render(["id", "description", "bytes"], rows, "table", width=40).splitlines()
    assert max(len(line) for line in fitted) == 40
    assert fitted[2] == "eni-1  " + "x" * 25 + "…  12345"
    assert fitted[-1] == "(1 row)"


def test_columns_that_cannot_fit_are_left_out_and_named() -> None:
    text = render(["aaaaaaaaaa", "bbbbbbbbbb", "cc"], [("1", "2", "3")], "table", width=12)
    assert text.splitlines() == [
        "aaaaaaaaaa",
        "----------",
        "1",
        "(1 row; 2 columns left out to fit: bbbbbbbbbb, cc)",
    ]
    narrow = render(["aaaaaaaaaa", "bbbbbbbbbb"], [("1", "2")], "table", width=5)
    assert narrow.splitlines()[0] == "aaaaaaa…"  # one column is always shown


@pytest.mark.parametrize(
    ("count", "text"),
    [(0, "0 B"), (999, "999 B"), (1500, "1.5 kB"), (10_000_000, "10.0 MB"), (2 * 10**12, "2.0 TB")],
)
def test_human_bytes(count: int, text: str) -> None:
    assert human_bytes(count) == text


def test_csv_cells_are_text_value_of_every_type() -> None:
    # render_csv turns text, integers and NULL into text itself: the same as text_value
    class Text(str):
        def __str__(self) -> str:
            return "shown"

    values = [
        "a,b",
        'say "hi"',
        "",
        None,
        0,
        -7,
        2**70,
        True,
        False,
        1.5,
        Decimal("12.50"),
        date(2026, 11, 27),
        datetime(2026, 11, 27, 1, 2, 3, 456000, tzinfo=UTC),
        timedelta(seconds=90),
        b"\x01\xff",
        [1, None],
        Text("raw"),
    ]
    rows = [values, list(reversed(values))]
    expected = io.StringIO()
    writer = csv.writer(expected, lineterminator="\n")
    writer.writerow([f"c{i}" for i in range(len(values))])
    writer.writerows([text_value(v) for v in row] for row in rows)
    out = io.StringIO()
    assert render_csv([f"c{i}" for i in range(len(values))], rows, out) == 2
    assert out.getvalue() == expected.getvalue()
