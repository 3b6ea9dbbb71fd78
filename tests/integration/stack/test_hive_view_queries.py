"""Every pack query and the seed's queries run unchanged on the Hive layout's views.

The Hive layout's `vpcflowlogstable` is a view over `vpcflowlogstable_hive`, whose partitions
are `year`, `month` and `day` (dd) as AWS writes the keys. Here DuckDB holds the simulator's
records in that table shape, the view is created from the SQL the stack helper stores, and each
query (translated to DuckDB as the local engine translates it) must return exactly the rows the
local engine returns over the default layout's files. The same for the Transit Gateway table
(`tgwflowlogstable` over `tgwflowlogstable_hive`) and every query that reads it.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import pytest
import tgw_examples
from athena_rows import rows
from paths import GOLDEN

from vpc_cidr_analysis import schema
from vpc_cidr_analysis.engine import translate
from vpc_cidr_analysis.engine.local import LocalEngine
from vpc_cidr_analysis.pack.queries import load_queries
from vpc_cidr_analysis.pack.runner import add_networks_table
from vpc_cidr_analysis.simulate.simulator import SampleConfig, write_sample
from vpc_cidr_analysis.stack import table as stack

END = date(2026, 11, 20)
CIDRS = ["10.0.0.0/16", "10.1.0.0/16", "10.2.0.0/16"]
DB = schema.DATABASE
#: The stack's networks table (network_matrix joins it).
NETWORKS = [("vpc-a", "10.0.0.0/16"), ("vpc-b", "10.1.0.0/16"), ("a-resolver", "10.0.0.2/32")]


class Worlds:
    """The local engine over default-layout files, and DuckDB with the Hive table and view."""

    def __init__(self, tmp: Path) -> None:
        write_sample(SampleConfig(records=1500, days=5, end_date=END), tmp / "logs")
        self.engine = LocalEngine(str(tmp / "logs"), cidrs=CIDRS, today=END)
        self.engine.execute(f"SELECT count(*) FROM {DB}.vpcflowlogstable", [])
        self.engine.execute(f"SELECT count(*) FROM {DB}.cidrtable", [])
        add_networks_table(self.engine, NETWORKS)
        spec = stack.spec_from_properties(
            {
                "FlowLogsLocation": "s3://logs/",
                "S3Layout": "hive",
                "HourlyPartitions": "false",
                "FileFormat": "text",
                "LogFormat": " ".join(f"${{{f}}}" for f in schema.V5_FIELDS),
                "AccountIds": "123456789012",
                "Regions": "us-east-1",
                "ProjectionStartDate": "2025/01/01",
            }
        )
        source = stack.data_table_input(spec)
        columns = [c["Name"] for c in source["StorageDescriptor"]["Columns"]]
        partitions = [k["Name"] for k in source["PartitionKeys"]]
        assert partitions == ["aws_account_id", "aws_region", "year", "month", "day"]
        # the records as the Hive table holds them: the key's year=, month=, day= values
        hive = tmp / "hive.parquet"
        self.engine.con.execute(
            "COPY (SELECT "
            + ", ".join(f'"{c}"' for c in columns)
            + ', aws_account_id, aws_region, substr(day, 1, 4) AS "year", '
            'substr(day, 6, 2) AS "month", substr(day, 9, 2) AS "day" '
            f"FROM {DB}.vpcflowlogstable) TO '{hive}' (FORMAT parquet)"
        )
        cidrs = tmp / "cidrs.parquet"
        self.engine.con.execute(
            f"COPY (SELECT * FROM {DB}.cidrtable) TO '{cidrs}' (FORMAT parquet)"
        )
        self.con = duckdb.connect()
        translate.prepare_connection(self.con)
        self.con.execute(f"CREATE SCHEMA {DB}")
        self.con.execute(f"CREATE TABLE {DB}.{stack.HIVE_SOURCE_TABLE} AS SELECT * FROM '{hive}'")
        self.con.execute(f"CREATE TABLE {DB}.cidrtable AS SELECT * FROM '{cidrs}'")
        self.con.execute(f"CREATE TABLE {DB}.networks (network VARCHAR, cidr VARCHAR)")
        self.con.executemany(f"INSERT INTO {DB}.networks VALUES (?, ?)", NETWORKS)
        view = stack.decode_view(stack.view_table_input(spec, DB))["originalSql"]
        self.con.execute(f"CREATE VIEW {DB}.vpcflowlogstable AS {view}")
        self.view_columns = [name for name, _ in stack.view_columns(spec)]

    def on_hive_view(self, sql: str, values: list[Any]) -> tuple[list[str], list[tuple[Any, ...]]]:
        cursor = self.con.execute(translate.translate(sql, today=END), values)
        return [str(d[0]) for d in cursor.description or []], cursor.fetchall()


@pytest.fixture(scope="module")
def worlds(tmp_path_factory: pytest.TempPathFactory) -> Worlds:
    return Worlds(tmp_path_factory.mktemp("hive-view"))


def test_the_view_reads_the_hive_partitions_as_the_default_layout(worlds: Worlds) -> None:
    columns, found = worlds.on_hive_view(f"SELECT * FROM {DB}.vpcflowlogstable", [])
    assert columns == worlds.view_columns
    assert columns[-2:] == ["year", "month"]
    days = {r[columns.index("day")] for r in found}
    assert days == {f"2026/11/{d}" for d in range(16, 21)}
    for row in found[:50]:
        day, year, month = (row[columns.index(c)] for c in ("day", "year", "month"))
        assert day.startswith(f"{year}/{month}/")


QUERIES = load_queries()
#: The VPC table's Hive view; Transit Gateway queries (tgwflowlogstable) have theirs below.
VPC_QUERIES = sorted(n for n, q in QUERIES.items() if "tgwflowlogstable" not in q.sql)


@pytest.mark.parametrize("name", VPC_QUERIES)
def test_every_pack_query_returns_the_default_layouts_rows(worlds: Worlds, name: str) -> None:
    query = QUERIES[name]
    # Required parameters (the CIDR blocks) take their documented example: the simulated network's.
    values = {p.name: p.example for p in query.params if p.required}
    names = {p.name for p in query.params}
    if "start_day" in names:
        values |= {"start_day": "2026/11/17", "end_day": "2026/11/20"}
    bound = query.bind(values, query.sql)
    expected = worlds.engine.execute(query.sql, bound)
    columns, found = worlds.on_hive_view(query.sql, list(bound))
    assert columns == list(expected.columns)
    assert rows(found) == rows(expected.rows)
    assert found or name in EMPTY_ON_THIS_SAMPLE, "a comparison of no rows shows nothing"


#: Queries whose scenario the small sample does not exercise (no rows on either side).
EMPTY_ON_THIS_SAMPLE: set[str] = set()


@pytest.mark.parametrize("path", sorted((GOLDEN / "seed003").glob("*.sql")), ids=lambda p: p.stem)
def test_the_seed_queries_run_verbatim_on_the_hive_view(worlds: Worlds, path: Path) -> None:
    sql = path.read_text(encoding="utf-8")
    expected = worlds.engine.execute(sql, [])
    columns, found = worlds.on_hive_view(sql, [])
    # SELECT * also shows the view's year and month; the local engine always has an `hour`
    # column (NULL without hourly partitions), which a daily table does not: the other columns
    # are the same, in the same order
    expected_columns = list(expected.columns)
    hour = expected_columns.index("hour")
    assert {row[hour] for row in expected.rows} <= {None}
    want = [c for c in expected_columns if c != "hour"]
    shared = [c for c in columns if c not in ("year", "month")]
    assert shared == want
    keep = [columns.index(c) for c in shared]
    wanted = [expected_columns.index(c) for c in want]
    assert rows([tuple(r[i] for i in keep) for r in found]) == rows(
        [tuple(r[i] for i in wanted) for r in expected.rows]
    )
    assert found, "a comparison of no rows shows nothing"


# --------------------------------------------------------------------------- Transit Gateway


class TgwWorlds:
    """The TGW example: the local engine over its default-layout file, and DuckDB with the
    Hive-layout TGW table and the view the stack helper stores for it."""

    def __init__(self, tmp: Path) -> None:
        example = tgw_examples.load()["hub_and_spokes"]
        tgw_examples.write(example, tmp / "logs")
        self.engine = LocalEngine(str(tmp / "logs"), cidrs=CIDRS, today=TGW_END)
        self.engine.execute(f"SELECT count(*) FROM {DB}.{schema.TGW_TABLE}", [])
        spec = stack.spec_from_properties(
            {
                "Kind": "tgw",
                "FlowLogsLocation": "s3://logs/",
                "S3Layout": "hive",
                "HourlyPartitions": "false",
                "FileFormat": "text",
                "LogFormat": " ".join(f"${{{f}}}" for f in schema.TGW_DEFAULT_FIELDS),
                "AccountIds": example.values("account-id")[0],
                "Regions": tgw_examples.REGION,
                "ProjectionStartDate": "2024/01/01",
            }
        )
        source = stack.data_table_input(spec)
        assert source["Name"] == f"{schema.TGW_TABLE}_hive"
        columns = [c["Name"] for c in source["StorageDescriptor"]["Columns"]]
        hive = tmp / "tgw-hive.parquet"
        self.engine.con.execute(
            "COPY (SELECT "
            + ", ".join(f'"{c}"' for c in columns)
            + ', aws_account_id, aws_region, substr(day, 1, 4) AS "year", '
            'substr(day, 6, 2) AS "month", substr(day, 9, 2) AS "day" '
            f"FROM {DB}.{schema.TGW_TABLE}) TO '{hive}' (FORMAT parquet)"
        )
        self.con = duckdb.connect()
        translate.prepare_connection(self.con)
        self.con.execute(f"CREATE SCHEMA {DB}")
        self.con.execute(f"CREATE TABLE {DB}.{source['Name']} AS SELECT * FROM '{hive}'")
        view = stack.decode_view(stack.view_table_input(spec, DB))["originalSql"]
        self.con.execute(f"CREATE VIEW {DB}.{schema.TGW_TABLE} AS {view}")
        self.view_columns = [name for name, _ in stack.view_columns(spec)]

    def on_hive_view(self, sql: str, values: list[Any]) -> tuple[list[str], list[tuple[Any, ...]]]:
        cursor = self.con.execute(translate.translate(sql, today=TGW_END), values)
        return [str(d[0]) for d in cursor.description or []], cursor.fetchall()


#: The day after the TGW example's records (2024/05/06).
TGW_END = date(2024, 5, 7)
#: Every query over the Transit Gateway table (tgw_*), whichever the pack has.
TGW_QUERIES = sorted(n for n, q in QUERIES.items() if "tgwflowlogstable" in q.sql)


@pytest.fixture(scope="module")
def tgw_worlds(tmp_path_factory: pytest.TempPathFactory) -> TgwWorlds:
    return TgwWorlds(tmp_path_factory.mktemp("tgw-hive-view"))


def test_the_tgw_view_reads_the_hive_partitions_as_the_default_layout(
    tgw_worlds: TgwWorlds,
) -> None:
    columns, found = tgw_worlds.on_hive_view(f"SELECT * FROM {DB}.{schema.TGW_TABLE}", [])
    assert columns == tgw_worlds.view_columns
    assert columns[:2] == ["version", "resource_type"] and columns[-2:] == ["year", "month"]
    assert {r[columns.index("day")] for r in found} == {"2024/05/06"}
    expected = tgw_worlds.engine.execute(f"SELECT count(*) FROM {DB}.{schema.TGW_TABLE}", [])
    assert len(found) == expected.rows[0][0] > 0


@pytest.mark.parametrize("name", TGW_QUERIES)
def test_every_tgw_query_returns_the_default_layouts_rows(tgw_worlds: TgwWorlds, name: str) -> None:
    query = QUERIES[name]
    values = {p.name: p.example for p in query.params if p.required}
    if "start_day" in {p.name for p in query.params}:
        values |= {"start_day": "2024/05/01", "end_day": "2024/05/07"}
    bound = query.bind(values, query.sql)
    expected = tgw_worlds.engine.execute(query.sql, bound)
    columns, found = tgw_worlds.on_hive_view(query.sql, list(bound))
    assert columns == list(expected.columns)
    assert rows(found) == rows(expected.rows)
    assert found, "a comparison of no rows shows nothing"
