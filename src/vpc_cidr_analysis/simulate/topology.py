"""The simulated network whose flow logs `vpc-cidr-analysis sample` writes.

A topology is data: VPCs and their CIDR blocks, subnets, network interfaces (ENIs) with their
instances and security groups, pools of outside addresses, and *traffic patterns* (who talks to
whom, on which port, through which gateway, how often). The simulator interprets the patterns;
nothing about the default network is hard-coded in it, so a JSON file (`--topology FILE`, same
shape as `Topology.to_dict()`; print the default with `sample --show-topology`) can describe
another one.

The default network (`default_topology()`), in one account and region:

- **VPC-A** `10.0.0.0/16` + secondary `100.64.0.0/20` (EKS pods) + IPv6
  `2600:1f18:aaaa:ab00::/56`: two ALB nodes taking HTTPS from the internet (IPv4 and IPv6),
  app servers behind them, an ECS task, an EKS pod, a database, a dual-stack web server
  (`10.0.0.151`) that scanners probe on SSH/RDP (REJECT), a bastion (`10.0.0.175`) that the
  corporate network reaches on SSH, a NAT gateway (`10.0.0.220`) for private subnets, and
  transit gateway attachment ENIs in two AZs (`10.0.250.5`, `10.0.250.21`). Apps use S3 and
  DynamoDB through gateway endpoints and the VPC resolver on UDP 53. VPC Block Public Access
  (block-ingress, the public subnets excluded) rejects SSH scans of an app server's IPv6 address
  (v8 reject-reason `BPA`). SSH sessions, B's database reads, API calls over the peering and
  through the NAT gateway last several aggregation intervals.
- **VPC-B** `10.1.0.0/16`, peered with A: A's apps call an API at `10.1.0.123`; a reporting host
  in B queries A's database and pings A's apps.
- **VPC-C** `10.2.0.0/16`, reachable through the transit gateway (its own attachment ENIs in two
  AZs): legacy hosts `10.2.0.146` (AZ 1) and `10.2.1.30` (AZ 2) still call A's web server
  (traffic that "should not exist"); `10.2.0.146` is rejected by A's database.
- The internet: client, scanner, corporate, SaaS, S3 and DynamoDB address pools (IPv4 and IPv6).

For security-group rule usage the network also has: rules that overlap (a-db's 5430-5432 range
beside its group rules; a-admin's office supernet beside a-bastion's office rule, both groups on
the bastion), rules never used (a-db's old MySQL rule, a-alb's port 80, a-admin's RDP), an ENI
without traffic (`a-spare-1`) and public IPv4 addresses on the internet-facing ENIs.

Each traffic pattern names the security-group rules it exercises (`rules`, as
`group/direction/index`, e.g. `a-db/ingress/5`): its clients' egress rules and, when ACCEPTed,
its servers' ingress rules that admit its connections; `[]` for traffic no rule admits (SSH
scans). Building a topology checks these names with the usage analysis's rule matcher (the only
one; `simulate.rules`), fills them in for a pattern that has none, and records which of them
each client/server pair uses (`TrafficPattern.uses`). The simulator writes its ground truth of
rule use from the pair each conversation was generated for; it has no matcher of its own.

All three VPCs publish flow logs (one flow log each) to the same bucket. The default network's
transit gateway publishes none (no `transit_gateway` entry), so its files stay as they were.

The hub-and-spoke network (`hub_topology()`, `hub_topology.json`, `sample --topology hub`) has a
`transit_gateway` entry: its VPCs meet only through the gateway, whose own flow log
(`simulate.tgw`) is written beside theirs; pools with route `transit_gateway` sit behind the
gateway (on premises over its VPN attachment, or addresses it has no route for), and patterns
with `tgw_drop` are dropped by it (no route, blackhole) or lose packets in it (MTU, TTL).
"""

from __future__ import annotations

import copy
import hashlib
import ipaddress
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from vpc_cidr_analysis.errors import AnalysisError

EniKind = Literal[
    "instance", "load_balancer", "nat_gateway", "transit_gateway", "database", "ecs_task"
]
ENI_KINDS: tuple[str, ...] = (
    "instance",
    "load_balancer",
    "nat_gateway",
    "transit_gateway",
    "database",
    "ecs_task",
)
#: How traffic to an address pool leaves the VPC: through the internet gateway, a gateway VPC
#: endpoint (S3, DynamoDB), not at all (an address inside the VPC such as its resolver), or
#: through the transit gateway (`transit_gateway`: on premises behind its VPN attachment, or
#: addresses it has no route for).
PoolRoute = Literal["internet", "gateway_endpoint", "local", "transit_gateway"]
POOL_ROUTES: tuple[str, ...] = ("internet", "gateway_endpoint", "local", "transit_gateway")
#: Why a transit gateway drops a pattern's packets (`TrafficPattern.tgw_drop`): no route and a
#: blackhole route drop the whole request where it entered; MTU-exceeded and TTL-expired
#: losses are some packets of flows that otherwise cross it.
TGW_DROPS: tuple[str, ...] = ("no_route", "blackhole", "mtu_exceeded", "ttl_expired")
#: IANA protocol numbers the simulator generates.
PROTOCOLS: dict[int, str] = {1: "ICMP", 6: "TCP", 17: "UDP", 58: "ICMPv6"}
ACTIONS: tuple[str, ...] = ("ACCEPT", "REJECT")
#: v8 `reject-reason` values AWS documents besides `-` (other rejects): VPC Block Public Access.
REJECT_REASONS: tuple[str, ...] = ("BPA",)
#: Most aggregation intervals one simulated connection may span (`TrafficPattern.intervals`).
MAX_INTERVALS = 12


class TopologyError(AnalysisError, ValueError):
    """A topology (default or from a JSON file) is inconsistent; the message names the entry."""


def derived_id(prefix: str, name: str) -> str:
    """A stable AWS-looking id (`vpc-0…`, 17 hex digits) for a named resource without one."""
    return f"{prefix}-0{hashlib.sha256(f'{prefix}/{name}'.encode()).hexdigest()[:16]}"


@dataclass(frozen=True)
class Rule:
    """One security-group rule: protocol (-1 = all), port range, and a CIDR or a group source."""

    protocol: int
    from_port: int = -1
    to_port: int = -1
    cidr: str | None = None
    group: str | None = None  # name of a security group in the topology
    description: str = ""

    def to_dict(self, sg_ids: Mapping[str, str] | None = None) -> dict[str, Any]:
        out: dict[str, Any] = {"protocol": self.protocol}
        if self.protocol in (6, 17):
            out |= {"from_port": self.from_port, "to_port": self.to_port}
        out |= {"cidr": self.cidr} if self.cidr is not None else {"group": self.group}
        if self.group is not None and sg_ids is not None:
            out["group_id"] = sg_ids[self.group]
        if self.description:
            out["description"] = self.description
        return out


@dataclass(frozen=True)
class SecurityGroup:
    """A security group: its inbound and outbound rules (the usage analysis matches records)."""

    name: str
    id: str
    vpc: str
    description: str
    ingress: tuple[Rule, ...]
    egress: tuple[Rule, ...]

    def to_dict(self, sg_ids: Mapping[str, str] | None = None) -> dict[str, Any]:
        return {
            "name": self.name,
            "id": self.id,
            "vpc": self.vpc,
            "description": self.description,
            "ingress": [r.to_dict(sg_ids) for r in self.ingress],
            "egress": [r.to_dict(sg_ids) for r in self.egress],
        }


@dataclass(frozen=True)
class Vpc:
    """A VPC: key (`A`), name, id, CIDR blocks (IPv4 and IPv6), and the flow log publishing it."""

    key: str
    name: str
    id: str
    cidrs: tuple[str, ...]
    flow_log_id: str | None  # None: this VPC publishes no flow logs

    def to_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "name": self.name,
            "id": self.id,
            "cidrs": list(self.cidrs),
            "flow_log_id": self.flow_log_id,
        }


@dataclass(frozen=True)
class TransitGateway:
    """The transit gateway the `transit_gateway` ENIs attach their VPCs to, and its flow log.

    Each VPC with `transit_gateway` ENIs has one VPC attachment (`attachment_id(key)`); `vpn`
    names its VPN attachment to on premises (pools with route `transit_gateway`).
    `flow_log_id` publishes the gateway's own flow log, None for none: on the whole gateway, or
    with `flow_log_attachment` (a VPC key, or the VPN's name) on that attachment only (AWS then
    writes only the records whose `tgw-attachment-id` is that attachment).
    """

    name: str
    id: str
    vpn: str
    flow_log_id: str | None
    flow_log_attachment: str | None = None

    def attachment_id(self, side: str) -> str:
        """The `tgw-attach-…` id of a VPC's attachment (by key) or of the VPN attachment."""
        return derived_id("tgw-attach", f"{self.name}/{side}")

    def to_dict(self) -> dict[str, Any]:
        out = {"name": self.name, "id": self.id, "vpn": self.vpn, "flow_log_id": self.flow_log_id}
        if self.flow_log_attachment is not None:
            out["flow_log_attachment"] = self.flow_log_attachment
        return out


@dataclass(frozen=True)
class Subnet:
    """A subnet: its VPC (by key), CIDR blocks and Availability Zone number (1 → `use1-az1`)."""

    name: str
    id: str
    vpc: str
    cidr: str
    ipv6_cidr: str | None
    az: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "id": self.id,
            "vpc": self.vpc,
            "cidr": self.cidr,
            "ipv6_cidr": self.ipv6_cidr,
            "az": self.az,
        }


@dataclass(frozen=True)
class EcsTask:
    """ECS task metadata written in the v7 `ecs-*` fields for a task's ENI."""

    cluster: str
    service: str | None
    task_definition: str  # family:revision
    task_id: str
    container_id: str
    second_container_id: str | None = None
    container_instance_id: str | None = None  # None on Fargate

    def to_dict(self) -> dict[str, Any]:
        return {
            "cluster": self.cluster,
            "service": self.service,
            "task_definition": self.task_definition,
            "task_id": self.task_id,
            "container_id": self.container_id,
            "second_container_id": self.second_container_id,
            "container_instance_id": self.container_instance_id,
        }


@dataclass(frozen=True)
class Eni:
    """A network interface: the unit flow logs record traffic for."""

    name: str
    id: str
    kind: str  # one of ENI_KINDS
    vpc: str
    subnet: str
    ipv4: str
    ipv6: str | None
    instance_id: str | None  # None for requester-managed ENIs (NAT, ALB, TGW, RDS, Fargate)
    security_groups: tuple[str, ...]  # security group names
    description: str = ""
    ecs: EcsTask | None = None
    public_ipv4: str | None = None  # Elastic or auto-assigned public address, if any

    def to_dict(self, sg_ids: Mapping[str, str] | None = None) -> dict[str, Any]:
        out: dict[str, Any] = {
            "name": self.name,
            "id": self.id,
            "kind": self.kind,
            "vpc": self.vpc,
            "subnet": self.subnet,
            "ipv4": self.ipv4,
            "ipv6": self.ipv6,
            "instance_id": self.instance_id,
            "security_groups": list(self.security_groups),
        }
        if sg_ids is not None:
            out["security_group_ids"] = [sg_ids[n] for n in self.security_groups]
        if self.description:
            out["description"] = self.description
        if self.ecs is not None:
            out["ecs"] = self.ecs.to_dict()
        if self.public_ipv4 is not None:
            out["public_ipv4"] = self.public_ipv4
        return out


@dataclass(frozen=True)
class AddressPool:
    """Outside addresses drawn from CIDR blocks: `size` distinct addresses per run (seeded)."""

    name: str
    cidrs: tuple[str, ...]
    size: int
    route: str = "internet"  # one of POOL_ROUTES
    aws_service: str | None = None  # pkt-*-aws-service value, e.g. S3, DYNAMODB
    description: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "cidrs": list(self.cidrs),
            "size": self.size,
            "route": self.route,
            "aws_service": self.aws_service,
            "description": self.description,
        }


@dataclass(frozen=True)
class PairRules:
    """The rules one kind of connection of a pattern uses: one client, one server.

    `egress` are the ids (`rule_id`) of the client ENI's egress rules that admit the request,
    `ingress` those of the server ENI's ingress rules that admit it; empty for a pool (it has no
    security groups) and `ingress` empty for a REJECTed pattern. Every conversation the
    simulator generates between these two endpoints used exactly these rules.
    """

    client: str
    server: str
    egress: tuple[str, ...]
    ingress: tuple[str, ...]

    @property
    def rules(self) -> tuple[str, ...]:
        return self.egress + self.ingress


@dataclass(frozen=True)
class TrafficPattern:
    """A kind of conversation: clients → servers on a protocol/port, its share of the traffic.

    `clients`/`servers` name ENIs or address pools (one is picked per conversation). An
    ACCEPTed conversation yields the request and the response on every logging ENI that sees
    it; a REJECTed one yields the request only, REJECTed by the server's ENI. `via` names a NAT
    gateway or transit gateway ENI that the traffic crosses and that logs it too. For a transit
    gateway, `via` is its attachment ENI in the servers' VPC; every `transit_gateway` ENI of a
    VPC is an attachment ENI of the one transit gateway, and traffic crosses the ones in the AZ
    where it entered the gateway (the request: the client's AZ; the response: the server's),
    as in AWS's transit gateway flow-log example. One side may be a pool with route
    `transit_gateway` (behind the gateway: no attachment ENI there); `via` is then the
    attachment ENI in the clients' VPC when the servers are that pool.

    `tgw_drop` (transit gateway patterns, ACCEPTed): `no_route` or `blackhole` drop every
    request where it entered the gateway (the client and its side's attachment ENI log it, the
    server never sees it, nothing answers); `mtu_exceeded` or `ttl_expired` lose some of the
    request's packets in the gateway (its own flow log counts them), the rest crossing as usual.

    `intervals`: how many aggregation intervals (600 s) each connection lasts (TCP, ACCEPT):
    every interface then writes one record per interval and direction, SYN / SYN-ACK only in
    the first, FIN (or the client's RST) in the last. `reject_reason`: the v8 `reject-reason`
    of its REJECT records (`BPA` for VPC Block Public Access; `None` writes `-`).

    `rules` names the security-group rules the pattern exercises, as `group/direction/index`
    (`a-db/ingress/5`: the sixth ingress rule of group a-db): the client's egress rules and,
    when ACCEPTed, the server's ingress rules that admit its connections. `uses` says which of
    them each client/server pair uses (see `simulate.rules`, which derives and checks both).
    """

    name: str
    clients: tuple[str, ...]
    servers: tuple[str, ...]
    protocol: int
    port: int
    weight: float
    action: str = "ACCEPT"
    family: int = 4
    via: str | None = None
    request_bytes: tuple[int, int] = (200, 2_000)
    response_bytes: tuple[int, int] = (500, 20_000)
    description: str = ""
    rules: tuple[str, ...] = ()
    uses: tuple[PairRules, ...] = ()
    intervals: int = 1
    reject_reason: str | None = None
    tgw_drop: str | None = None

    def pair(self, client: str, server: str) -> PairRules:
        """The rules a conversation from this client to this server uses."""
        return next(u for u in self.uses if (u.client, u.server) == (client, server))

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "clients": list(self.clients),
            "servers": list(self.servers),
            "protocol": self.protocol,
            "port": self.port,
            "weight": self.weight,
            "action": self.action,
            "family": self.family,
            "via": self.via,
            "request_bytes": list(self.request_bytes),
            "response_bytes": list(self.response_bytes),
            "description": self.description,
            "rules": list(self.rules),
            "intervals": self.intervals,
            "reject_reason": self.reject_reason,
        } | ({"tgw_drop": self.tgw_drop} if self.tgw_drop is not None else {})


@dataclass(frozen=True)
class Topology:
    """A whole simulated network. Build with `from_dict` (validates) or `default_topology()`."""

    description: str
    vpcs: tuple[Vpc, ...]
    peerings: tuple[tuple[str, str], ...]
    subnets: tuple[Subnet, ...]
    security_groups: tuple[SecurityGroup, ...]
    enis: tuple[Eni, ...]
    pools: tuple[AddressPool, ...]
    traffic: tuple[TrafficPattern, ...]
    nodata_weight: float = 0.0
    skipdata_weight: float = 0.0
    transit_gateway: TransitGateway | None = None

    # -- lookups ---------------------------------------------------------------------------
    def vpc(self, key: str) -> Vpc:
        return next(v for v in self.vpcs if v.key == key)

    def subnet(self, name: str) -> Subnet:
        return next(s for s in self.subnets if s.name == name)

    def eni(self, name: str) -> Eni:
        return next(e for e in self.enis if e.name == name)

    def pool(self, name: str) -> AddressPool:
        return next(p for p in self.pools if p.name == name)

    def security_group(self, name: str) -> SecurityGroup:
        return next(g for g in self.security_groups if g.name == name)

    def vpc_cidrs(self) -> dict[str, list[str]]:
        """CIDR blocks per VPC key: `{"A": ["10.0.0.0/16", …], "B": […]}`."""
        return {v.key: list(v.cidrs) for v in self.vpcs}

    def logged(self, eni: Eni) -> bool:
        """Whether flow logs record this ENI's traffic (its VPC publishes a flow log)."""
        return self.vpc(eni.vpc).flow_log_id is not None

    def peered(self, a: str, b: str) -> bool:
        return (a, b) in self.peerings or (b, a) in self.peerings

    # -- (de)serialisation -----------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form; `Topology.from_dict(t.to_dict()) == t`.

        ENIs and group rules also carry the resolved ids (`vpc_id`, `subnet_id`,
        `security_group_ids`, `group_id`), which `from_dict` ignores.
        """
        sg_ids = {g.name: g.id for g in self.security_groups}
        enis = []
        for e in self.enis:
            entry = e.to_dict(sg_ids)
            entry["vpc_id"] = self.vpc(e.vpc).id
            entry["subnet_id"] = self.subnet(e.subnet).id
            enis.append(entry)
        return {
            "description": self.description,
            "vpcs": [v.to_dict() for v in self.vpcs],
            "peerings": [list(p) for p in self.peerings],
            "subnets": [s.to_dict() for s in self.subnets],
            "security_groups": [g.to_dict(sg_ids) for g in self.security_groups],
            "enis": enis,
            "pools": [p.to_dict() for p in self.pools],
            "traffic": [t.to_dict() for t in self.traffic],
            "nodata_weight": self.nodata_weight,
            "skipdata_weight": self.skipdata_weight,
        } | (
            {"transit_gateway": self.transit_gateway.to_dict()}
            if self.transit_gateway is not None
            else {}
        )

    @classmethod
    def from_json(cls, path: str | Path) -> Topology:
        """Read and validate a topology JSON file."""
        try:
            data = json.loads(Path(path).read_text())
        except OSError as exc:
            raise TopologyError(f"cannot read topology file {str(path)!r}: {exc}") from exc
        except json.JSONDecodeError as exc:
            raise TopologyError(f"topology file {str(path)!r} is not valid JSON: {exc}") from exc
        if not isinstance(data, dict):
            raise TopologyError(f"topology file {str(path)!r} must hold a JSON object")
        return cls.from_dict(data)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Topology:
        """Build and validate a topology from its dict form (ids are derived when absent).

        Each traffic pattern's `rules` are checked against what the rule matcher finds, or set
        to it when a pattern gives none, and its `uses` set (`simulate.rules.resolve_rules`).
        """
        try:
            topology = _build(data)
            unnamed = {t["name"] for t in data["traffic"] if "rules" not in t}
        except (KeyError, TypeError, ValueError) as exc:
            if isinstance(exc, TopologyError):
                raise
            detail = f"missing key {exc}" if isinstance(exc, KeyError) else str(exc)
            raise TopologyError(f"invalid topology: {detail}") from exc
        _validate(topology)
        # simulate.rules builds on this module (it matches with usage's matcher over the
        # topology's inventory), so it is imported once this module is loaded.
        from vpc_cidr_analysis.simulate.rules import resolve_rules

        return resolve_rules(topology, unnamed)


def _rule(data: Mapping[str, Any]) -> Rule:
    return Rule(
        protocol=int(data["protocol"]),
        from_port=int(data.get("from_port", -1)),
        to_port=int(data.get("to_port", -1)),
        cidr=data.get("cidr"),
        group=data.get("group"),
        description=str(data.get("description", "")),
    )


def _pair(value: Sequence[int], what: str) -> tuple[int, int]:
    lo, hi = (int(v) for v in value)
    if not 1 <= lo <= hi:
        raise TopologyError(f"{what} must be [low, high] with 1 <= low <= high, got {value!r}")
    return lo, hi


def _build(data: Mapping[str, Any]) -> Topology:
    vpcs = tuple(
        Vpc(
            key=str(v["key"]),
            name=str(v["name"]),
            id=v.get("id") or derived_id("vpc", v["name"]),
            cidrs=tuple(v["cidrs"]),
            flow_log_id=(v["flow_log_id"] if "flow_log_id" in v else derived_id("fl", v["name"])),
        )
        for v in data["vpcs"]
    )
    subnets = tuple(
        Subnet(
            name=str(s["name"]),
            id=s.get("id") or derived_id("subnet", s["name"]),
            vpc=str(s["vpc"]),
            cidr=str(s["cidr"]),
            ipv6_cidr=s.get("ipv6_cidr"),
            az=int(s.get("az", 1)),
        )
        for s in data["subnets"]
    )
    groups = tuple(
        SecurityGroup(
            name=str(g["name"]),
            id=g.get("id") or derived_id("sg", g["name"]),
            vpc=str(g["vpc"]),
            description=str(g.get("description", "")),
            ingress=tuple(_rule(r) for r in g.get("ingress", ())),
            egress=tuple(_rule(r) for r in g.get("egress", ())),
        )
        for g in data.get("security_groups", ())
    )
    enis = []
    for e in data["enis"]:
        kind = str(e.get("kind", "instance"))
        instance_id = e.get(
            "instance_id", derived_id("i", e["name"]) if kind == "instance" else None
        )
        ecs = e.get("ecs")
        enis.append(
            Eni(
                name=str(e["name"]),
                id=e.get("id") or derived_id("eni", e["name"]),
                kind=kind,
                vpc=str(e["vpc"]),
                subnet=str(e["subnet"]),
                ipv4=str(e["ipv4"]),
                ipv6=e.get("ipv6"),
                instance_id=instance_id,
                security_groups=tuple(e.get("security_groups", ())),
                description=str(e.get("description", "")),
                ecs=EcsTask(**ecs) if ecs else None,
                public_ipv4=e.get("public_ipv4"),
            )
        )
    pools = tuple(
        AddressPool(
            name=str(p["name"]),
            cidrs=tuple(p["cidrs"]),
            size=int(p.get("size", 100)),
            route=str(p.get("route", "internet")),
            aws_service=p.get("aws_service"),
            description=str(p.get("description", "")),
        )
        for p in data.get("pools", ())
    )
    traffic = tuple(
        TrafficPattern(
            name=str(t["name"]),
            clients=_names(t["clients"]),
            servers=_names(t["servers"]),
            protocol=int(t["protocol"]),
            port=int(t.get("port", 0)),
            weight=float(t.get("weight", 1.0)),
            action=str(t.get("action", "ACCEPT")),
            family=int(t.get("family", 4)),
            via=t.get("via"),
            request_bytes=_pair(t.get("request_bytes", (200, 2_000)), f"{t['name']}.request_bytes"),
            response_bytes=_pair(
                t.get("response_bytes", (500, 20_000)), f"{t['name']}.response_bytes"
            ),
            description=str(t.get("description", "")),
            rules=_names(t.get("rules", ())),
            intervals=int(t.get("intervals", 1)),
            reject_reason=t.get("reject_reason"),
            tgw_drop=t.get("tgw_drop"),
        )
        for t in data["traffic"]
    )
    tgw = data.get("transit_gateway")
    transit_gateway = (
        TransitGateway(
            name=str(tgw["name"]),
            id=tgw.get("id") or derived_id("tgw", tgw["name"]),
            vpn=str(tgw.get("vpn", f"{tgw['name']}-vpn")),
            flow_log_id=(
                tgw["flow_log_id"] if "flow_log_id" in tgw else derived_id("fl", tgw["name"])
            ),
            flow_log_attachment=tgw.get("flow_log_attachment"),
        )
        if tgw is not None
        else None
    )
    return Topology(
        description=str(data.get("description", "")),
        vpcs=vpcs,
        peerings=tuple((str(a), str(b)) for a, b in data.get("peerings", ())),
        subnets=subnets,
        security_groups=groups,
        enis=tuple(enis),
        pools=pools,
        traffic=traffic,
        nodata_weight=float(data.get("nodata_weight", 0.0)),
        skipdata_weight=float(data.get("skipdata_weight", 0.0)),
        transit_gateway=transit_gateway,
    )


def _names(value: str | Iterable[str]) -> tuple[str, ...]:
    return (value,) if isinstance(value, str) else tuple(str(v) for v in value)


def _net(text: str, what: str) -> ipaddress.IPv4Network | ipaddress.IPv6Network:
    try:
        return ipaddress.ip_network(text)
    except ValueError as exc:
        raise TopologyError(f"{what}: {text!r} is not a CIDR block ({exc})") from exc


def _addr(text: str, what: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address:
    try:
        return ipaddress.ip_address(text)
    except ValueError as exc:
        raise TopologyError(f"{what}: {text!r} is not an IP address") from exc


def _unique(names: Iterable[str], what: str) -> set[str]:
    seen: set[str] = set()
    for name in names:
        if name in seen:
            raise TopologyError(f"{what} {name!r} is defined twice")
        seen.add(name)
    return seen


def _validate(t: Topology) -> None:
    vpc_keys = _unique((v.key for v in t.vpcs), "VPC")
    _unique((v.id for v in t.vpcs), "VPC id")
    if not t.vpcs:
        raise TopologyError("a topology needs at least one VPC")
    for v in t.vpcs:
        if not v.cidrs:
            raise TopologyError(f"VPC {v.key!r} has no CIDR blocks")
        for c in v.cidrs:
            _net(c, f"VPC {v.key!r} CIDR")
    for a, b in t.peerings:
        for k in (a, b):
            if k not in vpc_keys:
                raise TopologyError(f"peering names unknown VPC {k!r}: expected one of {vpc_keys}")
    subnet_names = _unique((s.name for s in t.subnets), "subnet")
    for s in t.subnets:
        if s.vpc not in vpc_keys:
            raise TopologyError(f"subnet {s.name!r} names unknown VPC {s.vpc!r}")
        blocks = [_net(c, f"VPC {s.vpc!r}") for c in t.vpc(s.vpc).cidrs]
        for cidr in (s.cidr, s.ipv6_cidr):
            if cidr is None:
                continue
            net = _net(cidr, f"subnet {s.name!r}")
            if not any(net.version == b.version and net.subnet_of(b) for b in blocks):  # type: ignore[arg-type]
                blocks_text = ", ".join(t.vpc(s.vpc).cidrs)
                raise TopologyError(
                    f"subnet {s.name!r} block {cidr} is outside VPC {s.vpc!r} ({blocks_text})"
                )
        if s.az < 1:
            raise TopologyError(f"subnet {s.name!r}: az must be 1 or more, got {s.az}")
    group_names = _unique((g.name for g in t.security_groups), "security group")
    for g in t.security_groups:
        if g.vpc not in vpc_keys:
            raise TopologyError(f"security group {g.name!r} names unknown VPC {g.vpc!r}")
        for r in g.ingress + g.egress:
            if (r.cidr is None) == (r.group is None):
                raise TopologyError(f"a rule of security group {g.name!r} needs a cidr or a group")
            if r.cidr is not None:
                _net(r.cidr, f"security group {g.name!r} rule")
            if r.group is not None and r.group not in group_names:
                raise TopologyError(
                    f"security group {g.name!r} rule names unknown group {r.group!r}"
                )
    eni_names = _unique((e.name for e in t.enis), "ENI")
    for e in t.enis:
        if e.kind not in ENI_KINDS:
            raise TopologyError(
                f"ENI {e.name!r}: kind {e.kind!r} is not one of {', '.join(ENI_KINDS)}"
            )
        if e.subnet not in subnet_names:
            raise TopologyError(f"ENI {e.name!r} names unknown subnet {e.subnet!r}")
        subnet = t.subnet(e.subnet)
        if subnet.vpc != e.vpc:
            raise TopologyError(
                f"ENI {e.name!r} is in VPC {e.vpc!r} but subnet {e.subnet!r} is in {subnet.vpc!r}"
            )
        if _addr(e.ipv4, f"ENI {e.name!r}") not in _net(subnet.cidr, subnet.name):
            raise TopologyError(
                f"ENI {e.name!r} address {e.ipv4} is outside subnet {subnet.name} ({subnet.cidr})"
            )
        if e.ipv6 is not None and (
            subnet.ipv6_cidr is None
            or _addr(e.ipv6, f"ENI {e.name!r}") not in _net(subnet.ipv6_cidr, subnet.name)
        ):
            raise TopologyError(
                f"ENI {e.name!r} IPv6 address {e.ipv6} is outside subnet {subnet.name} "
                f"({subnet.ipv6_cidr})"
            )
        if e.public_ipv4 is not None and _addr(e.public_ipv4, f"ENI {e.name!r}").version != 4:
            raise TopologyError(f"ENI {e.name!r}: public_ipv4 {e.public_ipv4} is not IPv4")
        for group_name in e.security_groups:
            if group_name not in group_names:
                raise TopologyError(f"ENI {e.name!r} names unknown security group {group_name!r}")
    pool_names = _unique((p.name for p in t.pools), "pool")
    clash = pool_names & eni_names
    if clash:
        raise TopologyError(f"names used by both an ENI and a pool: {', '.join(sorted(clash))}")
    for p in t.pools:
        if not p.cidrs:
            raise TopologyError(f"pool {p.name!r} has no CIDR blocks")
        for c in p.cidrs:
            _net(c, f"pool {p.name!r}")
        if p.size < 1:
            raise TopologyError(f"pool {p.name!r}: size must be 1 or more")
        if p.route not in POOL_ROUTES:
            raise TopologyError(
                f"pool {p.name!r}: route {p.route!r} is not one of {', '.join(POOL_ROUTES)}"
            )
    _unique((p.name for p in t.traffic), "traffic pattern")
    if not t.traffic and t.nodata_weight + t.skipdata_weight <= 0:
        raise TopologyError("a topology needs at least one traffic pattern")
    for pattern in t.traffic:
        _validate_pattern(t, pattern, eni_names, pool_names)
    if t.nodata_weight < 0 or t.skipdata_weight < 0:
        raise TopologyError("nodata_weight and skipdata_weight must be 0 or more")
    if not any(t.logged(e) for e in t.enis):
        raise TopologyError("no ENI is in a VPC with a flow log: nothing would be written")
    gateway = t.transit_gateway
    if gateway is not None and gateway.flow_log_attachment is not None:
        attached = sorted({e.vpc for e in t.enis if e.kind == "transit_gateway"})
        if gateway.flow_log_attachment not in (*attached, gateway.vpn):
            raise TopologyError(
                f"transit gateway {gateway.name!r}: flow_log_attachment "
                f"{gateway.flow_log_attachment!r} must be an attached VPC's key "
                f"({', '.join(attached)}) or the VPN attachment {gateway.vpn!r}"
            )


def _validate_pattern(t: Topology, p: TrafficPattern, enis: set[str], pools: set[str]) -> None:
    where = f"traffic pattern {p.name!r}"
    if p.protocol not in PROTOCOLS:
        raise TopologyError(f"{where}: protocol {p.protocol} is not one of {sorted(PROTOCOLS)}")
    if p.protocol in (1, 58) and p.port != 0:
        raise TopologyError(f"{where}: ICMP patterns use port 0, got {p.port}")
    if not 0 <= p.port <= 65535:
        raise TopologyError(f"{where}: port {p.port} is outside 0..65535")
    if p.action not in ACTIONS:
        raise TopologyError(f"{where}: action {p.action!r} is not ACCEPT or REJECT")
    if p.family not in (4, 6):
        raise TopologyError(f"{where}: family must be 4 or 6, got {p.family}")
    if (p.protocol == 1 and p.family == 6) or (p.protocol == 58 and p.family == 4):
        raise TopologyError(f"{where}: ICMP (1) is IPv4 only and ICMPv6 (58) IPv6 only")
    if p.weight < 0:
        raise TopologyError(f"{where}: weight must be 0 or more")
    if not 1 <= p.intervals <= MAX_INTERVALS:
        raise TopologyError(f"{where}: intervals must be 1..{MAX_INTERVALS}, got {p.intervals}")
    if p.intervals > 1 and (p.protocol != 6 or p.action != "ACCEPT"):
        raise TopologyError(f"{where}: only ACCEPTed TCP connections span several intervals")
    if p.reject_reason is not None and (
        p.action != "REJECT" or p.reject_reason not in REJECT_REASONS
    ):
        raise TopologyError(
            f"{where}: reject_reason must be one of {', '.join(REJECT_REASONS)} on a REJECT "
            f"pattern, got {p.reject_reason!r}"
        )
    for side, names in (("clients", p.clients), ("servers", p.servers)):
        if not names:
            raise TopologyError(f"{where}: {side} is empty")
        kinds = set()
        for n in names:
            if n not in enis and n not in pools:
                raise TopologyError(
                    f"{where}: {side} names {n!r}, which is neither an ENI nor a pool"
                )
            kinds.add(("eni", t.eni(n).vpc) if n in enis else ("pool", t.pool(n).route))
            if n in enis and p.family == 6 and t.eni(n).ipv6 is None:
                raise TopologyError(
                    f"{where}: ENI {n!r} has no IPv6 address for a family 6 pattern"
                )
            if n in pools and not any(_net(c, n).version == p.family for c in t.pool(n).cidrs):
                raise TopologyError(f"{where}: pool {n!r} has no IPv{p.family} block")
        if len(kinds) > 1:
            raise TopologyError(
                f"{where}: all {side} must be ENIs of one VPC or pools of one route"
            )
    client_eni = p.clients[0] in enis
    server_eni = p.servers[0] in enis
    if not client_eni and not server_eni:
        raise TopologyError(f"{where}: clients or servers must be ENIs (pools are not logged)")
    logged = (client_eni and t.logged(t.eni(p.clients[0]))) or (
        server_eni and t.logged(t.eni(p.servers[0]))
    )
    if not logged:
        raise TopologyError(f"{where}: none of its ENIs is in a VPC with a flow log")
    if p.via is not None:
        if p.via not in enis or t.eni(p.via).kind not in ("nat_gateway", "transit_gateway"):
            raise TopologyError(
                f"{where}: via {p.via!r} must name a nat_gateway or transit_gateway ENI"
            )
        via = t.eni(p.via)
        if via.kind == "nat_gateway" and (not client_eni or server_eni or p.family != 4):
            raise TopologyError(f"{where}: a NAT gateway carries IPv4 from an ENI to a pool")
        if via.kind == "transit_gateway":
            _validate_transit(t, p, where, client_eni, server_eni, via)
    elif p.tgw_drop is not None:
        raise TopologyError(f"{where}: tgw_drop needs a transit gateway via")
    elif client_eni and server_eni:
        a, b = t.eni(p.clients[0]).vpc, t.eni(p.servers[0]).vpc
        if a != b and not t.peered(a, b):
            raise TopologyError(
                f"{where}: VPC {a!r} cannot reach VPC {b!r}: add a peering or a transit gateway via"
            )
    if (p.via is None or t.eni(p.via).kind != "transit_gateway") and any(
        n in pools and t.pool(n).route == "transit_gateway" for n in p.clients + p.servers
    ):
        raise TopologyError(
            f"{where}: a pool with route transit_gateway needs a transit gateway via"
        )


def _validate_transit(
    t: Topology, p: TrafficPattern, where: str, client_eni: bool, server_eni: bool, via: Eni
) -> None:
    """A pattern through the transit gateway: between two ENIs, or an ENI and a pool behind the
    gateway (on premises over its VPN attachment, or unrouted); `via` is the attachment ENI in
    the servers' VPC (the clients' when the servers are such a pool)."""
    pool = None if client_eni else p.clients[0]
    pool = p.servers[0] if not server_eni else pool
    if pool is not None and t.pool(pool).route != "transit_gateway":
        raise TopologyError(
            f"{where}: a transit gateway carries traffic between two ENIs, or an ENI and a pool "
            "with route transit_gateway"
        )
    if pool is not None and t.transit_gateway is None:
        raise TopologyError(f"{where}: a pool behind the gateway needs a transit_gateway entry")
    side = p.servers[0] if server_eni else p.clients[0]
    if t.eni(side).vpc != via.vpc:
        raise TopologyError(
            f"{where}: the transit gateway ENI must be in the servers' VPC (the clients' when "
            "the servers are behind the gateway)"
        )
    if p.tgw_drop is not None:
        if p.tgw_drop not in TGW_DROPS:
            raise TopologyError(
                f"{where}: tgw_drop {p.tgw_drop!r} is not one of {', '.join(TGW_DROPS)}"
            )
        if p.action != "ACCEPT":
            raise TopologyError(f"{where}: tgw_drop needs an ACCEPTed pattern")
        if p.tgw_drop in ("no_route", "blackhole") and (p.intervals != 1 or not client_eni):
            raise TopologyError(
                f"{where}: a request dropped for {p.tgw_drop} lasts one interval and comes from "
                "ENIs (the VPC logs see nothing else of it)"
            )


# ---------------------------------------------------------------------------------------------
# The default network: data in default_topology.json beside this module.

DEFAULT_TOPOLOGY_FILE = Path(__file__).with_name("default_topology.json")
#: The default network as `--show-topology` prints it (the JSON file, parsed once).
DEFAULT_TOPOLOGY: dict[str, Any] = json.loads(DEFAULT_TOPOLOGY_FILE.read_text(encoding="utf-8"))


def default_topology() -> Topology:
    """The documented default network (see the module docstring)."""
    return Topology.from_dict(copy.deepcopy(DEFAULT_TOPOLOGY))


def rule_id(group_id: str, direction: str, index: int) -> str:
    """The `sgr-…` id of a group's rule (its position among the group's rules of a direction)."""
    return derived_id("sgr", f"{group_id}/{direction}/{index}")


# ---------------------------------------------------------------------------------------------
# The hub-and-spoke network: data in hub_topology.json beside this module.

HUB_TOPOLOGY_FILE = Path(__file__).with_name("hub_topology.json")


def hub_topology() -> Topology:
    """Spokes VPC-A (10.10.0.0/16) and VPC-B (10.20.0.0/16) and shared services VPC-C
    (10.30.0.0/16) attached to one transit gateway that logs its own flows, with a VPN
    attachment to on premises (192.168.0.0/16); traffic between the spokes, to the shared DNS,
    over the VPN, and drops by every cause (no route, blackhole, MTU, TTL)."""
    return Topology.from_json(HUB_TOPOLOGY_FILE)


#: Networks `sample --topology NAME` knows by name (else NAME is a JSON file).
BUNDLED_TOPOLOGIES: dict[str, Path] = {"default": DEFAULT_TOPOLOGY_FILE, "hub": HUB_TOPOLOGY_FILE}


#: Region name words as AZ ids abbreviate them (`us-east-1` → `use1`).
_DIRECTION_WORDS = {
    "north": "n",
    "south": "s",
    "east": "e",
    "west": "w",
    "central": "c",
    "northeast": "ne",
    "northwest": "nw",
    "southeast": "se",
    "southwest": "sw",
    "gov": "g",
    "iso": "i",
}


def az_id(region: str, az: int) -> str:
    """The AZ id AWS writes in `az-id`: `us-east-1`, 1 → `use1-az1`; `eu-west-1` → `euw1-az…`."""
    parts = region.split("-")
    middle = "".join(_DIRECTION_WORDS.get(p, p[:1]) for p in parts[1:-1])
    return f"{parts[0]}{middle}{parts[-1]}-az{az}"
