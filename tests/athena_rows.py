"""Query rows compared as Athena's console shows them: each value as text, the rows as a
multiset (order aside). Imported by the stack's view tests (tests/integration/stack), which run
the same query on the local engine and on DuckDB tables laid out as the stack's Glue tables."""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from typing import Any


def rows(found: list[tuple[Any, ...]]) -> Counter[tuple[str | None, ...]]:
    """The rows as a multiset of text tuples (timestamps in ISO 8601, NULL as None)."""

    def text(value: Any) -> str | None:
        if value is None:
            return None
        if isinstance(value, datetime):
            return value.isoformat()
        return str(value)

    return Counter(tuple(text(v) for v in row) for row in found)
