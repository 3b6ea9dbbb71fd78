"""The one rule matcher (`RuleMatcher`) on the simulator's default network, as its inventory."""

from __future__ import annotations

import pytest

from vpc_cidr_analysis.simulate.inventory import inventory_from_topology
from vpc_cidr_analysis.simulate.rules import rule_references
from vpc_cidr_analysis.simulate.topology import default_topology
from vpc_cidr_analysis.usage.match import RuleMatcher

TOPOLOGY = default_topology()
INVENTORY = inventory_from_topology(TOPOLOGY, "123456789012", "us-east-1")
NAMES = {rid: ref for ref, rid in rule_references(TOPOLOGY).items()}


@pytest.mark.parametrize(
    ("eni", "direction", "peer", "proto", "port", "expected"),
    [
        # an app server, by group; the port range rule too
        ("a-db-1", "ingress", "10.0.10.25", 6, 5432, ["a-db/ingress/0", "a-db/ingress/5"]),
        ("a-db-1", "ingress", "100.64.1.17", 6, 5432, ["a-db/ingress/2"]),  # pods, by CIDR
        ("a-db-1", "ingress", "10.1.1.40", 6, 5432, ["a-db/ingress/3"]),  # B's reporting subnet
        ("a-db-1", "ingress", "10.2.0.146", 6, 5432, []),  # VPC-C
        ("a-db-1", "ingress", "10.0.10.25", 6, 5433, []),
        ("a-db-1", "ingress", "10.0.10.25", 17, 5432, []),
        ("a-web-1", "ingress", "2001:db8::1", 58, 0, ["a-web/ingress/3"]),
        ("a-web-1", "ingress", "203.0.113.9", 6, 22, []),
        ("a-web-1", "ingress", "10.0.0.175", 6, 22, ["a-web/ingress/2"]),  # the bastion's group
        ("a-web-1", "egress", "151.101.1.1", 6, 443, ["a-web/egress/0"]),
    ],
)
def test_default_network_rules(
    eni: str, direction: str, peer: str, proto: int, port: int, expected: list[str]
) -> None:
    interface = INVENTORY.interface(TOPOLOGY.eni(eni).id)
    assert interface is not None
    found = RuleMatcher(INVENTORY).match(interface, direction, peer, proto, port)
    assert [NAMES[rid] for rid in found] == expected
