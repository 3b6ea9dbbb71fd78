"""Benchmark the local engine on every pack query against one core's `gzip -dc` of the same files.

    .venv/bin/python bench/bench_engine.py --records 5000000 --data /work/bench-data/5m
    .venv/bin/python bench/bench_engine.py --records 10000000 --data /work/bench-data/10m

Simulated gzip text logs in the default layout (14 days ending --end-date, seed 1) are written
once to --data (kept, so later runs reuse them; keep the folder outside a checkout). Then, for
each command, alternating runs (--repeat times, median reported) measure:

- floor: `cat FILES | gzip -dc > /dev/null` over the files of the last 10 days (the files the
  engine opens) — one gzip process, one core;
- engine: the CLI as a user runs it, in a fresh process: `vpc-cidr-analysis query run NAME
  --logs DATA --today END -p vpc_cidrs=… --format csv > /dev/null` for `external`, `between`,
  `internal`, `top_talkers`, `rejected`, `sg_connections`, and `usage rules --inventory DATA
  --logs DATA --format csv` as a whole (its two queries and the matching). Wall clock, CPU
  seconds (user + system, all threads) and peak RSS of that process (`wait4`).

Prints one JSON object per command: median wall and CPU of both, the ratios engine/floor (the
target is wall ≤ 0.8; CPU compares the work done: the engine uses both cores, gzip one),
records/s of the engine, peak RSS, result rows, load average. The engine code measured is the
one on PYTHONPATH (so `PYTHONPATH=other/src` measures another checkout with this script); with
--before SRC, another checkout's `src` runs too, alternating with it in the same rounds (floor,
before, after), and each JSON object gains `before_*` figures measured alongside. With --cache,
each round also runs the command with `--cache`: cold (an empty cache, so the run writes it)
and warm (a cache filled by one run before the rounds), as `cold_*` and `warm_*` figures; with
both, the other checkout runs warm too (a cache of its own), as `before_warm_*`. The measured
`src` trees (this one's and --before's) are byte-compiled once first (`compileall`), so the
figures are those of an installed package even where PYTHONDONTWRITEBYTECODE is set (every
run would otherwise compile the package again).
"""

from __future__ import annotations

import argparse
import compileall
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import vpc_cidr_analysis
from vpc_cidr_analysis import layout
from vpc_cidr_analysis.simulate.simulator import SampleConfig, write_sample

VPC = "vpc_cidrs=10.0.0.0/16,100.64.0.0/20,2600:1f18:aaaa:ab00::/56"
#: Command name -> CLI arguments after `vpc-cidr-analysis` ({data}, {today} filled in).
COMMANDS: dict[str, list[str]] = {
    "external": ["query", "run", "external", "-p", VPC],
    "between": ["query", "run", "between", "-p", VPC, "-p", "peer_cidrs=10.1.0.0/16"],
    "internal": ["query", "run", "internal", "-p", VPC],
    "top_talkers": ["query", "run", "top_talkers", "-p", VPC],
    "rejected": ["query", "run", "rejected", "-p", VPC],
    "sg_connections": ["query", "run", "sg_connections"],
    "usage_rules": ["usage", "rules", "--inventory", "{data}"],
}
CLI = "from vpc_cidr_analysis.cli import main; main()"


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


def measured(
    command: list[str], stdout: Any = subprocess.DEVNULL, env: dict[str, str] | None = None
) -> dict[str, float]:
    """Wall seconds, CPU seconds and peak RSS (bytes) of one child process."""
    start = time.perf_counter()
    child = subprocess.Popen(command, stdout=stdout, stderr=subprocess.PIPE, env=env)
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - start
    stderr = child.stderr.read().decode() if child.stderr is not None else ""
    if status != 0:
        raise SystemExit(f"{command[:6]}… failed ({status}): {stderr.strip()[-500:]}")
    return {
        "wall": wall,
        "cpu": usage.ru_utime + usage.ru_stime,
        "rss": usage.ru_maxrss * 1024,
    }


def gzip_floor(files: list[Path]) -> dict[str, float]:
    """One core's `cat FILES | gzip -dc > /dev/null`."""
    script = 'cat "$@" | gzip -dc > /dev/null'
    return measured(["bash", "-c", script, "floor", *(str(p) for p in files)])


def engine_command(name: str, data: Path, today: str, cache: Path | None = None) -> list[str]:
    args = [a.format(data=data, today=today) for a in COMMANDS[name]]
    local = ["--logs", str(data), "--today", today, "--format", "csv", "--no-progress"]
    if cache is not None:
        local += ["--cache", str(cache)]
    return [sys.executable, "-c", CLI, *args, *local]


def result_rows(
    name: str, data: Path, today: str, env: dict[str, str] | None = None, cache: Path | None = None
) -> int:
    """Rows the command writes (CSV lines after the header), from one extra run."""
    command = engine_command(name, data, today, cache)
    out = subprocess.run(command, capture_output=True, check=True, env=env)
    return max(0, out.stdout.count(b"\n") - 1)


def count_records(data: Path, end: date) -> int:
    from vpc_cidr_analysis.engine.local import LocalEngine

    with LocalEngine(str(data), today=end) as engine:
        sql = (
            "SELECT count(*) FROM vpcflowlogstable "
            "WHERE day >= date_format(current_date - interval '9' day, '%Y/%m/%d')"
        )
        return int(engine.execute(sql).rows[0][0])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--records", type=int, default=5_000_000)
    parser.add_argument("--end-date", default="2026-11-27")
    parser.add_argument("--data", type=Path, required=True, help="folder for the logs (kept)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--query", choices=[*COMMANDS, "all"], default="all")
    parser.add_argument("--before", help="another checkout's src, run alternately with this one")
    parser.add_argument(
        "--cache",
        action="store_true",
        help="also run with --cache: cold (an empty cache each run) and warm (filled once)",
    )
    args = parser.parse_args()
    before = {**os.environ, "PYTHONPATH": os.path.abspath(args.before)} if args.before else None
    compileall.compile_dir(str(Path(vpc_cidr_analysis.__file__).parent), quiet=1)
    if args.before:
        compileall.compile_dir(str(Path(args.before) / "vpc_cidr_analysis"), quiet=1)
    end = date.fromisoformat(args.end_date)
    ensure_sample(args.records, args.data, end)
    files = window_files(args.data, end)
    records = count_records(args.data, end)
    names = list(COMMANDS) if args.query == "all" else [args.query]
    for name in names:
        command = engine_command(name, args.data, args.end_date)
        floors, runs, befores, colds, warms, before_warms = [], [], [], [], [], []
        with tempfile.TemporaryDirectory(prefix="bench-cache-") as scratch:
            warm_cache = Path(scratch) / "warm"
            before_cache = Path(scratch) / "before-warm"
            if args.cache:
                measured(engine_command(name, args.data, args.end_date, warm_cache))
                if before is not None:
                    warmed = engine_command(name, args.data, args.end_date, before_cache)
                    measured(warmed, env=before)
            for number in range(args.repeat):  # alternate, so load changes hit all alike
                floors.append(gzip_floor(files))
                if before is not None:
                    befores.append(measured(command, env=before))
                runs.append(measured(command))
                if args.cache:
                    cold_cache = Path(scratch) / f"cold-{number}"
                    colds.append(
                        measured(engine_command(name, args.data, args.end_date, cold_cache))
                    )
                    shutil.rmtree(cold_cache)
                    warms.append(
                        measured(engine_command(name, args.data, args.end_date, warm_cache))
                    )
                    if before is not None:
                        before_warms.append(
                            measured(
                                engine_command(name, args.data, args.end_date, before_cache),
                                env=before,
                            )
                        )
            warm_rows = (
                result_rows(name, args.data, args.end_date, cache=warm_cache)
                if args.cache
                else None
            )
        wall = statistics.median(r["wall"] for r in runs)
        cpu = statistics.median(r["cpu"] for r in runs)
        floor_wall = statistics.median(f["wall"] for f in floors)
        floor_cpu = statistics.median(f["cpu"] for f in floors)
        compared: dict[str, Any] = {}
        for label, measured_runs in (
            ("cold", colds),
            ("warm", warms),
            ("before_warm", before_warms),
        ):
            if measured_runs:
                run_wall = statistics.median(r["wall"] for r in measured_runs)
                run_cpu = statistics.median(r["cpu"] for r in measured_runs)
                compared |= {
                    f"{label}_engine_s": round(run_wall, 3),
                    f"{label}_engine_cpu_s": round(run_cpu, 3),
                    f"{label}_ratio": round(run_wall / floor_wall, 2),
                    f"{label}_cpu_ratio": round(run_cpu / floor_cpu, 2),
                    f"{label}_peak_rss_mb": round(max(r["rss"] for r in measured_runs) / 2**20),
                }
        if warm_rows is not None:
            compared["warm_rows"] = warm_rows
        if befores:
            before_wall = statistics.median(r["wall"] for r in befores)
            before_cpu = statistics.median(r["cpu"] for r in befores)
            compared |= {
                "before_src": args.before,
                "before_rows": result_rows(name, args.data, args.end_date, before),
                "before_engine_s": round(before_wall, 3),
                "before_engine_cpu_s": round(before_cpu, 3),
                "before_ratio": round(before_wall / floor_wall, 2),
                "before_cpu_ratio": round(before_cpu / floor_cpu, 2),
                "before_peak_rss_mb": round(max(r["rss"] for r in befores) / 2**20),
            }
        print(
            json.dumps(
                {
                    "command": name,
                    "records_in_window": records,
                    "files_in_window": len(files),
                    "bytes_in_window": sum(p.stat().st_size for p in files),
                    "rows": result_rows(name, args.data, args.end_date),
                    "gzip_s": round(floor_wall, 3),
                    "gzip_cpu_s": round(floor_cpu, 3),
                    "engine_s": round(wall, 3),
                    "engine_cpu_s": round(cpu, 3),
                    "engine_runs_s": [round(r["wall"], 2) for r in runs],
                    "gzip_runs_s": [round(f["wall"], 2) for f in floors],
                    "ratio": round(wall / floor_wall, 2),
                    "cpu_ratio": round(cpu / floor_cpu, 2),
                    "records_per_s": round(records / wall),
                    "peak_rss_mb": round(max(r["rss"] for r in runs) / 2**20),
                    "load_avg": [round(x, 2) for x in os.getloadavg()],
                    **compared,
                }
            ),
            flush=True,
        )


if __name__ == "__main__":
    main()
