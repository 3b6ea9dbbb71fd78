"""Results written per second: Python values (`output.write`) vs DuckDB-formatted lines.

    .venv/bin/python bench/bench_output.py --data /work/bench-data/5m --days 3

A 14-column result (addresses, ports, counters, two timestamps, text) of one row per record
over the last --days days of the bench data, through `LocalEngine.stream`, written to
/dev/null in each format by each writer, each in a fresh process (its peak RSS is its own).
Prints rows/s (wall and CPU) of the writing after `stream()` returned, and the seconds of
`stream()` and the writing together (the figure to compare: over text files the query runs
when rows or lines are first asked for, not in `stream()`).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
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
            if writer == "lines" and result.lines is not None:
                lines = result.lines(fmt, range(len(result.columns)))
            copy_to = getattr(lines, "copy_to", None)
            if callable(copy_to) and fmt in ("csv", "jsonl"):  # as the CLI's emit does
                output.write_lines(result.columns, [], fmt, out)
                rows = copy_to(out)
            elif lines is not None:
                rows = output.write_lines(result.columns, lines, fmt, out)
            else:
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
    parser.add_argument("--child", nargs=2, metavar=("FMT", "WRITER"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.data, args.days, *args.child)
        return
    for fmt in ("csv", "jsonl", "json"):
        for writer in ("python", "lines"):
            command = [sys.executable, __file__, "--data", args.data, "--days", str(args.days)]
            out = subprocess.run([*command, "--child", fmt, writer], capture_output=True,
                                 text=True, check=True).stdout  # fmt: skip
            got = json.loads(out.strip().splitlines()[-1])
            print(json.dumps({
                "format": fmt, "writer": writer, "rows": got["rows"],
                "rows_per_s_wall": round(got["rows"] / got["wall"]),
                "rows_per_s_cpu": round(got["rows"] / got["cpu"]),
                "write_s": round(got["wall"], 2), "peak_rss_mb": round(got["rss"] / 2**20),
                "query_and_write_s": round(got["total_wall"], 2),
                "query_and_write_cpu_s": round(got["total_cpu"], 2),
                "load_avg": [round(x, 2) for x in os.getloadavg()],
            }), flush=True)  # fmt: skip


if __name__ == "__main__":
    main()
