"""Golden: the Transit Gateway queries on the local engine equal the simulator's ground truth
(`ground_truth.json` `tgw`, counted from the conversations it generated, never from SQL) over
the hub-and-spoke network (`hub_topology.json`: three VPCs and a VPN attachment on one transit
gateway that logs its own flows, drops by every cause) in every layout and format: default and
Hive keys, daily and hourly, text and Parquet, a user prefix. The VPC flow logs of the same
traffic lie under the same prefix: the VPC pack's answers are the same with and without the TGW
files, and they agree with the gateway's view of the traffic between the two spokes.
"""

from __future__ import annotations

import shutil
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from local_answers import answer

from vpc_cidr_analysis.engine.local import LocalEngine
from vpc_cidr_analysis.pack.queries import load_queries
from vpc_cidr_analysis.pack.runner import QueryOutput, run_local
from vpc_cidr_analysis.simulate.simulator import (
    CONNECTION_KEY,
    SampleConfig,
    connection_rows,
    read_ground_truth,
    tgw_rows,
    write_sample,
)
from vpc_cidr_analysis.simulate.tgw import TGW_QUERY_COLUMNS
from vpc_cidr_analysis.simulate.topology import Topology, hub_topology

END = date(2026, 11, 27)
NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
QUERIES = load_queries()
WINDOWS = ("last_10_days", "all")
#: The TGW queries besides tgw_attachments, each golden-tested against the truth below.
NEW_QUERIES = ["tgw_route_usage", "tgw_top_talkers", "tgw_drops"]


def _config(seed: int, **options: Any) -> SampleConfig:
    return SampleConfig(records=4000, days=13, end_date=END, seed=seed, now=NOW, **options)


#: Hourly Parquet of TGW records is in test_tgw_connections.py (hand-written records).
DATASETS = {
    "default-daily-text": _config(21),
    "hive-hourly-text": _config(22, layout="hive", hourly=True),
    "default-daily-parquet": _config(23, file_format="parquet"),
    "hive-daily-parquet-prefix": _config(
        24, layout="hive", file_format="parquet", prefix="org/flow-logs"
    ),
    "default-daily-text-on-attachment-B": _config(25),
}
#: Datasets whose gateway flow log is on one attachment only (VPC-B's), not the whole gateway.
ON_ONE_ATTACHMENT = {"default-daily-text-on-attachment-B": "B"}


def _topology(name: str) -> Topology:
    if name not in ON_ONE_ATTACHMENT:
        return hub_topology()
    data = hub_topology().to_dict()
    data["transit_gateway"]["flow_log_attachment"] = ON_ONE_ATTACHMENT[name]
    return Topology.from_dict(data)


@pytest.fixture(scope="module", params=sorted(DATASETS))
def dataset(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Any:
    config = DATASETS[request.param]
    path = tmp_path_factory.mktemp(request.param)
    write_sample(config, path, _topology(request.param))
    return path, config, read_ground_truth(path)


def _epoch(value: Any) -> Any:
    if isinstance(value, datetime):
        return int((value if value.tzinfo else value.replace(tzinfo=UTC)).timestamp())
    return value


def _as_dicts(out: QueryOutput) -> list[dict[str, Any]]:
    return [{k: _epoch(v) for k, v in zip(out.columns, row, strict=True)} for row in out.rows]


def _days(truth: dict[str, Any], window: str) -> dict[str, str]:
    first, last = truth["windows"][window]["first_day"], truth["windows"][window]["last_day"]
    return {"start_day": first, "end_day": last}


def _run(path: Path, truth: dict[str, Any], query: str, window: str) -> list[dict[str, Any]]:
    values = truth["tgw"]["params"][query] | _days(truth, window)
    out = answer(query, values, str(path), today=END)
    assert list(out.columns) == list(TGW_QUERY_COLUMNS[query])
    return _as_dicts(out)


def _without_tgw_files(path: Path, truth: dict[str, Any], into: Path) -> Path:
    """A copy of the dataset with the gateway's flow-log objects left out."""
    shutil.copytree(path, into)
    for entry in truth["tgw"]["files"]:
        (into / entry["key"]).unlink()
    return into


@pytest.mark.parametrize("window", WINDOWS)
def test_tgw_attachments_equals_ground_truth(dataset: Any, window: str) -> None:
    path, _config, truth = dataset
    expected = tgw_rows(truth, "tgw_attachments", window)
    assert expected, "the simulation must send traffic through the gateway"
    assert _run(path, truth, "tgw_attachments", window) == expected  # in the query's order


def test_a_log_on_one_attachment_holds_only_its_records(dataset: Any) -> None:
    path, _config, truth = dataset
    only = truth["tgw"]["transit_gateway"].get("flow_log_attachment")
    sql = (
        "SELECT tgw_attachment_id, flow_direction, count(*) "
        "FROM vpcflowlogscidrdb.tgwflowlogstable GROUP BY 1, 2 ORDER BY 1, 2"
    )
    with LocalEngine(str(path)) as engine:
        rows = engine.execute(sql).rows
    assert sum(n for _a, _d, n in rows) == truth["tgw"]["records"]
    attachments = {a for a, _d, _n in rows}
    if only is None:
        assert attachments == set(truth["tgw"]["attachments"].values())
        return
    assert attachments == {truth["tgw"]["attachments"][only]}
    assert {d for _a, d, _n in rows} == {"ingress", "egress"}


def test_the_simulation_exercises_every_kind_of_attachment_and_drop(dataset: Any) -> None:
    _path, _config, truth = dataset
    rows = tgw_rows(truth, "tgw_attachments", "all")
    only = truth["tgw"]["transit_gateway"].get("flow_log_attachment")
    if only is not None:  # the log holds the flows entering or leaving by that one only
        attachment = truth["tgw"]["attachments"][only]
        assert rows
        assert all(
            attachment in (r["tgw_attachment_id"], r["tgw_pair_attachment_id"]) for r in rows
        )
        assert any(r["packets_lost_no_route"] for r in rows)  # B's batch job to a retired VPC
        assert not any(r["packets_lost_blackhole"] for r in rows)  # A to C: not B's
        return
    vpn = truth["tgw"]["attachments"][truth["tgw"]["transit_gateway"]["vpn"]]
    assert any(r["tgw_attachment_id"] == vpn and r["src_vpc_id"] is None for r in rows)
    assert any(r["tgw_pair_attachment_id"] == vpn and r["dst_vpc_id"] is None for r in rows)
    for cause in ("no_route", "blackhole", "mtu_exceeded", "ttl_expired"):
        assert any(r[f"packets_lost_{cause}"] for r in rows), cause
    dropped = [r for r in rows if r["tgw_pair_attachment_id"] is None]
    assert dropped and all(r["packets"] == r["packets_lost_no_route"] + r[
        "packets_lost_blackhole"] for r in dropped)  # fmt: skip


@pytest.mark.parametrize("window", WINDOWS)
@pytest.mark.parametrize("query", NEW_QUERIES)
def test_new_tgw_query_equals_ground_truth(dataset: Any, query: str, window: str) -> None:
    path, _config, truth = dataset
    expected = tgw_rows(truth, query, window)
    assert expected
    assert _run(path, truth, query, window) == expected  # in the query's order


#: One text and one Parquet dataset, daily and Hive with a prefix: running the VPC pack twice
#: over each hourly dataset too would add half a minute and no layout the reader handles apart.
@pytest.mark.parametrize(
    "dataset", ["default-daily-text", "hive-daily-parquet-prefix"], indirect=True
)
def test_vpc_table_is_unaffected_by_tgw_files_under_the_same_prefix(
    dataset: Any, tmp_path: Path
) -> None:
    path, _config, truth = dataset
    assert truth["tgw"]["files"]
    bare = _without_tgw_files(path, truth, tmp_path / "vpc-only")
    networks = {v["key"]: ",".join(v["cidrs"]) for v in truth["topology"]["vpcs"]}
    for name, values in (
        ("external", {"vpc_cidrs": networks["A"]}),
        ("peering", {"vpc_cidrs": networks["A"], "peer_cidrs": networks["B"]}),
        ("cross_vpc", {"vpc_cidrs": networks["A"], "peer_cidrs": networks["C"]}),
        ("top_talkers", {"vpc_cidrs": networks["B"]}),
    ):
        with_tgw = answer(name, values, str(path), today=END)
        without = run_local(QUERIES[name], values, str(bare), today=END)
        assert with_tgw.rows, name
        assert with_tgw.rows == without.rows, name
        assert without.skipped_note is None
        assert with_tgw.skipped_note is not None  # names the gateway's files it left out
        assert "Transit Gateway flow-log file(s)" in with_tgw.skipped_note
    sql = "SELECT count(*) FROM vpcflowlogscidrdb.vpcflowlogstable"
    for logs in (path, bare):
        with LocalEngine(str(logs)) as engine:
            assert engine.execute(sql).rows == [(truth["records"],)]


def _peering(path: Path, truth: dict[str, Any]) -> list[dict[str, Any]]:
    networks = {v["key"]: ",".join(v["cidrs"]) for v in truth["topology"]["vpcs"]}
    values = {"vpc_cidrs": networks["A"], "peer_cidrs": networks["B"]}
    return _as_dicts(answer("peering", values, str(path), today=END))


#: The VPC pack's conversation queries with their peers (A = vpc_cidrs), as the ground truth's
#: `connections` holds them.
PACK = {
    "external": None, "internal": None, "peering": "B", "cross_vpc": "C", "inbound": "B",
    "outbound": "B", "top_talkers": None,
}  # fmt: skip


#: The VPC pack is golden-tested in every layout and format by test_query_golden.py; here the
#: hub network is what is new, so one text and one Parquet dataset.
@pytest.mark.parametrize(
    "dataset", ["default-daily-text", "hive-daily-parquet-prefix"], indirect=True
)
@pytest.mark.parametrize("name", sorted(PACK))
def test_vpc_pack_equals_its_ground_truth_on_the_hub(dataset: Any, name: str) -> None:
    """Through the attachment ENIs (pkt-* name the endpoints), to the VPN, past the drops."""
    path, _config, truth = dataset
    networks = {v["key"]: ",".join(v["cidrs"]) for v in truth["topology"]["vpcs"]}
    values = {"vpc_cidrs": networks["A"]}
    if PACK[name] is not None:
        values["peer_cidrs"] = networks[str(PACK[name])]
    got = _as_dicts(answer(name, values, str(path), today=END))
    expected, _hops = connection_rows(truth, name, "last_10_days")
    for row in expected:
        del row["reject_reason"]
    assert expected or name in ("internal", "inbound")
    key = lambda r: tuple(r[k] for k in CONNECTION_KEY)  # noqa: E731
    if name == "top_talkers":
        assert got == expected  # in order: the top 20
    else:
        assert sorted(got, key=key) == sorted(expected, key=key)


#: What both views of a connection group hold alike.
SHARED = (
    "client", "server", "server_port", "protocol", "connections", "client_packets",
    "client_bytes", "server_packets", "server_bytes", "first_seen", "last_seen", "decided_by",
)  # fmt: skip


def test_the_vpc_and_tgw_views_of_the_spokes_agree(dataset: Any) -> None:
    """The VPC pack's `between` A and B (from the VPCs' logs) and the gateway's connections
    between A and B (its own log, tgw_route_usage's truth): the same groups and counts."""
    path, _config, truth = dataset
    vpc = [{k: r[k] for k in SHARED} for r in _peering(path, truth)]
    tgw = [{k: r[k] for k in SHARED} for r in tgw_rows(truth, "tgw_route_usage", "last_10_days")]
    assert tgw
    key = lambda r: tuple(r[k] for k in SHARED[:4])  # noqa: E731
    assert sorted(vpc, key=key) == sorted(tgw, key=key)
    ran = _run(path, truth, "tgw_route_usage", "last_10_days")  # and the query on the TGW records
    got = [{k: r[k] for k in SHARED} for r in ran]
    assert sorted(got, key=key) == sorted(vpc, key=key)
