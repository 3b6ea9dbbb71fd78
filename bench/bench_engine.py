"""Benchmark the local engine against the floor of reading the same files: `gzip -dc`.

    .venv/bin/python bench/bench_engine.py --records 1000000
    .venv/bin/python bench/bench_engine.py --records 10000000 --data bench/out/engine-10m

Simulated gzip text logs in the default layout (14 days ending --end-date) are written once
to --data (kept, so later runs reuse them). Then, for each query, alternating runs (--repeat
times) measure:

- floor: `gzip -dc` over the files of the last 10 days (the files the engine opens) to
  /dev/null — one process, one core;
- engine: a fresh child process creating a `LocalEngine` (inet extension, file listing) and
  running `execute` on the query (the Athena SQL, translated, with partition pruning),
  reporting setup and query wall time and its own peak RSS.

Queries: `scenario` — external traffic of 10.0.0.0/16 aggregated by srcaddr/dstaddr over the
last 10 days with literal contains(); `pack-external` — the pack's `queries/external.sql` with
its parameters bound (CIDR list from its `params` CTE: parsed once per query, each row's address
tested against it in any_match; 129 k result rows with two timestamp columns fetched).

Prints one JSON object per query with the best (minimum) times, the ratio engine/floor (wall
clock; also CPU seconds, which a busy shared machine distorts less: the engine uses both cores,
gzip one), records/s of the engine, and peak RSS. Targets: ratio <= 1.5, RSS < 1 GB at
10 M records.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from vpc_cidr_analysis import layout
from vpc_cidr_analysis.pack.queries import get_query
from vpc_cidr_analysis.simulate.simulator import SampleConfig, write_sample

SCENARIO = """
SELECT srcaddr, dstaddr, count(*) AS flows, sum(bytes) AS bytes
FROM vpcflowlogscidrdb.vpcflowlogstable
WHERE day >= date_format(current_date - interval '9' day, '%Y/%m/%d')
  AND contains('10.0.0.0/16', TRY_CAST(srcaddr AS IPADDRESS))
      <> contains('10.0.0.0/16', TRY_CAST(dstaddr AS IPADDRESS))
GROUP BY srcaddr, dstaddr
ORDER BY bytes DESC
"""


def query_of(name: str) -> tuple[str, list[object]]:
    """SQL text and parameters of a benchmark query."""
    if name == "scenario":
        return SCENARIO, []
    query = get_query("external")
    return query.sql, list(query.bind({"vpc_cidrs": "10.0.0.0/16"}))


def ensure_sample(records: int, data: Path, end: date) -> Path:
    """Write the simulated logs once; reuse them when the folder already holds this config."""
    marker = data / "bench-engine.json"
    wanted = {"records": records, "end_date": end.isoformat(), "days": 14, "seed": 1}
    if marker.exists() and json.loads(marker.read_text()) == wanted:
        return data
    config = SampleConfig(records=records, days=14, end_date=end, seed=1, ground_truth="summary")
    write_sample(config, data, force=True)
    marker.write_text(json.dumps(wanted))
    return data


def window_files(data: Path, end: date) -> list[Path]:
    """The files of the last 10 days: what the engine opens for these queries."""
    first = end - timedelta(days=9)
    files = []
    for path in sorted(data.rglob("*.log.gz")):
        parts = layout.parse_key(path.as_posix())
        if parts is not None and first <= parts.date <= end:
            files.append(path)
    return files


def gzip_floor(files: list[Path]) -> tuple[float, float]:
    """Wall and CPU seconds of `gzip -dc` over the files to /dev/null (in argument chunks)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    for i in range(0, len(files), 500):
        chunk = [str(p) for p in files[i : i + 500]]
        subprocess.run(["gzip", "-dc", *chunk], stdout=subprocess.DEVNULL, check=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def child(args: argparse.Namespace) -> None:
    """Run one query in this process and print wall seconds, rows and peak RSS as JSON."""
    from vpc_cidr_analysis.engine.local import LocalEngine

    sql, params = query_of(args.query)
    cpu_start = time.process_time()
    start = time.perf_counter()
    with LocalEngine(str(args.data), today=date.fromisoformat(args.end_date)) as engine:
        listed = len(engine.objects)  # discovery: listing and parsing keys
        ready = time.perf_counter()
        result = engine.execute(sql, params)
        files = len(engine.last_files)
        done = time.perf_counter()
    cpu = time.process_time() - cpu_start  # all threads of this process (DuckDB's too)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    print(
        json.dumps(
            {
                "wall": done - start,
                "setup": ready - start,
                "query": done - ready,
                "cpu": cpu,
                "rows": len(result.rows),
                "files": files,
                "listed": listed,
                "rss": rss,
            }
        )
    )


def count_records(data: Path, end: date) -> int:
    from vpc_cidr_analysis.engine.local import LocalEngine

    with LocalEngine(str(data), today=end) as engine:
        sql = (
            "SELECT count(*) FROM vpcflowlogstable "
            "WHERE day >= date_format(current_date - interval '9' day, '%Y/%m/%d')"
        )
        return int(engine.execute(sql).rows[0][0])


def run_child(args: argparse.Namespace, query: str) -> dict[str, Any]:
    command = [
        sys.executable,
        __file__,
        "--child",
        "--query",
        query,
        "--data",
        str(args.data),
        "--end-date",
        args.end_date,
    ]
    out = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    result: dict[str, Any] = json.loads(out.strip().splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--end-date", default="2026-11-27")
    parser.add_argument("--data", type=Path, help="folder for the simulated logs (kept)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--query", choices=["scenario", "pack-external", "all"], default="all")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args)
        return
    end = date.fromisoformat(args.end_date)
    if args.data is None:
        args.data = Path(__file__).resolve().parent / "out" / f"engine-{args.records}"
    generated = time.perf_counter()
    ensure_sample(args.records, args.data, end)
    generated = time.perf_counter() - generated
    files = window_files(args.data, end)
    records = count_records(args.data, end)
    queries = ["scenario", "pack-external"] if args.query == "all" else [args.query]
    for query in queries:
        floors, runs = [], []
        for _ in range(args.repeat):  # alternate, so load changes hit both alike
            floors.append(gzip_floor(files))
            runs.append(run_child(args, query))
        best = min(runs, key=lambda r: float(r["wall"]))
        floor = min(f[0] for f in floors)
        floor_cpu = min(f[1] for f in floors)
        engine_cpu = min(float(r["cpu"]) for r in runs)
        print(
            json.dumps(
                {
                    "query": query,
                    "records_total": args.records,
                    "records_in_window": records,
                    "files_in_window": len(files),
                    "files_opened": best["files"],
                    "bytes_in_window": sum(p.stat().st_size for p in files),
                    "rows": best["rows"],
                    "gzip_floor_s": round(floor, 3),
                    "engine_s": round(float(best["wall"]), 3),
                    "engine_setup_s": round(float(best["setup"]), 3),
                    "engine_query_s": round(float(best["query"]), 3),
                    "engine_runs_s": [round(float(r["wall"]), 3) for r in runs],
                    "ratio": round(float(best["wall"]) / floor, 2),
                    "ratio_query_only": round(float(best["query"]) / floor, 2),
                    "gzip_floor_cpu_s": round(floor_cpu, 3),
                    "engine_cpu_s": round(engine_cpu, 3),
                    "cpu_ratio": round(engine_cpu / floor_cpu, 2),
                    "records_per_s": round(records / float(best["wall"])),
                    "peak_rss_mb": round(max(int(r["rss"]) for r in runs) / 2**20),
                    "generate_s": round(generated, 1),
                    "cpus": os.cpu_count(),
                    "load_avg": os.getloadavg(),
                    "python": platform.python_version(),
                }
            )
        )


if __name__ == "__main__":
    main()
