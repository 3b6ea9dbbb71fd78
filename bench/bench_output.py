"""Results written per second: Python values (`output.write`) vs DuckDB-formatted lines.

    .venv/bin/python bench/bench_output.py --data /work/bench-data/5m --days 3
    .venv/bin/python bench/bench_output.py --data /work/bench-data/5m --writers lines \
        --before /work/main/src --repeat 3

A 14-column result (addresses, ports, counters, two timestamps, text) of one row per record
over the last --days days of the bench data, through `LocalEngine.stream`, written to
/dev/null in each format by each writer, each in a fresh process (its peak RSS is its own).
Prints rows/s (wall and CPU) of the writing after `stream()` returned, and the seconds of
`stream()` and the writing together (the figure to compare: over text files the query runs
when rows or lines are first asked for, not in `stream()`). The writer `query` runs the
query alone, counted (`SELECT count(*) FROM (…)`): what a writer's seconds are over it is
the formatting and writing of its rows.
With --before SRC, each run is made with this checkout's code and with SRC's (another
checkout's `src`), alternating, so the two are compared side by side; medians of --repeat.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time

SQL = """SELECT srcaddr AS client, dstaddr AS server, dstport AS server_port, protocol, action,
 srcport AS connections, packets AS records, packets AS client_packets, bytes AS client_bytes,
 packets AS server_packets, bytes AS server_bytes, from_unixtime(start) AS first_seen,
 from_unixtime("end") AS last_seen, log_status AS decided_by
FROM vpcflowlogstable WHERE day >= date_format(current_date - interval '{days}' day, '%Y/%m/%d')"""


def child(data: str, days: int, fmt: str, writer: str) -> None:
    from datetime import date

    from vpc_cidr_analysis import output
    from vpc_cidr_analysis.engine.local import LocalEngine

    with LocalEngine(data, today=date(2026, 11, 27)) as engine:
        begin, cpu_begin = time.perf_counter(), time.process_time()
        result = engine.stream(SQL.format(days=days - 1))
        start, cpu = time.perf_counter(), time.process_time()
        with open(os.devnull, "w") as out:
            lines = None
            if writer == "query":  # the query alone, counted: what writing any format adds to
                counted = engine.execute(f"SELECT count(*) FROM ({SQL.format(days=days - 1)}) q")
                rows = int(counted.rows[0][0])
            if writer == "lines" and result.lines is not None:
                lines = result.lines(fmt, range(len(result.columns)))
            copy_to = getattr(lines, "copy_to", None)
            # as the CLI's emit does (a checkout whose lines carry `fmt` copies JSON too)
            if callable(copy_to) and (fmt != "json" or getattr(lines, "fmt", None) == "json"):
                if fmt == "csv":
                    output.write_lines(result.columns, [], fmt, out)
                rows = copy_to(out)
            elif lines is not None:
                rows = output.write_lines(result.columns, lines, fmt, out)
            elif writer != "query":
                rows = output.write(result.columns, result, fmt, out)
        end, cpu_end = time.perf_counter(), time.process_time()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    print(
        json.dumps(
            {
                "rows": rows,
                "wall": end - start,
                "cpu": cpu_end - cpu,
                "rss": rss,
                "total_wall": end - begin,
                "total_cpu": cpu_end - cpu_begin,
            }
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", required=True)
    parser.add_argument("--days", type=int, default=3)
    parser.add_argument("--writers", nargs="+", default=["python", "lines"],
                        choices=["python", "lines", "query"])  # fmt: skip
    parser.add_argument("--formats", nargs="+", default=["csv", "jsonl", "json"],
                        choices=["csv", "jsonl", "json"])  # fmt: skip
    parser.add_argument("--before", help="another checkout's src, run alternately")
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--child", nargs=2, metavar=("FMT", "WRITER"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.data, args.days, *args.child)
        return
    here = os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir, "src")
    codes = {"after": os.path.abspath(here)}
    if args.before:
        codes = {"before": os.path.abspath(args.before), **codes}
    for fmt in args.formats:
        for writer in args.writers:
            runs: dict[str, list[dict[str, float]]] = {code: [] for code in codes}
            for _ in range(args.repeat):
                for code, src in codes.items():
                    command = [sys.executable, __file__, "--data", args.data, "--days",
                               str(args.days), "--child", fmt, writer]  # fmt: skip
                    env = {**os.environ, "PYTHONPATH": src}
                    out = subprocess.run(command, capture_output=True, text=True, check=True,
                                         env=env).stdout  # fmt: skip
                    runs[code].append(json.loads(out.strip().splitlines()[-1]))
            for code, got in runs.items():
                wall = statistics.median(g["wall"] for g in got)
                cpu = statistics.median(g["cpu"] for g in got)
                rows = got[0]["rows"]
                print(json.dumps({
                    "format": fmt, "writer": writer, "code": code, "src": codes[code],
                    "rows": rows, "runs": len(got),
                    "rows_per_s_wall": round(rows / wall), "rows_per_s_cpu": round(rows / cpu),
                    "write_s": round(wall, 2), "cpu_s": round(cpu, 2),
                    "query_and_write_s": round(statistics.median(g["total_wall"] for g in got), 2),
                    "query_and_write_cpu_s": round(
                        statistics.median(g["total_cpu"] for g in got), 2),
                    "peak_rss_mb": round(max(g["rss"] for g in got) / 2**20),
                    "load_avg": [round(x, 2) for x in os.getloadavg()],
                }), flush=True)  # fmt: skip


if __name__ == "__main__":
    main()
