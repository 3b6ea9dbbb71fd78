"""What the CLI says on stderr about fields the records lack."""

from __future__ import annotations

from vpc_cidr_analysis.pack.notes import WITHOUT, notes, used_fields
from vpc_cidr_analysis.pack.queries import load_queries

QUERIES = load_queries()
V5 = {"log-status", "tcp-flags", "pkt-srcaddr", "pkt-dstaddr", "flow-direction"}


def test_each_conversation_query_uses_the_fields_its_answer_depends_on() -> None:
    assert used_fields(QUERIES["external"]) == ["log-status", "tcp-flags", "pkt-srcaddr"]
    assert "reject-reason" in used_fields(QUERIES["rejected"])
    assert "flow-direction" in used_fields(QUERIES["eni_ports"])


def test_fields_present_say_nothing_and_missing_ones_are_named() -> None:
    columns = [c.name for c in QUERIES["external"].columns]
    assert notes(QUERIES["external"], V5, columns, []) == []
    assert notes(QUERIES["external"], V5 - {"tcp-flags"}, columns, []) == [WITHOUT["tcp-flags"]]
    assert notes(QUERIES["external"], set(), columns, []) == []  # no file read


def test_on_athena_only_the_rows_speak() -> None:
    columns = [c.name for c in QUERIES["external"].columns]
    row = ["a", "b", 0, 1, "ACCEPT", 1, 2, 1, 84, 1, 84, None, None, "unknown"]
    (said,) = notes(QUERIES["external"], None, columns, [row, [*row[:-1], "tcp-flags"]])
    assert said.startswith("1 of 2 rows: who started them is unknown")
