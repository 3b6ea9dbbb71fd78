"""S3 downloads of flow-log objects: the engine's bounded pool vs a plain sequential loop,
and end to end (download and query) vs DuckDB's httpfs reading s3:// itself.

    .venv/bin/python bench/bench_s3.py --data /work/bench-data/5m --days 3 --repeat 3
    .venv/bin/python bench/bench_s3.py --data /work/bench-data/5m --days 3 --repeat 3 \
        --end-to-end --httpfs PATH/httpfs.duckdb_extension

Starts `python -m moto.server` on 127.0.0.1 (S3 over HTTP in another process, as real S3 is
remote), uploads the gzip text objects of the last --days days of --data, then alternates:
a sequential `get_object` loop writing each body to a file, and `LocalCopies.paths` (the
engine's downloader) with 8 and 16 threads, each into a fresh folder. Prints the median
seconds and MB/s of each, with the object count and bytes.

With --end-to-end, it alternates instead (each in this process, median of --repeat):
- `engine-s3`: `LocalEngine("s3://…").execute(QUERY)` as the CLI runs it (pool of 16, then
  the scan); `engine-sequential`: the sequential loop, then the engine over that folder;
  `engine-local`: the engine over --data itself (no download: the scan alone);
- `overlap-bound`: the pool downloading while the engine scans the local files (what any
  overlap of downloads and scan could at best reach on this machine: max, not sum);
- `reader-pool` / `reader-httpfs` (`-t8`: DuckDB threads = 8): one `read_csv` over the
  objects as the engine's reader reads them, after the pool / through httpfs's own S3
  client (the extension loaded from --httpfs, e.g. the `duckdb-extension-httpfs==1.5.5`
  wheel's file; no AWS call leaves 127.0.0.1).
Every mode's answer is printed, so a wrong one shows.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import boto3

from vpc_cidr_analysis import layout
from vpc_cidr_analysis.engine.local import LocalEngine
from vpc_cidr_analysis.engine.sources import LocalCopies, discover

QUERY = """SELECT srcaddr, sum(bytes) AS b, count(*) AS n FROM vpcflowlogstable
WHERE day >= '{first}' GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 3"""
END_TO_END = [
    "engine-s3", "engine-sequential", "engine-local", "overlap-bound",
    "reader-pool", "reader-httpfs", "reader-httpfs-t8",
]  # fmt: skip


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_moto(port: int) -> subprocess.Popen[bytes]:
    server = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return server
        except OSError:
            time.sleep(0.1)
    server.terminate()
    raise SystemExit("moto.server did not start")


def sequential(client: Any, bucket: str, keys: list[str], target: Path) -> None:
    for key in keys:
        body = client.get_object(Bucket=bucket, Key=key)["Body"]
        path = target / key
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "wb") as out:
            shutil.copyfileobj(body, out, 1 << 20)


def reader_scan(con: Any, locations: list[str], fields: list[str]) -> list[Any]:
    """count, sum(bytes), distinct sources over the files with the engine's text reader."""
    columns = "{" + ", ".join(f"'{n.replace('-', '_')}': 'VARCHAR'" for n in fields) + "}"
    listed = "[" + ", ".join(f"'{p}'" for p in locations) + "]"
    return list(con.execute(
        f"SELECT count(*), sum(TRY_CAST(bytes AS BIGINT)), count(DISTINCT srcaddr) FROM "
        f"read_csv({listed}, delim=' ', header=true, columns={columns}, auto_detect=false, "
        "quote='', escape='', nullstr='\\N', strict_mode=true, ignore_errors=true, "
        "store_rejects=true, compression='gzip')"
    ).fetchall())  # fmt: skip


def end_to_end(mode: str, client: Any, bucket: str, keys: list[str], data: Path,
               first: date, port: int, httpfs: str | None) -> Any:  # fmt: skip
    """One run of an end-to-end mode (see the module docstring); returns its answer."""
    import threading

    import duckdb

    sql = QUERY.format(first=f"{first:%Y/%m/%d}")
    fields = json.loads((data / "ground_truth.json").read_text())["options"]["fields"]
    if mode == "engine-s3":
        with LocalEngine(f"s3://{bucket}/", s3_client=client) as engine:
            return engine.execute(sql).rows
    if mode == "engine-sequential":
        target = Path(tempfile.mkdtemp(prefix="bench-s3-"))
        try:
            sequential(client, bucket, keys, target)
            with LocalEngine(str(target)) as engine:
                return engine.execute(sql).rows
        finally:
            shutil.rmtree(target, ignore_errors=True)
    if mode in ("engine-local", "overlap-bound"):
        copies = LocalCopies(client)
        objects = discover(f"s3://{bucket}/", s3_client=client)
        pool = threading.Thread(target=copies.paths, args=(objects,))
        if mode == "overlap-bound":
            pool.start()
        with LocalEngine(str(data)) as engine:
            rows = engine.execute(sql).rows
        if mode == "overlap-bound":
            pool.join()
        copies.close()
        return rows
    con = duckdb.connect()
    if mode == "reader-pool":
        copies = LocalCopies(client)
        paths = copies.paths(discover(f"s3://{bucket}/", s3_client=client))
        try:
            return reader_scan(con, [p.as_posix() for p in paths], fields)
        finally:
            copies.close()
    if httpfs is None:
        raise SystemExit(f"{mode} needs --httpfs PATH/httpfs.duckdb_extension")
    con.execute(f"LOAD '{httpfs}'")
    if mode.endswith("-t8"):
        con.execute("SET threads = 8")
    con.execute(
        "CREATE SECRET (TYPE s3, KEY_ID 'testing', SECRET 'testing', REGION 'us-east-1', "
        f"ENDPOINT '127.0.0.1:{port}', URL_STYLE 'path', USE_SSL false)"
    )
    return reader_scan(con, [f"s3://{bucket}/{k}" for k in keys], fields)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--days", type=int, default=3)
    parser.add_argument("--end-date", default="2026-11-27")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--end-to-end", action="store_true", help="download and query")
    parser.add_argument("--httpfs", help="path of httpfs.duckdb_extension (1.5.5)")
    args = parser.parse_args()
    first = date.fromisoformat(args.end_date) - timedelta(days=args.days - 1)
    files = []
    for path in sorted(args.data.rglob("*.log.gz")):
        parts = layout.parse_key(path.as_posix())
        if parts is not None and parts.date >= first:
            files.append(path)
    port = free_port()
    server = start_moto(port)
    try:
        client = boto3.client(
            "s3",
            endpoint_url=f"http://127.0.0.1:{port}",
            region_name="us-east-1",
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        )
        bucket = "bench-flow-logs"
        client.create_bucket(Bucket=bucket)
        keys = []
        for path in files:
            key = path.relative_to(args.data).as_posix()
            client.put_object(Bucket=bucket, Key=key, Body=path.read_bytes())
            keys.append(key)
        total = sum(p.stat().st_size for p in files)
        objects = discover(f"s3://{bucket}/", s3_client=client)
        if args.end_to_end:
            e2e: dict[str, list[float]] = {m: [] for m in END_TO_END}
            answers: dict[str, Any] = {}
            for _ in range(args.repeat):
                for mode in END_TO_END:
                    start = time.perf_counter()
                    answers[mode] = end_to_end(mode, client, bucket, keys, args.data, first,
                                               port, args.httpfs)  # fmt: skip
                    e2e[mode].append(time.perf_counter() - start)
            for mode, seconds in e2e.items():
                median = statistics.median(seconds)
                print(json.dumps({
                    "mode": mode, "objects": len(keys), "bytes": total,
                    "median_s": round(median, 3), "runs_s": [round(r, 3) for r in seconds],
                    "mb_per_s": round(total / median / 1e6, 1), "answer": str(answers[mode]),
                    "load_avg": [round(x, 2) for x in os.getloadavg()],
                }))  # fmt: skip
            return
        times: dict[str, list[float]] = {"sequential": [], "pool-8": [], "pool-16": []}
        for _ in range(args.repeat):
            for name in times:
                target = Path(tempfile.mkdtemp(prefix="bench-s3-"))
                start = time.perf_counter()
                if name == "sequential":
                    sequential(client, bucket, keys, target)
                else:
                    copies = LocalCopies(client)
                    copies.paths(objects, threads=int(name.split("-")[1]))
                    copies.close()
                times[name].append(time.perf_counter() - start)
                shutil.rmtree(target, ignore_errors=True)
        for name, runs in times.items():
            median = statistics.median(runs)
            print(json.dumps({
                "downloader": name, "objects": len(keys), "bytes": total,
                "median_s": round(median, 3), "runs_s": [round(r, 3) for r in runs],
                "mb_per_s": round(total / median / 1e6, 1),
                "vs_sequential": round(statistics.median(times["sequential"]) / median, 2),
                "load_avg": [round(x, 2) for x in os.getloadavg()],
            }))  # fmt: skip
    finally:
        server.terminate()
        server.wait()


if __name__ == "__main__":
    main()
