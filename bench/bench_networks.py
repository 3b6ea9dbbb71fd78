"""Benchmark: what AWS-scale ranges cost `network_matrix` on the local engine.

Side by side, alternating, on one simulated dataset: the matrix with the simulated VPCs named
only, and with `--prefixes` synthetic AWS ranges added (AWS's ip-ranges.json has about 10,000:
IPv4 /24s and IPv6 /64s, labelled aws:SERVICE:REGION); and loading that many rows into DuckDB
row by row (`executemany`) against reading them as CSV (what `add_networks_table` does).

    .venv/bin/python bench/bench_networks.py --records 20000 --prefixes 10000 --rounds 3
"""

from __future__ import annotations

import argparse
import csv
import ipaddress
import random
import tempfile
import time
from datetime import date
from pathlib import Path

import duckdb

from vpc_cidr_analysis.networks import parse_networks
from vpc_cidr_analysis.pack.queries import load_queries
from vpc_cidr_analysis.pack.runner import run_local
from vpc_cidr_analysis.simulate.simulator import SampleConfig, read_ground_truth, write_sample

END = date(2026, 11, 27)


def synthetic_ranges(count: int, seed: int = 1) -> list[tuple[str, str]]:
    """`count` AWS-like rows: four IPv4 /24s for each IPv6 /64 (as in AWS's file)."""
    rng = random.Random(seed)
    rows: list[tuple[str, str]] = []
    for i in range(count):
        if i % 5:
            block = ipaddress.ip_network((rng.getrandbits(32) & ~0xFF, 24))
            rows.append((f"aws:EC2:region-{i % 20}", str(block)))
        else:
            v6 = ipaddress.ip_network(((0x2600 << 112) | (rng.getrandbits(48) << 64), 64))
            rows.append((f"aws:S3:region-{i % 20}", str(v6)))
    return rows


def timed(work: object) -> float:
    start = time.perf_counter()
    work()  # type: ignore[operator]
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=20_000)
    parser.add_argument("--prefixes", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        logs = Path(folder) / "logs"
        write_sample(SampleConfig(records=args.records, days=10, end_date=END, seed=1), logs)
        topology = read_ground_truth(logs / "ground_truth.json")["topology"]
        named = parse_networks({v["name"]: v["cidrs"] for v in topology["vpcs"]}).rows()
        aws = synthetic_ranges(args.prefixes)
        query = load_queries()["network_matrix"]
        table = Path(folder) / "ranges.csv"
        with table.open("w", newline="") as fh:
            csv.writer(fh).writerows([("network", "cidr"), *aws])

        def matrix(rows: list[tuple[str, str]]) -> object:
            return lambda: run_local(query, {}, str(logs), today=END, networks=rows)

        def executemany() -> None:
            con = duckdb.connect()
            con.execute("CREATE TABLE n (network VARCHAR, cidr VARCHAR)")
            con.executemany("INSERT INTO n VALUES (?, ?)", [list(r) for r in aws])

        def read_csv() -> None:
            con = duckdb.connect()
            con.execute("CREATE TABLE n AS SELECT * FROM read_csv(?, header = true)", [str(table)])

        cases = {
            "network_matrix, VPCs named": matrix(named),
            f"network_matrix, VPCs + {args.prefixes:,} AWS prefixes": matrix(named + aws),
            f"load {args.prefixes:,} rows: executemany": executemany,
            f"load {args.prefixes:,} rows: read_csv": read_csv,
        }
        times: dict[str, list[float]] = {name: [] for name in cases}
        for _ in range(args.rounds):
            for name, work in cases.items():
                times[name].append(timed(work))
    print(f"| case ({args.records:,} records, {args.rounds} rounds, alternating) | best | worst |")
    print("|---|---|---|")
    for name, values in times.items():
        print(f"| {name} | {min(values):.2f} s | {max(values):.2f} s |")


if __name__ == "__main__":
    main()
