"""The transit gateway's flow-log objects the simulator writes (hub network): keys beside the
VPC logs' with their own flow-log id, the default TGW header, and a ground truth that equals a
plain count of the written records by the TGW queries' contracts; `sample --topology hub`."""

from __future__ import annotations

import gzip
from collections import defaultdict
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import duckdb
import pytest
from click.testing import CliRunner

from vpc_cidr_analysis import layout, schema
from vpc_cidr_analysis.cli import cli
from vpc_cidr_analysis.simulate.simulator import (
    SampleConfig,
    read_ground_truth,
    tgw_rows,
    write_sample,
)
from vpc_cidr_analysis.simulate.tgw import TGW_FIELDS
from vpc_cidr_analysis.simulate.topology import hub_topology

END = date(2026, 11, 27)
CONFIG = SampleConfig(
    records=3000, days=4, end_date=END, seed=3, now=datetime(2026, 12, 1, tzinfo=UTC)
)
LOST = ("no_route", "blackhole", "mtu_exceeded", "ttl_expired")


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    path = tmp_path_factory.mktemp("hub")
    write_sample(CONFIG, path, hub_topology())
    return path, read_ground_truth(path)


def _records(path: Path, truth: dict[str, Any]) -> list[dict[str, str]]:
    rows = []
    for entry in truth["tgw"]["files"]:
        lines = gzip.decompress((path / entry["key"]).read_bytes()).decode().splitlines()
        assert lines[0] == " ".join(TGW_FIELDS)
        assert len(lines) - 1 == entry["records"]
        rows += [dict(zip(TGW_FIELDS, line.split(" "), strict=True)) for line in lines[1:]]
    return rows


def test_tgw_objects_sit_beside_the_vpc_logs_with_their_own_id(sample: Any) -> None:
    path, truth = sample
    gateway = truth["tgw"]["transit_gateway"]
    vpc_ids = {v["flow_log_id"] for v in truth["topology"]["vpcs"]}
    assert gateway["flow_log_id"] not in vpc_ids
    for entry in truth["tgw"]["files"]:
        parts = layout.parse_key(entry["key"])
        assert parts is not None and parts.file_format == "text"
        assert f"_{gateway['flow_log_id']}_" in entry["key"]
    vpc_folders = {Path(e["key"]).parent for e in truth["files"]}
    assert {Path(e["key"]).parent for e in truth["tgw"]["files"]} <= vpc_folders
    records = _records(path, truth)
    assert len(records) == truth["tgw"]["records"]
    assert {r["tgw-id"] for r in records} == {gateway["id"]}
    assert schema.kind_of_format(" ".join(TGW_FIELDS)) is schema.TGW


def _pair(r: dict[str, str]) -> tuple[str, ...]:
    return (r["tgw-attachment-id"], r["tgw-pair-attachment-id"], r["tgw-src-vpc-id"],
            r["tgw-dst-vpc-id"])  # fmt: skip


def _none(value: str) -> str | None:
    return None if value == "-" else value


def test_ground_truth_equals_a_count_of_the_written_records(sample: Any) -> None:
    """tgw_attachments and tgw_drops by their contracts over the files' ingress records (the
    gateway logs every attachment, so each flow has one)."""
    path, truth = sample
    first = truth["windows"]["last_10_days"]["first_day"]
    ingress = [
        r for r in _records(path, truth)
        if r["flow-direction"] == "ingress"
        and datetime.fromtimestamp(int(r["start"]), UTC).strftime("%Y/%m/%d") >= first
    ]  # fmt: skip
    flows: dict[tuple[str, ...], set[tuple[str, ...]]] = defaultdict(set)
    sums: dict[tuple[str, ...], list[int]] = defaultdict(lambda: [0] * 6)
    for r in ingress:
        flows[_pair(r)].add(tuple(r[f] for f in ("srcaddr", "dstaddr", "srcport", "dstport")))
        counts = [r["packets"], r["bytes"], *(r[f"packets-lost-{c.replace('_', '-')}"]
                                              for c in LOST)]  # fmt: skip
        sums[_pair(r)] = [a + int(b) for a, b in zip(sums[_pair(r)], counts, strict=True)]
    expected = {
        (pair[0], _none(pair[1]), _none(pair[2]), _none(pair[3])): [len(flows[pair]), *sums[pair]]
        for pair in flows
    }
    got = {
        (r["tgw_attachment_id"], r["tgw_pair_attachment_id"], r["src_vpc_id"], r["dst_vpc_id"]): [
            r["connections"],
            r["packets"],
            r["bytes"],
            *(r[f"packets_lost_{c}"] for c in LOST),
        ]
        for r in tgw_rows(truth, "tgw_attachments", "last_10_days")
    }
    assert got == expected
    lossy: dict[tuple[str | None, ...], set[tuple[str, str]]] = defaultdict(set)
    for r in ingress:
        if any(int(r[f"packets-lost-{c.replace('_', '-')}"]) for c in LOST):
            pair = _pair(r)
            key = (pair[0], _none(pair[1]), r["dstaddr"], r["dstport"])
            lossy[key].add((r["srcaddr"], r["srcport"]))
    drops = tgw_rows(truth, "tgw_drops", "last_10_days")
    got_drops = {
        (r["tgw_attachment_id"], r["tgw_pair_attachment_id"], r["dstaddr"], str(r["dstport"])):
        r["flows"] for r in drops
    }  # fmt: skip
    assert got_drops == {key: len(sources) for key, sources in lossy.items()}


def test_parquet_objects_hold_the_same_records(sample: Any, tmp_path: Path) -> None:
    path, truth = sample
    config = SampleConfig(**(CONFIG.to_dict() | {
        "file_format": "parquet", "end_date": END, "now": CONFIG.now,
        "fields": CONFIG.fields}))  # fmt: skip
    write_sample(config, tmp_path, hub_topology())
    other = read_ground_truth(tmp_path)
    assert other["tgw"]["queries"] == truth["tgw"]["queries"]
    keys = [e["key"] for e in other["tgw"]["files"]]
    assert keys and all(k.endswith(".log.parquet") for k in keys)
    columns = [f.column for f in schema.fields_for(TGW_FIELDS, schema.TGW)]
    files = ", ".join(f"'{tmp_path / k}'" for k in keys)
    with duckdb.connect() as con:
        described = con.execute(f"DESCRIBE SELECT * FROM read_parquet([{files}])").fetchall()
        counts = con.execute(
            "SELECT count(*), count(*) FILTER (WHERE tgw_pair_attachment_id IS NULL), "
            "count(*) FILTER (WHERE tgw_pair_attachment_id = '-') "
            f"FROM read_parquet([{files}])"
        ).fetchone()
    assert [row[0] for row in described] == columns
    assert dict((row[0], row[1]) for row in described)["packets_lost_no_route"] == "BIGINT"
    dropped = [r for r in _records(path, truth) if r["tgw-pair-attachment-id"] == "-"]
    assert dropped
    assert counts == (truth["tgw"]["records"], len(dropped), 0)  # '-' is NULL in Parquet


def test_same_seed_same_bytes(sample: Any, tmp_path: Path) -> None:
    path, truth = sample
    write_sample(CONFIG, tmp_path, hub_topology())
    for entry in truth["tgw"]["files"]:
        assert (tmp_path / entry["key"]).read_bytes() == (path / entry["key"]).read_bytes()
    assert (tmp_path / "ground_truth.json").read_bytes() == (
        path / "ground_truth.json"
    ).read_bytes()


def test_sample_command_writes_the_hub_network(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        cli,
        ["sample", "--out", str(tmp_path), "--records", "800", "--days", "2", "--end-date",
         "2026-11-20", "--topology", "hub"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    truth = read_ground_truth(tmp_path)
    size = sum(p.stat().st_size for p in (tmp_path / "AWSLogs").rglob("*.log.gz"))
    files = len(truth["files"]) + len(truth["tgw"]["files"])
    assert result.output.strip() == (
        f"wrote {files:,} files, 800 records (+{truth['tgw']['records']:,} transit gateway "
        f"records), {size:,} bytes to {tmp_path} (ground truth: ground_truth.json)"
    )
    assert truth["topology"]["transit_gateway"]["name"] == "tgw-hub"


def test_summary_ground_truth_lists_no_tgw_rows(tmp_path: Path) -> None:
    config = SampleConfig(
        records=1000, days=2, end_date=END, seed=3, now=CONFIG.now, ground_truth="summary"
    )
    write_sample(config, tmp_path, hub_topology())
    truth = read_ground_truth(tmp_path)
    assert truth["tgw"]["records"] > 0 and truth["tgw"]["files"]
    assert all(
        part[w]["rows"] is None
        for part in truth["tgw"]["queries"].values()
        for w in truth["windows"]
    )
    with pytest.raises(ValueError, match="totals only"):
        tgw_rows(truth, "tgw_attachments", "all")
