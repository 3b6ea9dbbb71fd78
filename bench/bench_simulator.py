"""Benchmark `vpc-cidr-analysis sample`: records per second and peak memory of one run.

Run one configuration per process, so peak RSS belongs to that run alone:

    .venv/bin/python bench/bench_simulator.py --records 1000000
    .venv/bin/python bench/bench_simulator.py --records 1000000 --file-format parquet
    .venv/bin/python bench/bench_simulator.py --records 1000000 --phase generate
    .venv/bin/python bench/bench_simulator.py --records 300000 --phase stages
    .venv/bin/python bench/bench_simulator.py --records 1000000 --topology hub

Prints one JSON object: wall and CPU seconds, records/s (wall and CPU), peak RSS, files, bytes,
and the transit gateway records written besides `--records` (`--topology hub`: the hub-and-spoke
network, whose gateway logs its own flows; rates count the VPC records only).
`--phase stages` runs the stages one after the other in one thread and reports CPU µs per
record for each: generate, render (text lines), ground truth, gzip — on a busy machine, the
sum of the first three bounds the rate better than the wall clock does (gzip runs in its own
thread).
The output folder is a temporary directory, removed afterwards unless --keep is given.
Targets: >= 200,000 records/s for text (2 cores), < 300 MB RSS at any size (streaming).
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import platform
import resource
import shutil
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any

from vpc_cidr_analysis.simulate.simulator import (
    GZIP_LEVEL,
    Generator,
    SampleConfig,
    _GroundTruth,
    _TextWriter,
    write_sample,
)
from vpc_cidr_analysis.simulate.tgw import TGW_FIELDS
from vpc_cidr_analysis.simulate.topology import Topology, default_topology, hub_topology

TOPOLOGIES = {"default": default_topology, "hub": hub_topology}


def measure(args: argparse.Namespace) -> dict[str, Any]:
    """Run the simulator once as the arguments say and return the measurements."""
    config = SampleConfig(
        records=args.records,
        days=args.days,
        end_date=date.fromisoformat(args.end_date),
        seed=args.seed,
        hourly=args.hourly,
        file_format=args.file_format,
    )
    topology = TOPOLOGIES[args.topology]()
    out = Path(tempfile.mkdtemp(prefix="bench-simulator-"))
    files = written = tgw_records = 0
    wall, cpu = time.perf_counter(), time.process_time()
    try:
        if args.phase == "generate":
            for window in Generator(config, topology).windows():
                files += sum(1 for records in window.records if records)
                files += 1 if window.tgw_records else 0
                tgw_records += len(window.tgw_records)
        elif args.phase == "stages":
            return stages(config, topology)
        else:
            result = write_sample(config, out, topology)
            files, written, tgw_records = len(result.files), result.bytes, result.tgw_records
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    finally:
        if not args.keep:
            shutil.rmtree(out, ignore_errors=True)
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    return {
        "phase": args.phase,
        "topology": args.topology,
        "tgw_records": tgw_records,
        "file_format": args.file_format,
        "hourly": args.hourly,
        "records": args.records,
        "days": args.days,
        "files": files,
        "bytes": written,
        "wall_s": round(wall, 2),
        "cpu_s": round(cpu, 2),
        "records_per_s_wall": int(args.records / wall),
        "records_per_s_cpu": int(args.records / cpu),
        "peak_rss_mb": round(peak_kib / 1024, 1),
        "machine": f"{platform.machine()} {os.cpu_count()} cpus Python {platform.python_version()}",
        "kept": str(out) if args.keep else None,
    }


def stages(config: SampleConfig, topology: Topology) -> dict[str, Any]:
    """CPU µs per record of each stage of `write_sample`, run one after the other (the
    transit gateway's records rendered and compressed with the VPC ones; the TGW ground truth
    is counted in `generate`, where the generator keeps it)."""
    writer, truth = _TextWriter(config.fields), _GroundTruth(config, topology)
    tgw_writer = _TextWriter(TGW_FIELDS, tgw=True)
    spent = dict.fromkeys(("generate", "render", "ground_truth", "gzip"), 0.0)
    windows = Generator(config, topology).windows()
    while True:
        t = time.process_time()
        window = next(windows, None)
        spent["generate"] += time.process_time() - t
        if window is None:
            break
        t = time.process_time()
        texts = [writer.render(records) for records in window.records if records]
        if window.tgw_records:
            texts.append(tgw_writer.render(window.tgw_records))
        spent["render"] += time.process_time() - t
        t = time.process_time()
        truth.add(window.day, [r for records in window.records for r in records])
        spent["ground_truth"] += time.process_time() - t
        t = time.process_time()
        for text in texts:
            gzip.compress(text.encode(), compresslevel=GZIP_LEVEL, mtime=0)
        spent["gzip"] += time.process_time() - t
    per_record = {k: round(v * 1e6 / config.records, 2) for k, v in spent.items()}
    main_thread = per_record["generate"] + per_record["render"] + per_record["ground_truth"]
    return {
        "phase": "stages",
        "records": config.records,
        "us_per_record": per_record,
        "records_per_s_if_gzip_overlaps": int(1e6 / max(main_thread, per_record["gzip"])),
        "records_per_s_one_core": int(1e6 / sum(per_record.values())),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--days", type=int, default=14)
    parser.add_argument("--end-date", default="2026-11-27")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--hourly", action="store_true")
    parser.add_argument("--file-format", choices=("text", "parquet"), default="text")
    parser.add_argument("--phase", choices=("write", "generate", "stages"), default="write")
    parser.add_argument("--topology", choices=sorted(TOPOLOGIES), default="default")
    parser.add_argument("--keep", action="store_true", help="keep the output folder")
    print(json.dumps(measure(parser.parse_args())))


if __name__ == "__main__":
    main()
