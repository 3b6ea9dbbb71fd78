"""Which security-group rules each traffic pattern exercises: named in the topology, checked
with the usage analysis's matcher when the topology is built.

A traffic pattern names its rules (`TrafficPattern.rules`, as `group/direction/index`): the
egress rules of its clients and, when it is ACCEPTed, the ingress rules of its servers that
admit its connections. `resolve_rules`, which `Topology.from_dict` runs after validating, asks
`usage.match.RuleMatcher` (the project's only rule matcher, the one `usage rules` reports with)
which rules of each client/server pair admit the pattern's connection, over the inventory of
the simulated network (`simulate.inventory`), and

- records the answer per pair as explicit data: `TrafficPattern.uses`, one `PairRules` each;
- fails when a named rule admits none of the pattern's connections, or when a rule admitting
  one of them is not named (a pattern without `rules` gets the rules found, in that order);
- fails when a pool on one side is not admitted alike at every address it can yield (a rule
  admitting part of a pool's blocks), since one pair's rules must hold for all of them.

A REJECTed pattern exercises its clients' egress rules only (the request left the client; the
server refused it), and so does one the transit gateway drops for no route or a blackhole; a
pool has no rules, and NAT and transit gateway ENIs have no groups.

The generator then records, for each conversation, the rules of the pair it generated it for:
that is the simulator's ground truth of rule use (`ground_truth.json` `rule_use`), which the
usage analysis, seeing only the records, is checked against. Dependencies point down: this
module imports `usage`, and nothing in `usage` imports the simulator.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Collection
from dataclasses import replace

from vpc_cidr_analysis.simulate.inventory import inventory_from_topology
from vpc_cidr_analysis.simulate.topology import (
    PairRules,
    Topology,
    TopologyError,
    TrafficPattern,
    rule_id,
)
from vpc_cidr_analysis.usage.match import Address, RuleMatcher

#: Rule ids do not depend on the account or region: any will do for matching.
_ACCOUNT, _REGION = "000000000000", "us-east-1"
_DIRECTIONS = ("ingress", "egress")


def rule_references(topology: Topology) -> dict[str, str]:
    """Every rule of the topology: `group/direction/index` → its id (`rule_id`)."""
    return {
        f"{g.name}/{direction}/{index}": rule_id(g.id, direction, index)
        for g in topology.security_groups
        for direction, rules in (("ingress", g.ingress), ("egress", g.egress))
        for index in range(len(rules))
    }


def resolve_rules(topology: Topology, unnamed: Collection[str] = ()) -> Topology:
    """The topology with every pattern's `uses` set, and `rules` for the patterns in `unnamed`.

    Raises TopologyError when a pattern's named rules are not exactly those that admit its
    connections, or when a pool is admitted in part (see the module docstring).
    """
    resolver = _Resolver(topology)
    references, names = resolver.references, resolver.names
    traffic = []
    for p in topology.traffic:
        where = f"traffic pattern {p.name!r}"
        pairs = dict.fromkeys((c, s) for c in p.clients for s in p.servers)
        uses = tuple(resolver.pair(p, c, s) for c, s in pairs)
        found: dict[str, PairRules] = {}  # rule id → the first pair it admits
        for side in ("egress", "ingress"):  # the clients' rules first, then the servers'
            for use in uses:
                for rid in getattr(use, side):
                    found.setdefault(rid, use)
        if p.name in unnamed:
            traffic.append(replace(p, rules=tuple(names[rid] for rid in found), uses=uses))
            continue
        named: dict[str, str] = {}
        for ref in p.rules:
            rid = _reference(topology, references, ref, where)
            if rid in named:
                raise TopologyError(f"{where}: rules names {ref!r} twice")
            named[rid] = ref
        for rid, use in found.items():
            if rid not in named:
                raise TopologyError(
                    f"{where}: rule {names[rid]} admits its connections from {use.client} to "
                    f"{use.server} but is not among its rules"
                )
        for rid, ref in named.items():
            if rid not in found:
                raise TopologyError(f"{where}: rule {ref} admits none of its connections")
        traffic.append(replace(p, uses=uses))
    return replace(topology, traffic=tuple(traffic))


def _reference(topology: Topology, references: dict[str, str], ref: str, where: str) -> str:
    """The id of the rule a `group/direction/index` reference names, or a TopologyError."""
    rid = references.get(ref)
    if rid is not None:
        return rid
    parts = ref.rsplit("/", 2)
    if len(parts) != 3 or parts[1] not in _DIRECTIONS or not parts[2].isdigit():
        raise TopologyError(
            f"{where}: rule {ref!r} must be 'group/direction/index', e.g. 'a-db/ingress/0' "
            "(direction ingress or egress, index counted from 0)"
        )
    group, direction, _ = parts
    if not any(g.name == group for g in topology.security_groups):
        raise TopologyError(f"{where}: rule {ref!r} names unknown security group {group!r}")
    group_rules = getattr(topology.security_group(group), direction)
    raise TopologyError(
        f"{where}: rule {ref!r}: security group {group!r} has {len(group_rules)} "
        f"{direction} rule(s), numbered from 0"
    )


class _Resolver:
    """The rules admitting each pair's connections, found with usage's matcher."""

    def __init__(self, topology: Topology) -> None:
        self.topology = topology
        self.inventory = inventory_from_topology(topology, _ACCOUNT, _REGION)
        self.matcher = RuleMatcher(self.inventory)
        self.enis = {e.name: e for e in topology.enis}
        self.references = rule_references(topology)
        self.names = {rid: ref for ref, rid in self.references.items()}
        #: addresses that can split a pool block: rule CIDRs' first addresses, ENI addresses
        self.inner: list[Address] = [
            ipaddress.ip_network(r.cidr).network_address
            for g in topology.security_groups
            for r in (*g.ingress, *g.egress)
            if r.cidr is not None
        ]
        self.inner += [
            ipaddress.ip_address(a) for e in topology.enis for a in (e.ipv4, e.ipv6) if a
        ]
        self._probes: dict[tuple[str, int], list[str]] = {}

    def pair(self, p: TrafficPattern, client: str, server: str) -> PairRules:
        egress = self.admitting(p, client, server, "egress") if client in self.enis else ()
        # a request the transit gateway drops (no route, blackhole) never reaches the server
        reached = p.tgw_drop not in ("no_route", "blackhole")
        accepted = server in self.enis and p.action == "ACCEPT" and reached
        ingress = self.admitting(p, server, client, "ingress") if accepted else ()
        return PairRules(client, server, egress, ingress)

    def admitting(
        self, p: TrafficPattern, local: str, peer: str, direction: str
    ) -> tuple[str, ...]:
        """Ids of the rules of the local ENI's groups admitting the connection with the peer."""
        interface = self.inventory.interface(self.enis[local].id)
        assert interface is not None
        other = self.enis.get(peer)
        if other is not None:
            address = other.ipv4 if p.family == 4 else other.ipv6
            assert address is not None  # validated: family 6 patterns name ENIs with IPv6
            return self.matcher.match(interface, direction, address, p.protocol, p.port)
        found: dict[tuple[str, ...], str] = {}  # rule ids → the first pool address they admit
        for address in self.probes(peer, p.family):
            rules = self.matcher.match(interface, direction, address, p.protocol, p.port)
            found.setdefault(rules, address)
        if len(found) > 1:
            (first, at), (second, elsewhere) = list(found.items())[:2]
            rid = sorted(set(first) ^ set(second))[0]
            admitted, refused = (at, elsewhere) if rid in first else (elsewhere, at)
            raise TopologyError(
                f"traffic pattern {p.name!r}: rule {self.names[rid]} of {local} admits "
                f"{admitted} of pool {peer!r} but not {refused}: split the pool so that each "
                "rule admits all of it or none of it"
            )
        return next(iter(found))

    def probes(self, pool: str, family: int) -> list[str]:
        """Addresses of a pool's blocks of one family that stand for every address in them.

        CIDR blocks are nested or disjoint, so a rule (a CIDR, or the addresses of the ENIs in
        a referenced group) admits all of a block or none of it exactly when it admits all or
        none of: the block's first and last addresses, the first address of each rule CIDR
        inside the block, and each ENI address inside the block.
        """
        key = (pool, family)
        if key not in self._probes:
            probes: list[str] = []
            for text in self.topology.pool(pool).cidrs:
                block = ipaddress.ip_network(text)
                if block.version != family:
                    continue
                inside = [a for a in self.inner if a.version == block.version and a in block]
                edges = (block.network_address, block.broadcast_address)
                probes += [str(a) for a in (*edges, *inside)]
            self._probes[key] = list(dict.fromkeys(probes))
        return self._probes[key]
