"""Designs for reading flow-log text as Athena's LazySimpleSerDe does, timed side by side.

    .venv/bin/python bench/bench_text_reader.py --data /work/bench-data/5m --repeat 3

Each design reads every `*.log.gz` under --data (one header) with DuckDB (2 threads) and
computes `count(*), sum(TRY_CAST(bytes AS BIGINT)), max(srcaddr)`, alternating with one
core's `gzip -dc` over the same files. Designs:

- `strict`: `read_csv(strict_mode=true)` — the reader before; one ragged line aborts the scan;
- `rejects`: `strict_mode=true, ignore_errors=true, store_rejects=true` — lines whose field
  count differs from the header go to a rejects table (file, line, text), the rest are read;
- `padding`: `null_padding=true, strict_mode=false` — short lines padded with NULL; nothing
  says which lines were ragged (counting them would need a second pass);
- `split`: each line as one VARCHAR, `string_split(line, ' ')[i]` per field.

Prints one JSON line per design: median wall and CPU seconds, ratio to gzip -dc (median).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import time
from pathlib import Path

import duckdb


def header_of(path: Path) -> list[str]:
    import gzip

    with gzip.open(path, "rt") as handle:
        return handle.readline().split()


def reader(design: str, paths: list[str], fields: list[str]) -> str:
    listed = "[" + ", ".join(f"'{p}'" for p in paths) + "]"
    if design == "split":
        return (
            f"(SELECT string_split(line, ' ') AS f FROM read_csv({listed}, delim='\\x01', "
            "header=true, columns={'line': 'VARCHAR'}, auto_detect=false, quote='', escape='', "
            "compression='gzip'))"
        )
    columns = "{" + ", ".join(f"'{n.replace('-', '_')}': 'VARCHAR'" for n in fields) + "}"
    options = {
        "strict": "strict_mode=true, null_padding=false",
        "rejects": "strict_mode=true, null_padding=false, ignore_errors=true, "
        "store_rejects=true, rejects_table='bench_rejects', rejects_scan='bench_scans'",
        "padding": "strict_mode=false, null_padding=true",
    }[design]
    return (
        f"read_csv({listed}, delim=' ', header=true, columns={columns}, auto_detect=false, "
        f"quote='', escape='', nullstr='\\N', compression='gzip', {options})"
    )


def query(design: str, paths: list[str], fields: list[str]) -> str:
    source = reader(design, paths, fields)
    if design == "split":
        b, s = fields.index("bytes") + 1, fields.index("srcaddr") + 1
        return f"SELECT count(*), sum(TRY_CAST(f[{b}] AS BIGINT)), max(f[{s}]) FROM {source}"
    return f"SELECT count(*), sum(TRY_CAST(bytes AS BIGINT)), max(srcaddr) FROM {source}"


def timed(fn: object) -> tuple[float, float]:
    start, cpu = time.perf_counter(), time.process_time()
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    fn()  # type: ignore[operator]
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    child = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return time.perf_counter() - start, time.process_time() - cpu + child


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--designs", default="strict,rejects,padding,split")
    args = parser.parse_args()
    paths = sorted(str(p) for p in args.data.rglob("*.log.gz"))
    fields = header_of(Path(paths[0]))
    con = duckdb.connect()
    con.execute("SET threads = 2")
    designs = args.designs.split(",")
    floors: list[tuple[float, float]] = []
    runs: dict[str, list[tuple[float, float]]] = {d: [] for d in designs}
    answers: dict[str, object] = {}

    def floor() -> None:
        subprocess.run(["gzip", "-dc", *paths], stdout=subprocess.DEVNULL, check=True)

    for _ in range(args.repeat):
        for design in designs:
            floors.append(timed(floor))
            sql = query(design, paths, fields)

            def scan(sql: str = sql, design: str = design) -> None:
                answers[design] = con.sql(sql).fetchall()

            runs[design].append(timed(scan))
    floor_wall = statistics.median(f[0] for f in floors)
    floor_cpu = statistics.median(f[1] for f in floors)
    for design in designs:
        wall = statistics.median(r[0] for r in runs[design])
        cpu = statistics.median(r[1] for r in runs[design])
        print(json.dumps({
            "design": design, "files": len(paths), "wall_s": round(wall, 3),
            "cpu_s": round(cpu, 3), "gzip_wall_s": round(floor_wall, 3),
            "ratio": round(wall / floor_wall, 2), "cpu_ratio": round(cpu / floor_cpu, 2),
            "answer": str(answers[design]), "load_avg": os.getloadavg(),
        }))  # fmt: skip


if __name__ == "__main__":
    main()
