"""The hub-and-spoke network and the transit gateway's own flow-log records, generated in
memory: the record semantics the TGW queries rely on (ingress and egress of one flow alike, a
dropped request only where it entered, the VPN attachment's `-` fields, 60 s records), the VPC
records of the same traffic, and clear validation errors."""

from __future__ import annotations

import copy
import itertools
import json
from collections import defaultdict
from datetime import UTC, date, datetime
from typing import Any

import pytest

from vpc_cidr_analysis import schema
from vpc_cidr_analysis.simulate.simulator import RECORD_FIELDS, Generator, SampleConfig
from vpc_cidr_analysis.simulate.tgw import TGW_FIELDS
from vpc_cidr_analysis.simulate.topology import (
    HUB_TOPOLOGY_FILE,
    Topology,
    TopologyError,
    default_topology,
    hub_topology,
)

HUB: dict[str, Any] = json.loads(HUB_TOPOLOGY_FILE.read_text(encoding="utf-8"))
CONFIG = SampleConfig(
    records=3000, days=3, end_date=date(2026, 11, 27), seed=5, now=datetime(2026, 12, 1, tzinfo=UTC)
)
F = {name: i for i, name in enumerate(TGW_FIELDS)}
V = {name: i for i, name in enumerate(RECORD_FIELDS)}


def generated(
    topology: Topology | None = None, config: SampleConfig = CONFIG
) -> tuple[list[tuple[str, ...]], list[tuple[str, ...]]]:
    """The TGW records and the VPC records of a run, in file order."""
    generator = Generator(config, topology or hub_topology())
    tgw: list[tuple[str, ...]] = []
    vpc: list[tuple[str, ...]] = []
    for window in generator.windows():
        tgw += window.tgw_records
        vpc += [r for records in window.records for r in records]
    return tgw, vpc


@pytest.fixture(scope="module")
def records() -> tuple[list[tuple[str, ...]], list[tuple[str, ...]]]:
    return generated()


def value(record: tuple[str, ...], field: str) -> str:
    return record[F[field]]


def test_the_hub_network_attaches_three_vpcs_and_a_vpn() -> None:
    t = hub_topology()
    assert t.transit_gateway is not None and t.transit_gateway.flow_log_id is not None
    assert t.vpc_cidrs() == {"A": ["10.10.0.0/16"], "B": ["10.20.0.0/16"], "C": ["10.30.0.0/16"]}
    assert not t.peerings
    assert {p.tgw_drop for p in t.traffic} == {
        None, "no_route", "blackhole", "mtu_exceeded", "ttl_expired"
    }  # fmt: skip
    assert t.pool("on-premises").route == "transit_gateway"
    assert Topology.from_dict(t.to_dict()) == t
    assert t.to_dict()["transit_gateway"]["vpn"] == "onprem-vpn"


def test_the_default_network_has_no_gateway_log() -> None:
    t = default_topology()
    assert t.transit_gateway is None
    assert "transit_gateway" not in t.to_dict()
    assert all("tgw_drop" not in p.to_dict() for p in t.traffic)
    tgw, _vpc = generated(t)
    assert tgw == []


def test_records_have_the_default_tgw_format(records: Any) -> None:
    tgw, _vpc = records
    assert tgw
    assert TGW_FIELDS == schema.TGW_DEFAULT_FIELDS and len(TGW_FIELDS) == 36
    for r in tgw:
        assert len(r) == 36
        assert (value(r, "version"), value(r, "resource-type")) == ("6", "TransitGateway")
        assert value(r, "log-status") == "OK"
        assert value(r, "flow-direction") in ("ingress", "egress")
        assert 0 <= int(value(r, "end")) - int(value(r, "start")) < 60  # 60 s aggregation
        assert int(value(r, "packets")) >= 1


def _flows(tgw: list[tuple[str, ...]]) -> dict[tuple[str, ...], list[tuple[str, ...]]]:
    by_flow = defaultdict(list)
    for r in tgw:
        key = tuple(value(r, f) for f in ("srcaddr", "dstaddr", "srcport", "dstport", "start"))
        by_flow[key].append(r)
    return by_flow


def test_a_crossing_flow_is_logged_entering_and_leaving_alike(records: Any) -> None:
    tgw, _vpc = records
    crossed = 0
    for rows in _flows(tgw).values():
        if value(rows[0], "tgw-pair-attachment-id") == "-":
            continue
        crossed += 1
        assert sorted(value(r, "flow-direction") for r in rows) == ["egress", "ingress"]
        ingress, egress = sorted(rows, key=lambda r: value(r, "flow-direction") == "egress")
        assert value(ingress, "tgw-attachment-id") == value(egress, "tgw-pair-attachment-id")
        assert value(egress, "tgw-attachment-id") == value(ingress, "tgw-pair-attachment-id")
        assert value(ingress, "tgw-attachment-id") != value(egress, "tgw-attachment-id")
        same = [f for f in TGW_FIELDS if f not in ("tgw-attachment-id", "tgw-pair-attachment-id")]
        assert [value(ingress, f) for f in same if f != "flow-direction"] == [
            value(egress, f) for f in same if f != "flow-direction"
        ]
    assert crossed > 100


def test_a_dropped_request_is_logged_only_where_it_entered(records: Any) -> None:
    tgw, _vpc = records
    dropped = [r for r in tgw if value(r, "tgw-pair-attachment-id") == "-"]
    assert dropped
    for r in dropped:
        assert value(r, "flow-direction") == "ingress"
        for field in ("tgw-dst-vpc-id", "tgw-dst-subnet-id", "tgw-dst-eni", "tgw-dst-az-id"):
            assert value(r, field) == "-"
        lost = [int(value(r, f"packets-lost-{c}")) for c in ("no-route", "blackhole")]
        assert sum(lost) == int(value(r, "packets")) and 0 in lost
    causes = {(value(r, "dstaddr").split(".")[1], value(r, "dstport")) for r in dropped}
    assert causes == {("40", "5432"), ("30", "1433")}  # the retired VPC, the blackhole


def test_mtu_and_ttl_losses_are_on_flows_that_cross(records: Any) -> None:
    tgw, _vpc = records
    for cause, port in (("mtu-exceeded", "9000"), ("ttl-expired", "8443")):
        lossy = [r for r in tgw if int(value(r, f"packets-lost-{cause}"))]
        assert lossy, cause
        for r in lossy:
            assert value(r, "dstport") == port
            assert value(r, "tgw-pair-attachment-id") != "-"
            assert 1 <= int(value(r, f"packets-lost-{cause}")) <= int(value(r, "packets"))


def test_the_vpn_side_has_no_vpc_fields(records: Any) -> None:
    tgw, _vpc = records
    gateway = hub_topology().transit_gateway
    assert gateway is not None
    vpn = gateway.attachment_id(gateway.vpn)
    entered = [r for r in tgw if value(r, "srcaddr").startswith("192.168.")]
    assert entered
    for r in entered:
        on_vpn = value(r, "tgw-pair-attachment-id" if value(r, "flow-direction") == "egress"
                       else "tgw-attachment-id")  # fmt: skip
        assert on_vpn == vpn
        for field in ("account-id", "vpc-id", "subnet-id", "eni", "az-id"):
            name = f"tgw-src-{field}" if field != "account-id" else "tgw-src-vpc-account-id"
            assert value(r, name) == "-"
        assert value(r, "tgw-dst-vpc-id").startswith("vpc-0")


def test_long_connections_are_cut_into_minutes_with_syn_first(records: Any) -> None:
    tgw, _vpc = records
    port443 = [
        r
        for r in tgw
        if value(r, "dstport") == "443"
        and value(r, "flow-direction") == "ingress"
        and value(r, "srcaddr") == "10.10.2.20"
    ]
    by_port = defaultdict(list)
    for r in port443:
        by_port[value(r, "srcport")].append(r)
    long = [rows for rows in by_port.values() if len(rows) > 2]
    assert long, "a-to-b-api lasts two 600 s intervals"
    for rows in long:
        rows.sort(key=lambda r: int(value(r, "start")))
        assert value(rows[0], "tcp-flags") == "2"
        assert all(value(r, "tcp-flags") == "0" for r in rows[1:-1])
        starts = [int(value(r, "start")) for r in rows]
        assert all(b - a >= 60 for a, b in itertools.pairwise(starts))


def test_vpc_logs_see_a_dropped_request_only_on_the_client_side(records: Any) -> None:
    _tgw, vpc = records
    t = hub_topology()
    legacy = t.eni("c-legacy-1")
    to_legacy = [r for r in vpc if r[V["pkt-dstaddr"]] == legacy.ipv4]
    assert to_legacy
    interfaces = {r[V["interface-id"]] for r in to_legacy}
    assert interfaces == {t.eni("a-app-1").id, t.eni("a-tgw-2").id}  # AZ 2: where it entered
    assert all(r[V["action"]] == "ACCEPT" for r in to_legacy)
    assert not [r for r in vpc if r[V["pkt-srcaddr"]] == legacy.ipv4]  # never answered


def test_the_gateway_log_leaves_the_vpc_records_unchanged(records: Any) -> None:
    _tgw, vpc = records
    data = copy.deepcopy(HUB)
    data["transit_gateway"]["flow_log_id"] = None
    tgw, without = generated(Topology.from_dict(data))
    assert tgw == [] and without == vpc


def test_a_log_on_one_attachment_writes_its_records_only(records: Any) -> None:
    tgw, vpc = records
    data = copy.deepcopy(HUB)
    data["transit_gateway"]["flow_log_attachment"] = "onprem-vpn"
    topology = Topology.from_dict(data)
    only, same_vpc = generated(topology)
    assert topology.transit_gateway is not None
    vpn = topology.transit_gateway.attachment_id("onprem-vpn")
    assert only == [r for r in tgw if value(r, "tgw-attachment-id") == vpn]
    assert {value(r, "flow-direction") for r in only} == {"ingress", "egress"}
    assert same_vpc == vpc


def test_same_seed_same_records() -> None:
    assert generated() == generated()


NO_VIA = {
    "name": "no-via", "clients": ["a-app-1"], "servers": ["a-web-1"], "protocol": 6, "port": 443,
    "tgw_drop": "no_route",
}  # fmt: skip


def edited(change: Any) -> dict[str, Any]:
    data = copy.deepcopy(HUB)
    change(data)
    return data


def _pattern(data: dict[str, Any], name: str) -> dict[str, Any]:
    pattern: dict[str, Any] = next(p for p in data["traffic"] if p["name"] == name)
    return pattern


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: _pattern(d, "b-to-retired").update(tgw_drop="lost"), "tgw_drop 'lost'"),
        (lambda d: _pattern(d, "a-to-c-legacy").update(action="REJECT"), "ACCEPTed pattern"),
        (lambda d: _pattern(d, "a-to-c-legacy").update(intervals=2), "lasts one interval"),
        (
            lambda d: _pattern(d, "a-to-onprem-ldap").update(via="b-tgw-1"),
            "must be in the servers' VPC",
        ),
        (lambda d: _pattern(d, "a-to-onprem-ldap").pop("via"), "needs a transit gateway via"),
        (lambda d: d.pop("transit_gateway"), "needs a transit_gateway entry"),
        (
            lambda d: d["traffic"].append(NO_VIA),
            "tgw_drop needs a transit gateway via",
        ),
        (
            lambda d: d["transit_gateway"].update(flow_log_attachment="D"),
            "flow_log_attachment 'D' must be an attached VPC's key",
        ),
        (
            lambda d: d["pools"][0].update(route="internet"),
            "an ENI and a pool with route transit_gateway",
        ),
    ],
)
def test_invalid_hub_topologies_are_named(change: Any, message: str) -> None:
    with pytest.raises(TopologyError, match=message):
        Topology.from_dict(edited(change))
