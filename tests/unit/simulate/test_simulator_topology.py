"""The simulated network: the documented default, JSON round trips, and clear validation errors."""

from __future__ import annotations

import copy
import ipaddress
import json
from pathlib import Path
from typing import Any

import pytest

from vpc_cidr_analysis.simulate.rules import rule_references
from vpc_cidr_analysis.simulate.simulator import az_id
from vpc_cidr_analysis.simulate.topology import (
    DEFAULT_TOPOLOGY,
    Topology,
    TopologyError,
    default_topology,
    derived_id,
)


def edited(change: Any) -> dict[str, Any]:
    data = copy.deepcopy(DEFAULT_TOPOLOGY)
    change(data)
    return data


def test_default_network_matches_its_documentation() -> None:
    t = default_topology()
    assert t.vpc_cidrs() == {
        "A": ["10.0.0.0/16", "100.64.0.0/20", "2600:1f18:aaaa:ab00::/56"],
        "B": ["10.1.0.0/16"],
        "C": ["10.2.0.0/16"],
    }
    assert t.peered("A", "B") and t.peered("B", "A") and not t.peered("A", "C")
    assert t.eni("a-web-1").ipv4 == "10.0.0.151"
    assert t.eni("a-bastion-1").ipv4 == "10.0.0.175"
    assert t.eni("a-nat-1").kind == "nat_gateway" and t.eni("a-nat-1").instance_id is None
    assert t.eni("b-api-1").ipv4 == "10.1.0.123"
    assert t.eni("c-legacy-1").ipv4 == "10.2.0.146"
    assert all(t.logged(e) for e in t.enis)
    assert len({v.flow_log_id for v in t.vpcs}) == 3
    for eni in t.enis:  # every ENI sits in its subnet, and its subnet in its VPC
        subnet = t.subnet(eni.subnet)
        assert ipaddress.ip_address(eni.ipv4) in ipaddress.ip_network(subnet.cidr)
        assert subnet.vpc == eni.vpc
        assert eni.id.startswith("eni-0") and len(eni.id) == len("eni-") + 17
        if eni.kind == "instance":
            assert eni.instance_id is not None and eni.instance_id.startswith("i-0")
        else:
            assert eni.instance_id is None
    assert {p.name for p in t.traffic} >= {
        "ssh-probes",
        "rdp-probes",
        "c-to-a-web",
        "egress-via-nat",
    }


def test_round_trips_through_json(tmp_path: Path) -> None:
    t = default_topology()
    path = tmp_path / "net.json"
    path.write_text(json.dumps(t.to_dict()))
    assert Topology.from_json(path) == t
    assert Topology.from_dict(t.to_dict()).to_dict() == t.to_dict()


def test_ids_are_derived_when_absent_and_kept_when_given() -> None:
    assert derived_id("vpc", "x") == derived_id("vpc", "x") != derived_id("vpc", "y")
    data = edited(lambda d: d["vpcs"][0].update(id="vpc-0123456789abcdef0"))
    t = Topology.from_dict(data)
    assert t.vpc("A").id == "vpc-0123456789abcdef0"
    assert t.vpc("B").id == derived_id("vpc", "vpc-b-shared")


def test_eni_dicts_carry_security_group_ids() -> None:
    t = default_topology()
    web = next(e for e in t.to_dict()["enis"] if e["name"] == "a-web-1")
    assert web["security_groups"] == ["a-web"]
    assert web["security_group_ids"] == [t.security_group("a-web").id]
    assert web["vpc_id"] == t.vpc("A").id and web["subnet_id"] == t.subnet("a-public-1").id
    web_group = next(g for g in t.to_dict()["security_groups"] if g["name"] == "a-web")
    ssh = next(r for r in web_group["ingress"] if r.get("group") == "a-bastion")
    assert ssh["group_id"] == t.security_group("a-bastion").id


def test_patterns_name_the_rules_each_pair_uses() -> None:
    t = default_topology()
    patterns = {p.name: p for p in t.traffic}
    refs = {rid: ref for ref, rid in rule_references(t).items()}

    def used(pattern: str, client: str, server: str) -> tuple[list[str], list[str]]:
        pair = patterns[pattern].pair(client, server)
        assert (pair.client, pair.server) == (client, server)
        return [refs[r] for r in pair.egress], [refs[r] for r in pair.ingress]

    # a referenced group admits its members only; the range rule admits every app
    assert used("app-to-db", "a-app-1", "a-db-1") == (
        ["a-app/egress/0"],
        ["a-db/ingress/0", "a-db/ingress/5"],
    )
    assert used("app-to-db", "a-ecs-orders-1", "a-db-1") == (
        ["a-orders/egress/0"],
        ["a-db/ingress/1", "a-db/ingress/5"],
    )
    assert patterns["app-to-db"].rules == (
        "a-app/egress/0",
        "a-orders/egress/0",
        "a-db/ingress/0",
        "a-db/ingress/5",
        "a-db/ingress/1",
    )
    assert used("corporate-ssh", "corporate", "a-bastion-1") == (
        [],
        ["a-bastion/ingress/0", "a-admin/ingress/0"],  # two groups of one ENI
    )
    assert used("egress-via-nat", "a-eks-pod-1", "saas-apis") == (["a-eks-pods/egress/0"], [])
    assert used("c-to-a-db", "c-legacy-1", "a-db-1") == (["c-legacy/egress/0"], [])  # REJECT
    assert used("web-icmpv6", "internet-clients", "a-web-1") == ([], ["a-web/ingress/3"])
    assert used("alb-https-v6", "internet-clients", "a-alb-2") == ([], ["a-alb/ingress/1"])
    probes = patterns["ssh-probes"]
    assert probes.rules == () and len(probes.uses) == 2
    assert all(u.rules == () for u in probes.uses)
    # every client/server pair of every pattern has its entry, once
    for p in t.traffic:
        assert [(u.client, u.server) for u in p.uses] == [
            (c, s) for c in p.clients for s in p.servers
        ]


def test_rules_are_found_for_patterns_that_name_none() -> None:
    unnamed = edited(lambda d: [pattern.pop("rules") for pattern in d["traffic"]])
    assert Topology.from_dict(unnamed) == default_topology()
    assert "rules" not in unnamed["traffic"][0]
    assert Topology.from_dict(unnamed).traffic[0].to_dict()["rules"] == ["a-alb/ingress/0"]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d["enis"][0].update(ipv4="10.0.9.9"), "outside subnet a-public-1"),
        (lambda d: d["enis"][0].update(subnet="nowhere"), "unknown subnet 'nowhere'"),
        (lambda d: d["enis"][0].update(security_groups=["nope"]), "unknown security group"),
        (lambda d: d["enis"][0].update(kind="router"), "kind 'router' is not one of"),
        (lambda d: d["subnets"][0].update(cidr="192.168.0.0/24"), "outside VPC 'A'"),
        (lambda d: d["vpcs"][0].update(cidrs=["10.0.0.0/33"]), "is not a CIDR block"),
        (lambda d: d["traffic"][0].update(servers=["ghost"]), "neither an ENI nor a pool"),
        (lambda d: d["traffic"][0].update(protocol=47), "protocol 47 is not one of"),
        (lambda d: d["traffic"][0].update(action="DROP"), "is not ACCEPT or REJECT"),
        (lambda d: d["traffic"][0].update(request_bytes=[10, 5]), "request_bytes must be"),
        (lambda d: d["traffic"][0].update(clients=["a-app-1", "corporate"]), "all clients must"),
        (lambda d: d["traffic"][0].update(via="a-web-1"), "must name a nat_gateway"),
        (lambda d: d["peerings"].clear(), "cannot reach VPC 'B'"),
        (lambda d: d["enis"].append(dict(d["enis"][0])), "ENI 'a-alb-1' is defined twice"),
        (lambda d: d["pools"].append({"name": "a-web-1", "cidrs": ["1.2.3.0/24"]}), "both an ENI"),
        (
            lambda d: [v.update(flow_log_id=None) for v in d["vpcs"]],
            "none of its ENIs is in a VPC with a flow log",
        ),
        (lambda d: d["traffic"][1].update(servers=["a-nat-1"]), "no IPv6 address"),
        (lambda d: d.pop("vpcs"), "missing key 'vpcs'"),
        (
            lambda d: d["traffic"][0].update(rules=["a-alb:ingress:0"]),
            "traffic pattern 'alb-https': rule 'a-alb:ingress:0' must be 'group/direction/index'",
        ),
        (
            lambda d: d["traffic"][0].update(rules=["a-alb/inbound/0"]),
            "must be 'group/direction/index'",
        ),
        (lambda d: d["traffic"][0].update(rules=["nope/ingress/0"]), "unknown security group"),
        (
            lambda d: d["traffic"][0].update(rules=["a-alb/ingress/3"]),
            "security group 'a-alb' has 3 ingress rule(s), numbered from 0",
        ),
        (
            lambda d: d["traffic"][0].update(rules=["a-alb/ingress/0", "a-alb/ingress/0"]),
            "rules names 'a-alb/ingress/0' twice",
        ),
        (
            lambda d: d["traffic"][0].update(rules=["a-alb/ingress/0", "a-alb/ingress/2"]),
            "traffic pattern 'alb-https': rule a-alb/ingress/2 admits none of its connections",
        ),
        (
            lambda d: d["traffic"][0].update(rules=[]),
            "traffic pattern 'alb-https': rule a-alb/ingress/0 admits its connections from "
            "internet-clients to a-alb-1 but is not among its rules",
        ),
        (
            lambda d: d["traffic"][16].update(rules=["a-web/ingress/2"]),  # REJECTed scans
            "traffic pattern 'ssh-probes': rule a-web/ingress/2 admits none of its connections",
        ),
        (  # a rule inside one of the pool's blocks
            lambda d: d["security_groups"][0]["ingress"].append(
                {"protocol": 6, "from_port": 443, "to_port": 443, "cidr": "73.1.0.0/16"}
            ),
            "traffic pattern 'alb-https': rule a-alb/ingress/3 of a-alb-1 admits 73.1.0.0 of "
            "pool 'internet-clients' but not 73.0.0.0: split the pool",
        ),
        (  # a rule covering the start of one of the pool's blocks
            lambda d: d["security_groups"][0]["ingress"].append(
                {"protocol": 6, "from_port": 443, "to_port": 443, "cidr": "73.0.0.0/9"}
            ),
            "rule a-alb/ingress/3 of a-alb-1 admits 73.0.0.0 of pool 'internet-clients' but "
            "not 73.255.255.255",
        ),
        (  # a referenced group whose member's address is in the pool
            lambda d: (
                d["pools"][1]["cidrs"].append("10.0.0.128/25"),
                d["traffic"][16].update(action="ACCEPT"),
            ),
            "traffic pattern 'ssh-probes': rule a-web/ingress/2 of a-web-1 admits 10.0.0.175 of "
            "pool 'scanners' but not 45.155.205.0",
        ),
    ],
)
def test_invalid_topologies_are_named(change: Any, message: str) -> None:
    with pytest.raises(TopologyError) as err:
        Topology.from_dict(edited(change))
    assert message in str(err.value)


def test_unreadable_topology_file(tmp_path: Path) -> None:
    with pytest.raises(TopologyError, match="cannot read topology file"):
        Topology.from_json(tmp_path / "missing.json")
    (tmp_path / "list.json").write_text("[]")
    with pytest.raises(TopologyError, match="must hold a JSON object"):
        Topology.from_json(tmp_path / "list.json")


@pytest.mark.parametrize(
    ("region", "az", "expected"),
    [
        ("us-east-1", 1, "use1-az1"),
        ("eu-west-1", 2, "euw1-az2"),
        ("ap-northeast-1", 4, "apne1-az4"),
        ("ap-southeast-2", 1, "apse2-az1"),
        ("us-gov-west-1", 1, "usgw1-az1"),
        ("eu-central-1", 3, "euc1-az3"),
    ],
)
def test_az_ids(region: str, az: int, expected: str) -> None:
    assert az_id(region, az) == expected
