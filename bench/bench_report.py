"""`vpc-cidr-analysis report` on the local engine: wall, CPU and peak RSS, checkouts side by side.

    .venv/bin/python bench/bench_report.py --data /work/bench-data/5m \\
        --src /work/main/src --src src --repeat 3

The report over the last --days days of --data (bench_engine.py's simulator data), networks
A, B and C of its topology, `--json` to a temporary file; each run a fresh process with one
checkout's `src` on PYTHONPATH, the checkouts alternating. Prints per checkout the median
wall and CPU seconds (user + system, all threads, `wait4`), the peak RSS, the CPU ratio to
the first checkout, and whether every run wrote the same JSON as the first checkout's. Each
`src` is byte-compiled once first (`compileall`), so the figures are those of an installed
package even where PYTHONDONTWRITEBYTECODE is set.
"""

from __future__ import annotations

import argparse
import compileall
import hashlib
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

NETWORKS = """A: [10.0.0.0/16, 100.64.0.0/20, 2600:1f18:aaaa:ab00::/56]
B: [10.1.0.0/16]
C: [10.2.0.0/16]
"""


def run(src: str, data: str, days: int, end: str, folder: Path) -> dict[str, float | str]:
    """One report in a fresh process with `src` first on the path."""
    out = folder / "report.json"
    command = [
        sys.executable, "-c", "from vpc_cidr_analysis.cli import cli; cli()", "report",
        "--networks", str(folder / "networks.yaml"), "--logs", data, "--days", str(days),
        "--today", end, "--end-day", end, "--json", str(out), "--no-progress",
    ]  # fmt: skip
    environ = os.environ | {"PYTHONPATH": str(Path(src).resolve())}
    start = time.perf_counter()
    child = subprocess.Popen(command, env=environ, stdout=subprocess.DEVNULL,
                             stderr=subprocess.PIPE)  # fmt: skip
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - start
    if status != 0:
        stderr = child.stderr.read().decode() if child.stderr is not None else ""
        raise SystemExit(f"{src}: report failed: {stderr.strip()[-500:]}")
    digest = hashlib.sha256(out.read_bytes()).hexdigest()
    return {"wall": wall, "cpu": usage.ru_utime + usage.ru_stime,
            "rss": usage.ru_maxrss * 1024, "json": digest}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", required=True)
    parser.add_argument("--src", action="append", required=True, help="a checkout's src/")
    parser.add_argument("--days", type=int, default=10)
    parser.add_argument("--end-date", default="2026-11-27")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    for src in args.src:
        compileall.compile_dir(str(Path(src) / "vpc_cidr_analysis"), quiet=1)
    runs: dict[str, list[dict[str, float | str]]] = {src: [] for src in args.src}
    loads = []
    with tempfile.TemporaryDirectory(prefix="bench-report-") as name:
        folder = Path(name)
        (folder / "networks.yaml").write_text(NETWORKS)
        for _ in range(args.repeat):
            for src in args.src:
                runs[src].append(run(src, args.data, args.days, args.end_date, folder))
                loads.append(os.getloadavg()[0])
    first = args.src[0]
    base_cpu = statistics.median(float(r["cpu"]) for r in runs[first])
    for src, got in runs.items():
        cpu = statistics.median(float(r["cpu"]) for r in got)
        print(json.dumps({
            "src": src, "wall_s": round(statistics.median(float(r["wall"]) for r in got), 2),
            "cpu_s": round(cpu, 2), "cpu_vs_first": round(cpu / base_cpu, 3),
            "runs_wall_s": [round(float(r["wall"]), 2) for r in got],
            "runs_cpu_s": [round(float(r["cpu"]), 2) for r in got],
            "peak_rss_mb": round(max(float(r["rss"]) for r in got) / 2**20),
            "same_json_as_first": all(r["json"] == runs[first][0]["json"] for r in got),
            "load_avg_1min": [round(x, 2) for x in loads],
        }))  # fmt: skip


if __name__ == "__main__":
    main()
