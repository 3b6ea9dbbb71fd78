"""The local engine's answer to a pack query over a dataset, computed once per session.

The golden modules ask the same query with the same values of the same read-only dataset from
several tests (a scenario's own test, then the both-ends or raw-form check, or the VPC pack
beside the gateway's files); an answer depends only on the query, its values and the files, so
the second test reads the first one's. Each caller gets its own copy of the row list.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Mapping
from datetime import date

from vpc_cidr_analysis.pack.queries import load_queries
from vpc_cidr_analysis.pack.runner import QueryOutput, run_local

QUERIES = load_queries()


def answer(
    name: str, values: Mapping[str, str], logs: str, *, today: date, raw: bool = False
) -> QueryOutput:
    """`run_local(QUERIES[name], values, logs, today=today, raw=raw)`, run once per arguments;
    only for datasets no test changes."""
    out = _answer(name, tuple(sorted(values.items())), logs, today, raw)
    return dataclasses.replace(out, columns=list(out.columns), rows=list(out.rows))


@functools.cache
def _answer(
    name: str, values: tuple[tuple[str, str], ...], logs: str, today: date, raw: bool
) -> QueryOutput:
    return run_local(QUERIES[name], dict(values), logs, today=today, raw=raw)
