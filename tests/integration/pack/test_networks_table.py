"""The local engine's `networks` table: the same columns whether it has rows or none."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from vpc_cidr_analysis.engine.local import LocalEngine
from vpc_cidr_analysis.pack.runner import add_networks_table


def _shape(engine: LocalEngine, table: str) -> list[tuple[str, str]]:
    return [(str(r[0]), str(r[1])) for r in engine.con.execute(f"DESCRIBE {table}").fetchall()]


def test_an_empty_networks_table_has_the_columns_of_a_full_one(tmp_path: Path) -> None:
    with LocalEngine(str(tmp_path), today=date(2026, 11, 27)) as full:
        add_networks_table(full, [("vpc-a", "10.0.0.0/16"), ("it's", "10.1.0.0/16")])
        with LocalEngine(str(tmp_path), today=date(2026, 11, 27)) as empty:
            add_networks_table(empty, [])
            for table in ("networks", "vpcflowlogscidrdb.networks"):
                assert _shape(empty, table) == _shape(full, table)
                assert _shape(full, table) == [("network", "VARCHAR"), ("cidr", "VARCHAR")]
                assert empty.execute(f"SELECT * FROM {table}").rows == []
            rows = full.execute("SELECT network, cidr FROM networks ORDER BY cidr").rows
            assert rows == [("vpc-a", "10.0.0.0/16"), ("it's", "10.1.0.0/16")]
