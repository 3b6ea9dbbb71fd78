"""VPC and Transit Gateway flow logs under one location: each stack table keeps its own kind.

Athena reads every object under a table's location, text by position, skipping the header line
(the only place a file names its fields). Here both kinds' objects sit in the same day folders
(the simulator's VPC logs and the TGW example, moved to the same days), and every text line is
read into each kind's `<table>_objects` as Athena's LazySimpleSerDe reads it: the i-th
single-space-separated text is column i, NULL past the line's end, extra fields dropped, `\\N`
NULL, a value that is not a number (or out of the column type's range) NULL in a number
column. The views the stack helper stores (`view_table_input`) must then give every pack query
exactly the local engine's answer, which
tells the files apart by their header; without the views' `version` filter the TGW records do
change VPC answers (and the other way round), which the test measures too.
"""

from __future__ import annotations

import csv
import gzip
import re
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path
from typing import Any

import duckdb
import pytest
import tgw_examples
from athena_rows import rows

from vpc_cidr_analysis import layout, schema
from vpc_cidr_analysis.engine import translate
from vpc_cidr_analysis.engine.local import LocalEngine
from vpc_cidr_analysis.pack.queries import Query, load_queries
from vpc_cidr_analysis.pack.runner import add_networks_table
from vpc_cidr_analysis.simulate.simulator import SampleConfig, write_sample
from vpc_cidr_analysis.stack import table as stack

END = date(2026, 11, 20)
CIDRS = ["10.0.0.0/16", "10.1.0.0/16", "10.2.0.0/16"]
DB = schema.DATABASE
NETWORKS = [("vpc-a", "10.0.0.0/16"), ("vpc-b", "10.1.0.0/16")]
LOCATION = "s3://flow-logs/"
#: Custom formats (what the stack allows when both start with version): the fields the queries
#: read first, at the same places in both kinds, so that a record of one kind read as the other
#: by position has real addresses, ports, counts and times, the hardest case for a filter.
FIRST = ("version", "srcaddr", "dstaddr", "srcport", "dstport", "protocol", "packets", "bytes")
FIRST += ("start", "end", "log-status")
VPC_FIELDS = FIRST + tuple(f for f in schema.V5_FIELDS if f not in FIRST)
TGW_FIELDS = FIRST + tuple(f for f in schema.TGW_DEFAULT_FIELDS if f not in FIRST)
VPC_FORMAT = " ".join(f"${{{f}}}" for f in VPC_FIELDS)
TGW_FORMAT = " ".join(f"${{{f}}}" for f in TGW_FIELDS)
DUCKDB_TYPES = {"int": "INTEGER", "bigint": "BIGINT", "string": "VARCHAR"}
NUMBER = re.compile(r"-?\d+")


def moved_example(day: date) -> tgw_examples.Example:
    """The TGW example's records moved (start and end) to `day`, same time of day, in the
    TGW_FIELDS format."""
    example = tgw_examples.load()["hub_and_spokes"]
    shift = int((datetime.combine(day, datetime.min.time()) - datetime(2024, 5, 6)).total_seconds())
    records = []
    for record in example.records:
        values = dict(zip(example.fields, record.split(" "), strict=True))
        values["start"] = str(int(values["start"]) + shift)
        values["end"] = str(int(values["end"]) + shift)
        records.append(" ".join(values[f] for f in TGW_FIELDS))
    return replace(example, fields=TGW_FIELDS, records=tuple(records))


def spec_of(kind: schema.FlowLogKind) -> stack.FlowLogTableSpec:
    own, other = (VPC_FORMAT, TGW_FORMAT) if kind is schema.VPC else (TGW_FORMAT, VPC_FORMAT)
    return stack.spec_from_properties(
        {
            "Kind": kind.name,
            "FlowLogsLocation": LOCATION,
            "S3Layout": "default",
            "HourlyPartitions": "false",
            "FileFormat": "text",
            "LogFormat": own,
            "AccountIds": "123456789012,123456789010",
            "Regions": "us-east-1",
            "ProjectionStartDate": "2025/01/01",
            "OtherKindLocation": LOCATION,
            "OtherKindLogFormat": other,
        }
    )


def athena_value(text: str | None, kind: str) -> Any:
    """One field as LazySimpleSerDe reads it into a column of Glue type `kind`."""
    if text is None or text == "\\N":
        return None
    if kind == "string":
        return text
    if not NUMBER.fullmatch(text):
        return None
    value, bits = int(text), 32 if kind == "int" else 64
    return value if -(2 ** (bits - 1)) <= value < 2 ** (bits - 1) else None


def read_like_athena(root: Path, spec: stack.FlowLogTableSpec) -> list[tuple[Any, ...]]:
    """Every record line under `root`, of either kind, as the spec's objects table reads it."""
    columns = stack.data_columns(spec)
    rows = []
    for path in sorted(root.rglob("*.log.gz")):
        parts = layout.parse_key(path.relative_to(root).as_posix())
        assert parts is not None
        lines = gzip.decompress(path.read_bytes()).decode("ascii").splitlines()
        for line in lines[1:]:  # skip.header.line.count 1
            fields = line.split(" ")
            values = [
                athena_value(fields[i] if i < len(fields) else None, c["Type"])
                for i, c in enumerate(columns)
            ]
            rows.append((*values, parts.aws_account_id, parts.aws_region, parts.day))
    return rows


def load_rows(
    con: duckdb.DuckDBPyConnection, table: str, rows: list[tuple[Any, ...]], tmp: Path
) -> None:
    """Insert `rows` into `table` through a CSV file (`\\N` for NULL): a row-by-row INSERT of
    these thousands of rows takes seconds."""
    path = tmp / f"{table}.csv"
    with path.open("w", newline="", encoding="utf-8") as out:
        csv.writer(out).writerows(["\\N" if v is None else v for v in row] for row in rows)
    con.execute(f"COPY {table} FROM '{path}' (FORMAT csv, HEADER false, NULLSTR '\\N')")
    path.unlink()


class World:
    """The local engine over the mixed folder, and DuckDB with each kind's objects and view."""

    def __init__(self, tmp: Path) -> None:
        logs = tmp / "logs"
        write_sample(SampleConfig(records=1200, days=4, end_date=END, fields=VPC_FIELDS), logs)
        for day in (date(2026, 11, 18), END):
            tgw_examples.write(moved_example(day), logs)
        self.engine = LocalEngine(str(logs), cidrs=CIDRS, today=END)
        for table in (schema.FLOW_TABLE, schema.TGW_TABLE, schema.CIDR_TABLE):
            self.engine.execute(f"SELECT count(*) FROM {DB}.{table}", [])
        add_networks_table(self.engine, NETWORKS)
        cidrs = tmp / "cidrs.parquet"
        self.engine.con.execute(
            f"COPY (SELECT * FROM {DB}.cidrtable) TO '{cidrs}' (FORMAT parquet)"
        )
        self.filtered = self._connect(logs, cidrs, filtered=True)
        self.unfiltered = self._connect(logs, cidrs, filtered=False)

    def _connect(self, logs: Path, cidrs: Path, *, filtered: bool) -> duckdb.DuckDBPyConnection:
        con = duckdb.connect()
        translate.prepare_connection(con)
        con.execute(f"CREATE SCHEMA {DB}")
        con.execute(f"CREATE TABLE {DB}.cidrtable AS SELECT * FROM '{cidrs}'")
        con.execute(f"CREATE TABLE {DB}.networks (network VARCHAR, cidr VARCHAR)")
        con.executemany(f"INSERT INTO {DB}.networks VALUES (?, ?)", NETWORKS)
        for kind in schema.KINDS:
            spec = spec_of(kind)
            source = stack.data_table_input(spec)
            columns = [*source["StorageDescriptor"]["Columns"], *source["PartitionKeys"]]
            con.execute(
                f"CREATE TABLE {DB}.{spec.data_table} ("
                + ", ".join(f'"{c["Name"]}" {DUCKDB_TYPES[c["Type"]]}' for c in columns)
                + ")"
            )
            load_rows(con, f"{DB}.{spec.data_table}", read_like_athena(logs, spec), cidrs.parent)
            view = stack.decode_view(stack.view_table_input(spec, DB))["originalSql"]
            if not filtered:  # what the table would read without the kind filter
                view = view.removesuffix(f" WHERE {stack.kind_filter(spec)}")
            con.execute(f"CREATE VIEW {DB}.{spec.table} AS {view}")
        return con

    def on_views(
        self, sql: str, values: list[Any], *, filtered: bool = True
    ) -> tuple[list[str], list[tuple[Any, ...]]]:
        con = self.filtered if filtered else self.unfiltered
        cursor = con.execute(translate.translate(sql, today=END), values)
        return [str(d[0]) for d in cursor.description or []], cursor.fetchall()


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> World:
    return World(tmp_path_factory.mktemp("shared-location"))


def test_each_objects_table_reads_both_kinds_and_each_view_only_its_own(world: World) -> None:
    count = "SELECT count(*) FROM {}.{}"
    tgw_records = 2 * len(tgw_examples.load()["hub_and_spokes"].records)
    (vpc_records,) = world.engine.execute(count.format(DB, schema.FLOW_TABLE), []).rows[0]
    (local_tgw,) = world.engine.execute(count.format(DB, schema.TGW_TABLE), []).rows[0]
    assert local_tgw == tgw_records and vpc_records > 1000
    for table in (schema.FLOW_TABLE, schema.TGW_TABLE):
        ((objects,),) = world.filtered.execute(count.format(DB, f"{table}_objects")).fetchall()
        assert objects == vpc_records + tgw_records  # Athena reads every object there
    ((vpc_view,),) = world.filtered.execute(count.format(DB, schema.FLOW_TABLE)).fetchall()
    ((tgw_view,),) = world.filtered.execute(count.format(DB, schema.TGW_TABLE)).fetchall()
    assert (vpc_view, tgw_view) == (vpc_records, tgw_records)
    # TGW records read as VPC ones: real addresses and counts, action holds the tgw-id
    found = world.unfiltered.execute(
        f"SELECT DISTINCT action, log_status, srcaddr FROM {DB}.{schema.FLOW_TABLE} "
        "WHERE version = 6 AND srcaddr = '10.0.1.10'"
    ).fetchall()
    assert found == [("tgw-0123456789abcdef0", "OK", "10.0.1.10")]


def test_the_views_hold_exactly_the_local_engines_rows(world: World) -> None:
    for table in (schema.FLOW_TABLE, schema.TGW_TABLE):
        expected = world.engine.execute(f"SELECT * FROM {DB}.{table}", [])
        keep = [c for c in expected.columns if c != "hour"]  # daily: the stack has no hour
        columns, found = world.on_views(f"SELECT {', '.join(keep)} FROM {DB}.{table}", [])
        index = [list(expected.columns).index(c) for c in keep]
        assert columns == keep
        assert rows(found) == rows([tuple(r[i] for i in index) for r in expected.rows])


QUERIES = load_queries()


def bound(query: Query) -> list[Any]:
    values = {p.name: p.example for p in query.params if p.required}
    if "start_day" in {p.name for p in query.params}:
        values |= {"start_day": "2026/11/17", "end_day": "2026/11/20"}
    return list(query.bind(values, query.sql))


@pytest.mark.parametrize("name", sorted(QUERIES))
def test_every_pack_query_gets_the_local_engines_answer(world: World, name: str) -> None:
    query = QUERIES[name]
    values = bound(query)
    expected = world.engine.execute(query.sql, values)
    columns, found = world.on_views(query.sql, values)
    assert columns == list(expected.columns)
    assert rows(found) == rows(expected.rows)
    assert found, "a comparison of no rows shows nothing"


def test_without_the_version_filter_the_other_kind_changes_answers(world: World) -> None:
    """The measurement behind the filter: how many pack queries the other kind's records,
    read by position, would change."""
    changed = []
    for name, query in sorted(QUERIES.items()):
        values = bound(query)
        _, good = world.on_views(query.sql, values)
        _, bad = world.on_views(query.sql, values, filtered=False)
        if rows(good) != rows(bad):
            changed.append(name)
    assert "tgw_attachments" in changed  # VPC records read as TGW ones
    assert len(changed) >= 2, changed  # and TGW records in at least one VPC answer
