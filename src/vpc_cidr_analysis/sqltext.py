"""The one rule for a SQL string literal: the text in single quotes, each quote doubled, as
DuckDB and Trino (Athena) both read it. Used by the local engine, the pack's Athena parameters
and the simulator. Standard library only (ships to Lambda)."""

from __future__ import annotations


def sql_string(text: str) -> str:
    """`text` as a SQL string literal (`it's` -> `'it''s'`)."""
    return "'" + text.replace("'", "''") + "'"
