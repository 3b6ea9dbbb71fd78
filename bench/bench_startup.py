"""The fixed cost of a local command: a small query end to end and `--help`, side by side.

    .venv/bin/python bench/bench_startup.py --data /work/fixed-data/small --repeat 7
    .venv/bin/python bench/bench_startup.py --data /work/fixed-data/small --repeat 7 \\
        --before /work/main/src

--data holds a small sample (made once when missing: `vpc-cidr-analysis sample --records
50000 --end-date 2026-11-27`, 14 days, 166 files), so what is timed is mostly what every
local command pays before and after its query does any work: start-up and imports, the
engine's connection, the translation, listing and opening the files, binding the views,
closing. Each run is a fresh process running the CLI as a user does:

- `external`: `query run external -p vpc_cidrs=… --logs DATA --today 2026-11-27 --format csv
  --no-progress > /dev/null` (the last 10 days: 120 files);
- `external-cache`: the same with `--cache` over a cache filled by one run before the rounds
  (warm: every file read from its Parquet entry);
- `help`: `vpc-cidr-analysis --help`.

The measured `src` trees (this checkout's, the one on PYTHONPATH, and --before's) are
byte-compiled once first (`compileall`), so the figures are those of an installed package
even where PYTHONDONTWRITEBYTECODE is set. With --before SRC, each round runs every command
with SRC's code and with this checkout's, alternating; medians of --repeat. Prints one JSON
object per command: median wall and CPU seconds (user + system, `wait4`), peak RSS, the runs,
and the ratio after/before.
"""

from __future__ import annotations

import argparse
import compileall
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import vpc_cidr_analysis

VPC = "vpc_cidrs=10.0.0.0/16,100.64.0.0/20,2600:1f18:aaaa:ab00::/56"
TODAY = "2026-11-27"
CLI = "from vpc_cidr_analysis.cli import main; main()"


def compile_sources(src: Path) -> None:
    """Byte-compile a checkout's package once, as installing it would."""
    compileall.compile_dir(str(src / "vpc_cidr_analysis"), quiet=1)


def ensure_sample(data: Path) -> None:
    """The small sample, written once by the CLI's own simulator."""
    if (data / "AWSLogs").exists():
        return
    command = [sys.executable, "-c", CLI, "sample", "--out", str(data), "--records", "50000"]
    subprocess.run([*command, "--end-date", TODAY], check=True, stdout=subprocess.DEVNULL)


def commands(data: Path, cache: Path) -> dict[str, list[str]]:
    """Each measured command's arguments after `python -c CLI`."""
    query = ["query", "run", "external", "-p", VPC, "--logs", str(data), "--today", TODAY]
    query += ["--format", "csv", "--no-progress"]
    return {
        "external": query,
        "external-cache": [*query, "--cache", str(cache)],
        "help": ["--help"],
    }


def measured(arguments: list[str], env: dict[str, str]) -> dict[str, float]:
    """Wall seconds, CPU seconds and peak RSS (bytes) of one fresh CLI process."""
    start = time.perf_counter()
    child = subprocess.Popen(
        [sys.executable, "-c", CLI, *arguments],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env=env,
    )
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - start
    stderr = child.stderr.read().decode() if child.stderr is not None else ""
    if status != 0:
        raise SystemExit(f"{arguments[:4]}… failed ({status}): {stderr.strip()[-500:]}")
    return {"wall": wall, "cpu": usage.ru_utime + usage.ru_stime, "rss": usage.ru_maxrss * 1024}


def summary(runs: list[dict[str, float]]) -> dict[str, Any]:
    return {
        "wall_s": round(statistics.median(r["wall"] for r in runs), 3),
        "cpu_s": round(statistics.median(r["cpu"] for r in runs), 3),
        "peak_rss_mb": round(max(r["rss"] for r in runs) / 2**20),
        "runs_s": [round(r["wall"], 3) for r in runs],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--data", type=Path, required=True, help="the small sample (kept)")
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--before", help="another checkout's src, run alternately with this one")
    parser.add_argument("--command", choices=["external", "external-cache", "help", "all"])
    args = parser.parse_args()
    here = Path(vpc_cidr_analysis.__file__).resolve().parent.parent
    compile_sources(here)
    environments = {"after": dict(os.environ)}
    if args.before:
        before = Path(args.before).resolve()
        compile_sources(before)
        environments = {"before": {**os.environ, "PYTHONPATH": str(before)}, **environments}
    ensure_sample(args.data)
    with tempfile.TemporaryDirectory(prefix="bench-startup-") as scratch:
        caches = {label: Path(scratch) / label for label in environments}
        chosen = None if args.command in (None, "all") else args.command
        for label, env in environments.items():  # warm each checkout's own cache
            measured(commands(args.data, caches[label])["external-cache"], env)
        for name in commands(args.data, caches["after"]):
            if chosen is not None and name != chosen:
                continue
            runs: dict[str, list[dict[str, float]]] = {label: [] for label in environments}
            for _ in range(args.repeat):  # alternate, so load changes hit all alike
                for label, env in environments.items():
                    runs[label].append(measured(commands(args.data, caches[label])[name], env))
            result: dict[str, Any] = {"command": name}
            for label, measured_runs in runs.items():
                result[label] = summary(measured_runs)
            if "before" in result:
                for key in ("wall_s", "cpu_s"):
                    result[f"ratio_{key}"] = round(result["after"][key] / result["before"][key], 2)
            result["load_avg"] = [round(x, 2) for x in os.getloadavg()]
            print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
