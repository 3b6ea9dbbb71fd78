"""Benchmark: CIDR expansion (ours, streamed) against the seed Lambda's algorithm.

Every measurement runs in its own subprocess, so peak RSS (ru_maxrss) is that run's alone.
S3 is moto, in one of two places:

- `in-process` (`mock_aws`): moto's S3 lives in the measured process, so its copies of the
  uploaded object count in the peak, as they would not in a Lambda;
- `server`: `moto.server` in a separate process on 127.0.0.1, reached over HTTP like S3, so
  the peak is the function's own (needs `moto[server]`, in the dev extra).

Prints a Markdown table for BENCHMARKS.md.

    .venv/bin/python bench/bench_cidr.py                    # the default matrix (~2 min)
    .venv/bin/python bench/bench_cidr.py --seed 10.0.0.0/9  # more seed blocks (slow, GBs)
    .venv/bin/python bench/bench_cidr.py --one ours server 10.0.0.0/8   # one run, JSON

The seed's algorithm, as measured in shared/README.md: every host address of the block in a
Python list (the address objects, then their strings), a `cidr,ip` CSV file in /tmp, then
`upload_file` to S3.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import datetime
import ipaddress
import json
import os
import platform
import resource
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
BUCKET = "bench-cidrs"
#: (algorithm, S3 placement, block) of the default run.
DEFAULT_RUNS = [
    *[("ours", "server", c) for c in ("10.0.0.0/16", "10.0.0.0/12", "10.0.0.0/10", "10.0.0.0/8")],
    ("ours", "server", "2001:db8::/104"),
    *[
        ("ours", "in-process", c)
        for c in ("10.0.0.0/16", "10.0.0.0/12", "10.0.0.0/10", "10.0.0.0/8")
    ],
    ("ours-file", "none", "10.0.0.0/8"),
    *[("seed", "server", c) for c in ("10.0.0.0/16", "10.0.0.0/12", "10.0.0.0/10")],
    *[("seed", "in-process", c) for c in ("10.0.0.0/16", "10.0.0.0/12", "10.0.0.0/10")],
]


def peak_rss_mb() -> float:
    """Peak resident set of this process so far, in MB (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def seed_algorithm(cidr: str, client: Any, bucket: str, workdir: Path) -> int:
    """The seed Lambda: list every host, write a CSV file, upload it. Returns the CSV size."""
    hosts = list(ipaddress.ip_network(cidr).hosts())
    addresses = [str(host) for host in hosts]
    path = workdir / (cidr.replace(".", "_").replace("/", "_") + ".csv")
    with path.open("w", newline="") as out:
        writer = csv.writer(out, lineterminator="\n")
        for address in addresses:
            writer.writerow([cidr, address])
    client.upload_file(str(path), bucket, path.name)
    return path.stat().st_size


@contextlib.contextmanager
def moto_server() -> Iterator[str]:
    """Run `moto.server` in its own process on a free loopback port; yield its URL."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):  # up to ~10 s
            try:
                with urllib.request.urlopen(f"{url}/moto-api/", timeout=1):
                    break
            except OSError:
                time.sleep(0.1)
        else:
            raise RuntimeError(f"moto.server did not start on {url}")
        yield url
    finally:
        server.terminate()
        server.wait(timeout=10)


@contextlib.contextmanager
def s3_client(placement: str) -> Iterator[Any]:
    """An S3 client on moto, in this process or behind a server; None for local files."""
    import boto3

    if placement == "none":
        yield None
    elif placement == "in-process":
        from moto import mock_aws

        with mock_aws():
            yield boto3.client("s3", region_name="us-east-1")
    elif placement == "server":
        with moto_server() as url:
            yield boto3.client("s3", region_name="us-east-1", endpoint_url=url)
    else:
        raise SystemExit(f"unknown S3 placement {placement!r}: in-process, server or none")


def run_one(algorithm: str, placement: str, cidr: str) -> dict[str, Any]:
    """One measurement in this process; only the expansion itself is timed."""
    os.environ.update(
        AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing", AWS_DEFAULT_REGION="us-east-1"
    )
    from vpc_cidr_analysis.cidrtable.expand import expand_to_dir, expand_to_s3

    with s3_client(placement) as client, tempfile.TemporaryDirectory() as tmp:
        if client is not None:
            client.create_bucket(Bucket=BUCKET)
        baseline = peak_rss_mb()
        started = time.perf_counter()
        if algorithm == "ours":
            size = expand_to_s3([cidr], client, bucket=BUCKET, max_addresses=2**24)[0].bytes
        elif algorithm == "ours-file":
            size = expand_to_dir([cidr], tmp, max_addresses=2**24)[0].bytes
        elif algorithm == "seed":
            size = seed_algorithm(cidr, client, BUCKET, Path(tmp))
        else:
            raise SystemExit(f"unknown algorithm {algorithm!r}: ours, ours-file or seed")
        seconds = time.perf_counter() - started
    return {
        "algorithm": algorithm,
        "s3": placement,
        "cidr": cidr,
        "addresses": ipaddress.ip_network(cidr).num_addresses,
        "seconds": round(seconds, 3),
        "peak_rss_mb": round(peak_rss_mb(), 1),
        "baseline_rss_mb": round(baseline, 1),
        "bytes": size,
    }


def measure(algorithm: str, placement: str, cidr: str) -> dict[str, Any]:
    """Run one measurement in a fresh interpreter and read its JSON line."""
    done = subprocess.run(
        [sys.executable, __file__, "--one", algorithm, placement, cidr],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    print(json.dumps(result), file=sys.stderr)
    return result


def table(results: list[dict[str, Any]]) -> str:
    """Markdown rows of every run, then seed-vs-ours ratios where both ran alike."""
    lines = [
        "| algorithm | S3 (moto) | block | addresses | seconds | peak RSS MB | before run MB "
        "| bytes written |",
        "|---|---|---|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        lines.append(
            f"| {r['algorithm']} | {r['s3']} | {r['cidr']} | {r['addresses']:,} | "
            f"{r['seconds']:.3f} | {r['peak_rss_mb']:.0f} | {r['baseline_rss_mb']:.0f} | "
            f"{r['bytes']:,} |"
        )
    by = {(r["algorithm"], r["s3"], r["cidr"]): r for r in results}
    ratios = [
        "",
        "| S3 (moto) | block | seed s / ours s | seed peak / ours peak "
        "| seed growth / ours growth |",
        "|---|---|---:|---:|---:|",
    ]
    for (algorithm, placement, cidr), seed in by.items():
        ours = by.get(("ours", placement, cidr))
        if algorithm != "seed" or ours is None:
            continue
        grown_seed = seed["peak_rss_mb"] - seed["baseline_rss_mb"]
        grown_ours = max(ours["peak_rss_mb"] - ours["baseline_rss_mb"], 0.5)
        ratios.append(
            f"| {placement} | {cidr} | {seed['seconds'] / max(ours['seconds'], 0.001):.1f}x | "
            f"{seed['peak_rss_mb'] / ours['peak_rss_mb']:.1f}x | {grown_seed / grown_ours:.0f}x |"
        )
    return "\n".join(lines + ratios)


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument(
        "--one", nargs=3, metavar=("ALGORITHM", "S3", "CIDR"), help="run one measurement"
    )
    parser.add_argument(
        "--seed", nargs="*", default=[], help="more blocks for the seed algorithm (moto server)"
    )
    args = parser.parse_args()
    if args.one:
        print(json.dumps(run_one(*args.one)))
        return
    load = os.getloadavg()
    runs = DEFAULT_RUNS + [("seed", "server", cidr) for cidr in args.seed]
    results = [measure(*run) for run in runs]
    after = os.getloadavg()
    print(
        f"{datetime.datetime.now():%Y-%m-%d %H:%M} · {platform.python_implementation()} "
        f"{platform.python_version()} · {os.cpu_count()} cores · load average "
        f"{load[0]:.2f} before, {after[0]:.2f} after\n"
    )
    print(table(results))


if __name__ == "__main__":
    main()
