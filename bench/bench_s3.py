"""S3 downloads of flow-log objects: the engine's bounded pool vs a plain sequential loop.

    .venv/bin/python bench/bench_s3.py --data /work/bench-data/5m --days 3 --repeat 3

Starts `python -m moto.server` on 127.0.0.1 (S3 over HTTP in another process, as real S3 is
remote), uploads the gzip text objects of the last --days days of --data, then alternates:
a sequential `get_object` loop writing each body to a file, and `LocalCopies.paths` (the
engine's downloader) with 8 and 16 threads, each into a fresh folder. Prints the median
seconds and MB/s of each, with the object count and bytes.
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
from vpc_cidr_analysis.engine.sources import LocalCopies, discover


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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--days", type=int, default=3)
    parser.add_argument("--end-date", default="2026-11-27")
    parser.add_argument("--repeat", type=int, default=3)
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
