"""Seed 003's five scenario queries, verbatim, return exactly the rows Athena would.

The SQL files in tests/golden/seed003/ are pasted unchanged from the walkthrough (including
its defects: scenario 1 also returns rows with neither side in VPC-A and NODATA rows, 2 and 3
never check the other side, 5 never checks the destination). This is about compatibility, not
correctness: the expected rows are computed independently in Python from the simulator's
records with Athena's semantics — `x IN (SELECT ip ...)` compares strings,
`TO_DATE(day) > current_date - 10 days` keeps the last 10 days, text fields keep '-', numeric
fields that do not parse are NULL — and compared with the engine's rows as multisets.
"""

from __future__ import annotations

import csv
import io
import ipaddress
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from typing import Any

import pytest
from click.testing import CliRunner
from paths import GOLDEN

from vpc_cidr_analysis import schema
from vpc_cidr_analysis.cli import cli
from vpc_cidr_analysis.engine.local import LocalEngine
from vpc_cidr_analysis.simulate.simulator import iter_records

SEED = GOLDEN / "seed003"
VPC_A, VPC_B, VPC_C = "10.0.0.0/16", "10.1.0.0/16", "10.2.0.0/16"
CIDRS = (VPC_A, VPC_B, VPC_C)


def block(cidr: str) -> frozenset[str]:
    """cidrtable's ip column for one block: every address as text."""
    return frozenset(str(a) for a in ipaddress.ip_network(cidr))


def athena_row(record: dict[str, str | None]) -> tuple[Any, ...]:
    """A record as Athena's text SerDe returns it: typed columns, then the partitions."""
    values: list[Any] = []
    for field in schema.FIELDS:
        text = record.get(field.name)
        if text is None:
            values.append(None)
        elif field.athena_type == "string":
            values.append(text)
        else:
            try:
                values.append(int(text))
            except ValueError:
                values.append(None)
    return (*values, *(record[p] for p in schema.PARTITION_COLUMNS))


Predicate = Callable[[dict[str, str | None]], bool]


def expected_rows(sample: Any, end: date, predicate: Predicate) -> Counter[tuple[Any, ...]]:
    since = end - timedelta(days=10)
    rows: Counter[tuple[Any, ...]] = Counter()
    for record in iter_records(sample.config):
        day = date(*map(int, str(record["day"]).split("/")))
        if day > since and predicate(record):
            rows[athena_row(record)] += 1
    return rows


A, B, C = block(VPC_A), block(VPC_B), block(VPC_C)
SCENARIOS: dict[str, Predicate] = {
    "scenario1_external": lambda r: not (r["dstaddr"] in A and r["srcaddr"] in A),
    "scenario2_peering": lambda r: r["dstaddr"] in B or r["srcaddr"] in B,
    "scenario3_cross_vpc": lambda r: r["dstaddr"] in C or r["srcaddr"] in C,
    "scenario4_internal": lambda r: r["dstaddr"] in A and r["srcaddr"] in A,
}


@pytest.fixture(scope="module")
def engine(small_sample: Any) -> Iterator[LocalEngine]:
    with LocalEngine(
        str(small_sample.path), cidrs=CIDRS, today=small_sample.config.end_date
    ) as local:
        yield local


def test_seed_files_are_the_walkthrough_text() -> None:
    names = sorted(p.name for p in SEED.glob("*.sql"))
    assert len(names) == 5
    text = (SEED / "scenario3_cross_vpc.sql").read_text()
    assert "CIDR='10.2.0.0/16') \n" in text  # pasted with the seed's own trailing space


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_where_scenarios_match_athena(small_sample: Any, engine: LocalEngine, name: str) -> None:
    sql = (SEED / f"{name}.sql").read_text(encoding="utf-8")
    result = engine.execute(sql)
    expected = expected_rows(small_sample, small_sample.config.end_date, SCENARIOS[name])
    assert result.columns == [f.column for f in schema.FIELDS] + list(schema.PARTITION_COLUMNS)
    assert sum(expected.values()) > 0
    assert Counter(result.rows) == expected


def test_join_scenario_matches_athena(small_sample: Any, engine: LocalEngine) -> None:
    sql = (SEED / "scenario5_inbound_join.sql").read_text(encoding="utf-8")
    result = engine.execute(sql)
    flow = expected_rows(small_sample, small_sample.config.end_date, lambda r: r["srcaddr"] in B)
    expected = Counter({(*row, VPC_B, row[3]): n for row, n in flow.items()})  # row[3]: srcaddr
    assert result.columns[-2:] == ["cidr", "ip"]
    assert sum(expected.values()) > 0
    assert Counter(result.rows) == expected


def test_window_opens_only_the_last_ten_days(small_sample: Any, engine: LocalEngine) -> None:
    engine.execute((SEED / "scenario4_internal.sql").read_text(encoding="utf-8"))
    since = small_sample.config.end_date - timedelta(days=10)
    days = {f.split("/vpcflowlogs/")[1].split("/", 1)[1][:10] for f in engine.last_files}
    assert days and all(date(*map(int, d.split("/"))) > since for d in days)
    all_days = {o.partitions.day for o in engine.objects}
    assert len(all_days) == 12 and len(days) == 10


def test_cli_runs_a_seed_query_unchanged(small_sample: Any) -> None:
    sql_file = SEED / "scenario2_peering.sql"
    args = ["sql", "--logs", str(small_sample.path), "--file", str(sql_file), "--format", "csv"]
    for cidr in CIDRS:
        args += ["--cidr", cidr]
    args += ["--today", small_sample.config.end_date.isoformat()]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.stderr
    got = Counter(tuple(r) for r in list(csv.reader(io.StringIO(result.stdout)))[1:])
    expected = expected_rows(
        small_sample, small_sample.config.end_date, SCENARIOS["scenario2_peering"]
    )
    as_text = Counter(
        {tuple("" if v is None else str(v) for v in row): n for row, n in expected.items()}
    )
    assert got == as_text
