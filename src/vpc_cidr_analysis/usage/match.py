"""Usage of network interfaces and security-group rules: flow-log query output + an inventory.

The flow-log side runs as SQL of the pack (`eni_usage`, `sg_connections`), on Athena or the
local engine alike; the inventory side (which ENI carries which groups, which rules they hold,
which addresses a referenced group stands for) is matched here, in Python, over the queries'
aggregated rows. Why not in SQL with the inventory loaded as tables:

- the inventory is a snapshot taken when you run `inventory`; in SQL it would have to be
  uploaded to S3 and declared in Glue before every analysis, and the pack's files would stop
  being pasteable on their own;
- `sg_connections` already reduces records to one row per ENI, day, initiator, responder and
  port, so Python handles thousands of rows where Athena scanned millions of records; the
  matching cost is rows times rules of one ENI's groups, memoised per peer;
- referenced groups, overlapping rules and ICMP's missing initiator need reasoning across the
  inventory (see `resolve_pair`) that is clear and testable here and contorted in SQL.

The price: an internet-facing ENI yields one row per client address and day.

Counting rules. A connection counts once per ENI that logged its start, for every rule of that
ENI's groups that admits it in the direction it was started (ingress: the peer is the source;
egress: the peer is the destination): protocol (-1 matches all), port range (TCP/UDP only; an
ICMP rule's type and code are not in flow logs and are not checked), and the peer against the
rule's IPv4 CIDR, IPv6 CIDR, prefix list entries, or the private addresses of the ENIs that
carry the referenced group. When several rules admit a connection each counts it and each is
flagged as overlapping. Replies and REJECT records are never counted (the query keeps only
connection starts of ACCEPT records). Who started a connection follows the project's one
initiator rule, `usage.initiator` (the pack's conversation queries apply the same rule).

`RuleMatcher` is the project's one rule matcher. The simulator uses it too, downward, to check
the rules its traffic patterns name (`simulate.rules`); this module, which ships to Lambda,
never imports the simulator.
"""

from __future__ import annotations

import ipaddress
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from operator import itemgetter
from typing import Any, NamedTuple

from vpc_cidr_analysis.errors import AnalysisError
from vpc_cidr_analysis.usage.initiator import by_time
from vpc_cidr_analysis.usage.inventory import (
    Inventory,
    NetworkInterface,
    SecurityGroupRule,
    protocol_name,
)

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address
#: Address ranges that are not reachable from the internet (for exposure).
INTERNAL_RANGES: tuple[Network, ...] = tuple(
    ipaddress.ip_network(c)
    for c in (
        "10.0.0.0/8",
        "172.16.0.0/12",
        "192.168.0.0/16",
        "100.64.0.0/10",
        "127.0.0.0/8",
        "169.254.0.0/16",
        "fc00::/7",
        "fe80::/10",
        "::1/128",
    )
)
PORTLESS = (1, 58)


class UsageError(AnalysisError, ValueError):
    """Query output or inventory that usage analysis cannot use; the message says why."""


def _epoch(value: Any) -> int | None:
    """A timestamp cell (datetime, 'YYYY-MM-DD HH:MM:SS[.fff] [UTC]' text, or seconds)."""
    if value is None:
        return None
    if isinstance(value, datetime):
        aware = value if value.tzinfo else value.replace(tzinfo=UTC)
        return int(aware.timestamp())
    if isinstance(value, (int, float)):
        return int(value)
    text = str(value).replace(" UTC", "").strip()
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        raise UsageError(f"{value!r} is not a timestamp") from None
    return int((parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)).timestamp())


def timestamp(seconds: int | None) -> datetime | None:
    """Epoch seconds as an aware UTC datetime (None stays None)."""
    return None if seconds is None else datetime.fromtimestamp(seconds, UTC)


def _require(columns: Sequence[str], need: Sequence[str]) -> None:
    """Query output must have every column of `need`."""
    missing = [c for c in need if c not in columns]
    if missing:
        raise UsageError(
            f"query output lacks column(s) {', '.join(missing)}; got {', '.join(columns)}"
        )


def _records(
    columns: Sequence[str], rows: Iterable[Sequence[Any]], need: Sequence[str]
) -> list[dict[str, Any]]:
    _require(columns, need)
    return [dict(zip(columns, row, strict=True)) for row in rows]


# ---------------------------------------------------------------------------------------------
# Rows of sg_connections, and the direction each start had on its ENI.


class ConnectionRow(NamedTuple):
    """One row of the `sg_connections` query (a named tuple: 10⁵ of them are made per run)."""

    interface_id: str
    day: str
    flow_direction: str | None
    srcaddr: str
    dstaddr: str
    protocol: int
    dstport: int
    evidence: str
    connections: int
    first_seen: int
    last_seen: int


CONNECTION_COLUMNS = ConnectionRow._fields


def connection_rows(columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> list[ConnectionRow]:
    """Typed `sg_connections` rows from a query result (local engine or Athena)."""
    _require(columns, CONNECTION_COLUMNS)
    pick = itemgetter(*(list(columns).index(c) for c in CONNECTION_COLUMNS))
    width = len(columns)
    directions = ("ingress", "egress")
    out = []
    for row in rows:
        if len(row) != width:
            raise UsageError(f"a row has {len(row)} values for {width} columns: {row!r}")
        eni, day, direction, src, dst, proto, port, evidence, count, first, last = pick(row)
        out.append(
            ConnectionRow(
                str(eni),
                str(day),
                direction if direction in directions else None,
                str(src),
                str(dst),
                int(proto),
                int(port or 0),
                str(evidence),
                int(count),
                _epoch(first) or 0,
                _epoch(last) or 0,
            )
        )
    return out


class Start(NamedTuple):
    """Connection starts on one ENI, with the direction they were started in."""

    eni_id: str
    day: str
    direction: str  # ingress: the peer started it; egress: the ENI did
    local: str
    peer: str
    protocol: int
    port: int
    connections: int
    first_seen: int
    last_seen: int
    evidence: str


# ---------------------------------------------------------------------------------------------
# Rule matching.


def _network(text: str) -> Network | None:
    try:
        return ipaddress.ip_network(text.strip(), strict=False)
    except ValueError:
        return None


class RuleMatcher:
    """Which rules of an ENI's groups admit a connection start; memoised per question."""

    def __init__(self, inventory: Inventory) -> None:
        self.inventory = inventory
        self.rules: dict[tuple[str, str], list[SecurityGroupRule]] = defaultdict(list)
        self.rule_by_id = {rule.id: rule for rule in inventory.rules}
        for rule in inventory.rules:
            self.rules[rule.group_id, rule.direction].append(rule)
        self.members: dict[str, set[Address]] = defaultdict(set)
        self.by_address: dict[Address, NetworkInterface] = {}
        for eni in inventory.network_interfaces:
            for text in eni.addresses:
                address = ipaddress.ip_address(text)
                self.by_address.setdefault(address, eni)
                for group_id in eni.security_group_ids:
                    self.members[group_id].add(address)
        self.prefix_lists: dict[str, list[Network]] = {
            p.id: [n for n in map(_network, p.cidrs) if n is not None]
            for p in inventory.prefix_lists
        }
        self.cidrs: dict[str, Network | None] = {}
        self._cache: dict[tuple[str, str, str, int, int], tuple[str, ...]] = {}
        self._addresses: dict[str, Address | None] = {}
        self.unknown_prefix_lists: set[str] = set()

    def eni_at(self, address: str) -> NetworkInterface | None:
        """The inventory ENI owning a private address, if any."""
        try:
            return self.by_address.get(ipaddress.ip_address(address))
        except ValueError:
            return None

    def match(
        self, eni: NetworkInterface, direction: str, peer: str, protocol: int, port: int
    ) -> tuple[str, ...]:
        """Ids of the rules (all groups of the ENI, one direction) that admit this start."""
        key = (eni.id, direction, peer, protocol, port)
        found = self._cache.get(key)
        if found is None:
            address = self._address(peer)
            found = tuple(
                rule.id
                for group_id in eni.security_group_ids
                for rule in self.rules.get((group_id, direction), ())
                if address is not None and self.admits(rule, address, protocol, port)
            )
            self._cache[key] = found
        return found

    def _address(self, text: str) -> Address | None:
        """A peer's address, parsed once per text (a peer is asked about per ENI and port)."""
        if text in self._addresses:
            return self._addresses[text]
        try:
            address: Address | None = ipaddress.ip_address(text)
        except ValueError:
            address = None
        self._addresses[text] = address
        return address

    def admits(self, rule: SecurityGroupRule, peer: Address, protocol: int, port: int) -> bool:
        """Whether one rule admits a start with this peer, protocol and port."""
        if rule.protocol not in (-1, protocol):
            return False
        if rule.protocol in (6, 17) and not (
            rule.from_port == -1 or rule.from_port <= port <= rule.to_port
        ):
            return False
        if rule.cidr_ipv4 or rule.cidr_ipv6:
            text = rule.cidr_ipv4 or rule.cidr_ipv6 or ""
            net = self.cidrs.get(text)
            if text not in self.cidrs:
                net = self.cidrs[text] = _network(text)
            return net is not None and peer.version == net.version and peer in net
        if rule.prefix_list_id:
            nets = self.prefix_lists.get(rule.prefix_list_id)
            if nets is None:
                self.unknown_prefix_lists.add(rule.prefix_list_id)
                return False
            return any(peer.version == n.version and peer in n for n in nets)
        if rule.referenced_group_id:
            return peer in self.members.get(rule.referenced_group_id, ())
        return False


# ---------------------------------------------------------------------------------------------
# Resolving starts: direction from the logs or the inventory; initiator of portless pairs.


@dataclass
class Resolution:
    """Starts with a known direction, and what could not be attributed (with reasons)."""

    starts: list[Start] = field(default_factory=list)
    #: ICMP-like exchanges whose initiator the logs do not show: (start as ingress, as egress).
    ambiguous: list[tuple[Start, Start]] = field(default_factory=list)
    #: connections left out, by reason
    skipped: Counter[str] = field(default_factory=Counter)


def _direction(row: ConnectionRow, eni: NetworkInterface) -> str | None:
    if row.flow_direction is not None:
        return row.flow_direction
    local = set(eni.addresses)
    if row.srcaddr in local:
        return "egress"
    if row.dstaddr in local:
        return "ingress"
    return None


def _start(row: ConnectionRow, direction: str) -> Start:
    local, peer = (
        (row.srcaddr, row.dstaddr) if direction == "egress" else (row.dstaddr, row.srcaddr)
    )
    return Start(
        row.interface_id,
        row.day,
        direction,
        local,
        peer,
        row.protocol,
        row.dstport,
        row.connections,
        row.first_seen,
        row.last_seen,
        row.evidence,
    )


def resolve(
    inventory: Inventory, rows: Iterable[ConnectionRow], matcher: RuleMatcher | None = None
) -> Resolution:
    """Give every start its direction on its ENI; settle who started portless exchanges."""
    matcher = matcher or RuleMatcher(inventory)
    result = Resolution()
    pairs: dict[tuple[str, str, str, str, int, int], dict[str, Start]] = {}
    for row in rows:
        eni = inventory.interface(row.interface_id)
        if eni is None:
            result.skipped["ENI not in the inventory"] += row.connections
            continue
        direction = _direction(row, eni)
        if direction is None:
            result.skipped["direction unknown (no flow-direction, address not the ENI's)"] += (
                row.connections
            )
            continue
        start = _start(row, direction)
        if row.evidence != "pair":
            result.starts.append(start)
            continue
        key = (start.eni_id, start.day, start.local, start.peer, start.protocol, start.port)
        sides = pairs.setdefault(key, {})
        seen = sides.get(direction)
        sides[direction] = (
            start
            if seen is None
            else seen._replace(
                connections=seen.connections + start.connections,
                first_seen=min(seen.first_seen, start.first_seen),
                last_seen=max(seen.last_seen, start.last_seen),
            )
        )
    for sides in pairs.values():
        ingress, egress = sides.get("ingress"), sides.get("egress")
        if ingress is None or egress is None:
            result.starts.append(ingress or egress)  # type: ignore[arg-type]
            continue
        chosen = resolve_pair(inventory, matcher, ingress, egress)
        if chosen is None:
            result.ambiguous.append((ingress, egress))
        else:
            result.starts.append(chosen)
    return result


def resolve_pair(
    inventory: Inventory, matcher: RuleMatcher, ingress: Start, egress: Start
) -> Start | None:
    """Which of two opposite portless flows (ICMP echo and reply) on one ENI was the start.

    In order: the one that started strictly earlier; the only one the ENI's rules admit (the
    other was a tracked reply); when the peer is an ENI of the inventory, the only direction
    its rules admit (it could only have started what its egress allows); when the peer is
    outside the inventory, the direction admitted by a rule for this very protocol rather than
    by all-traffic rules only (a rule that allows ICMP from the internet says pings come in).
    None when nothing decides (e.g. two of your ENIs whose groups allow ICMP both ways).
    """
    earlier = by_time(ingress.first_seen, egress.first_seen)  # the initiator rule's rule 3
    if earlier is not None:
        return ingress if earlier else egress
    eni = inventory.interface(ingress.eni_id)
    assert eni is not None
    proto, port = ingress.protocol, ingress.port
    rules_in = matcher.match(eni, "ingress", ingress.peer, proto, port)
    rules_out = matcher.match(eni, "egress", egress.peer, proto, port)
    if bool(rules_in) != bool(rules_out):
        return ingress if rules_in else egress
    if not rules_in:
        return None
    peer_eni = matcher.eni_at(ingress.peer)
    if peer_eni is not None and peer_eni.security_group_ids:
        peer_out = matcher.match(peer_eni, "egress", ingress.local, proto, port)
        peer_in = matcher.match(peer_eni, "ingress", ingress.local, proto, port)
        if bool(peer_out) != bool(peer_in):
            return ingress if peer_out else egress
        return None
    if peer_eni is None:
        specific_in = any(matcher.rule_by_id[r].protocol == proto for r in rules_in)
        specific_out = any(matcher.rule_by_id[r].protocol == proto for r in rules_out)
        if specific_in != specific_out:
            return ingress if specific_in else egress
    return None


# ---------------------------------------------------------------------------------------------
# Rule usage.


@dataclass
class RuleUse:
    """What the window says about one rule."""

    rule: SecurityGroupRule
    connections: int = 0
    overlapping: int = 0
    ambiguous: int = 0
    first_used: int | None = None
    last_used: int | None = None
    by_day: Counter[str] = field(default_factory=Counter)
    by_eni: Counter[str] = field(default_factory=Counter)
    overlaps_with: set[str] = field(default_factory=set)

    def add(self, start: Start, others: Sequence[str]) -> None:
        self.connections += start.connections
        self.by_day[start.day] += start.connections
        self.by_eni[start.eni_id] += start.connections
        if others:
            self.overlapping += start.connections
            self.overlaps_with.update(others)
        if self.first_used is None or start.first_seen < self.first_used:
            self.first_used = start.first_seen
        if self.last_used is None or start.last_seen > self.last_used:
            self.last_used = start.last_seen


@dataclass
class UsageReport:
    """Rule usage, ENI usage, unused ENIs and exposure for one window."""

    inventory: Inventory
    days: list[str]
    rules: dict[str, RuleUse]
    resolution: Resolution
    unexplained: Counter[tuple[str, str, str, int, int]]
    eni_rows: dict[str, dict[str, Any]]
    attached_groups: set[str]
    filters: dict[str, str] = field(default_factory=dict)

    def warnings(self) -> list[str]:
        """What could make this report mislead: no records, or none of the inventory's ENIs."""
        window = f"{self.days[0]}..{self.days[-1]}" if self.days else "the window"
        if not self.eni_rows:
            return [
                f"no flow-log records in {window}; every rule reads 'never used' "
                "(check --logs and the window)"
            ]
        known = {eni.id for eni in self.inventory.network_interfaces}
        if known and not known & set(self.eni_rows):
            return [
                f"none of the inventory's {len(known)} network interfaces appear in the flow "
                f"logs of {window}; every rule reads 'never used' (is it the same account "
                "and region as the logs?)"
            ]
        return []

    # -- rules -------------------------------------------------------------------------------
    def rule_status(self, use: RuleUse) -> str:
        if use.connections:
            return "used"
        if use.ambiguous:
            return "maybe used"
        if use.rule.group_id not in self.attached_groups:
            return "group unattached"
        return "never used"

    RULE_COLUMNS = (
        "rule_id",
        "group_id",
        "group_name",
        "direction",
        "protocol",
        "ports",
        "peer",
        "description",
        "connections",
        "enis",
        "first_used",
        "last_used",
        "overlapping",
        "overlaps_with",
        "ambiguous",
        "status",
    )

    def peer_text(self, rule: SecurityGroupRule) -> str:
        """The rule's peer, with the group's name for a referenced group (`sg-… (web)`)."""
        if rule.referenced_group_id:
            group = self.inventory.group(rule.referenced_group_id)
            if group is not None and group.name:
                return f"{rule.referenced_group_id} ({group.name})"
        return rule.peer

    def rule_rows(self, only: Sequence[str] = ()) -> list[tuple[Any, ...]]:
        """One row per rule (RULE_COLUMNS), most used first; `only` keeps those statuses."""
        rows = []
        for use in self.rules.values():
            status = self.rule_status(use)
            if only and status not in only:
                continue
            group = self.inventory.group(use.rule.group_id)
            rows.append(
                (
                    use.rule.id,
                    use.rule.group_id,
                    group.name if group else "",
                    use.rule.direction,
                    protocol_name(use.rule.protocol),
                    use.rule.ports,
                    self.peer_text(use.rule),
                    use.rule.description,
                    use.connections,
                    len(use.by_eni),
                    timestamp(use.first_used),
                    timestamp(use.last_used),
                    use.overlapping,
                    ",".join(sorted(use.overlaps_with)),
                    use.ambiguous,
                    status,
                )
            )
        rows.sort(key=lambda r: (-r[8], -r[14], r[2], r[3], r[0]))
        return rows

    def heatmap(self) -> tuple[list[str], list[tuple[SecurityGroupRule, list[int]]]]:
        """Days, and per rule (most used first) its connection count on each day."""
        ordered = sorted(
            self.rules.values(),
            key=lambda u: (-u.connections, u.rule.group_id, u.rule.direction, u.rule.id),
        )
        return self.days, [(u.rule, [u.by_day.get(d, 0) for d in self.days]) for u in ordered]

    UNEXPLAINED_COLUMNS = ("eni_id", "direction", "peer", "protocol", "port", "connections")

    def unexplained_rows(self) -> list[tuple[Any, ...]]:
        """Accepted starts no rule of the ENI's groups admits (a changed group, or a stale
        inventory)."""
        return [
            (eni, direction, peer, protocol_name(proto), port, count)
            for (eni, direction, peer, proto, port), count in sorted(
                self.unexplained.items(), key=lambda kv: (-kv[1], kv[0])
            )
        ]

    # -- ENIs --------------------------------------------------------------------------------
    ENI_COLUMNS = (
        "eni_id",
        "vpc_id",
        "subnet_id",
        "type",
        "instance_id",
        "instance_state",
        "private_ips",
        "public_ips",
        "security_groups",
        "flows",
        "packets_sent",
        "bytes_sent",
        "packets_received",
        "bytes_received",
        "peers",
        "listening",
        "first_seen",
        "last_seen",
        "status",
    )

    def listening(self) -> dict[str, str]:
        """Per ENI: `tcp/443 (120), udp/53 (4)`: ports on which it accepted started flows."""
        counts: dict[str, Counter[str]] = defaultdict(Counter)
        for start in self.resolution.starts:
            if start.direction == "ingress":
                proto = protocol_name(start.protocol)
                name = proto if start.protocol in PORTLESS else f"{proto}/{start.port}"
                counts[start.eni_id][name] += start.connections
        return {
            eni: ", ".join(f"{k} ({v})" for k, v in sorted(c.items(), key=lambda kv: -kv[1]))
            for eni, c in counts.items()
        }

    def eni_table(self) -> list[tuple[Any, ...]]:
        """Every ENI of the inventory, and ENIs seen only in the logs; busiest first."""
        listening = self.listening()
        rows: list[tuple[Any, ...]] = []
        known = set()
        for eni in self.inventory.network_interfaces:
            known.add(eni.id)
            usage = self.eni_rows.get(eni.id, {})
            instance = self.inventory.instance(eni.instance_id) if eni.instance_id else None
            flows = int(usage.get("flows") or 0)
            rows.append(
                (
                    eni.id,
                    eni.vpc_id,
                    eni.subnet_id,
                    eni.interface_type,
                    eni.instance_id,
                    instance.state if instance else None,
                    ",".join(eni.addresses),
                    ",".join(eni.public_ipv4),
                    ",".join(eni.security_group_ids),
                    flows,
                    usage.get("packets_sent"),
                    usage.get("bytes_sent"),
                    usage.get("packets_received"),
                    usage.get("bytes_received"),
                    usage.get("peers"),
                    listening.get(eni.id, ""),
                    usage.get("first_seen"),
                    usage.get("last_seen"),
                    "used" if flows else "unused",
                )
            )
        for eni_id, usage in self.eni_rows.items():
            if eni_id in known:
                continue
            rows.append(
                (
                    eni_id,
                    usage.get("vpc_id"),
                    usage.get("subnet_id"),
                    None,
                    usage.get("instance_id"),
                    None,
                    "",
                    "",
                    "",
                    int(usage.get("flows") or 0),
                    usage.get("packets_sent"),
                    usage.get("bytes_sent"),
                    usage.get("packets_received"),
                    usage.get("bytes_received"),
                    usage.get("peers"),
                    listening.get(eni_id, ""),
                    usage.get("first_seen"),
                    usage.get("last_seen"),
                    "not in inventory",
                )
            )
        rows.sort(key=lambda r: (-(r[9] or 0), r[0]))
        return rows

    UNUSED_COLUMNS = (
        "eni_id",
        "vpc_id",
        "subnet_id",
        "type",
        "description",
        "instance_id",
        "instance_state",
        "private_ips",
        "public_ips",
        "security_groups",
        "note",
    )

    def unused_rows(self) -> list[tuple[Any, ...]]:
        """Inventory ENIs without accepted traffic in the window."""
        logged_vpcs = {
            eni.vpc_id for eni in self.inventory.network_interfaces if eni.id in self.eni_rows
        }
        rows = []
        for eni in self.inventory.network_interfaces:
            if eni.id in self.eni_rows:
                continue
            instance = self.inventory.instance(eni.instance_id) if eni.instance_id else None
            note = (
                ""
                if eni.vpc_id in logged_vpcs
                else "no ENI of its VPC has records: is a flow log publishing it?"
            )
            rows.append(
                (
                    eni.id,
                    eni.vpc_id,
                    eni.subnet_id,
                    eni.interface_type,
                    eni.description,
                    eni.instance_id,
                    instance.state if instance else None,
                    ",".join(eni.addresses),
                    ",".join(eni.public_ipv4),
                    ",".join(eni.security_group_ids),
                    note,
                )
            )
        return sorted(rows, key=lambda r: (r[1], r[0]))

    EXPOSURE_COLUMNS = (
        "eni_id",
        "public_ips",
        "group_id",
        "group_name",
        "rule_id",
        "protocol",
        "ports",
        "peer",
        "connections",
        "last_used",
    )

    def exposure_rows(self) -> list[tuple[Any, ...]]:
        """Public ENIs (public IPv4 or IPv6) with their ingress rules open to internet addresses,
        with the connections each rule admitted on that ENI in the window."""
        rows = []
        by_group: dict[str, list[SecurityGroupRule]] = defaultdict(list)
        for rule in self.inventory.rules:
            if rule.direction == "ingress" and self._open_to_internet(rule):
                by_group[rule.group_id].append(rule)
        for eni in self.inventory.network_interfaces:
            if not eni.public:
                continue
            public = ",".join(eni.public_ipv4 + eni.ipv6)
            for group_id in eni.security_group_ids:
                group = self.inventory.group(group_id)
                for rule in by_group.get(group_id, ()):
                    use = self.rules[rule.id]
                    if rule.cidr_ipv6 and not eni.ipv6:
                        continue  # an IPv6 rule exposes nothing without an IPv6 address
                    if rule.cidr_ipv4 and not eni.public_ipv4:
                        continue
                    rows.append(
                        (
                            eni.id,
                            public,
                            group_id,
                            group.name if group else "",
                            rule.id,
                            protocol_name(rule.protocol),
                            rule.ports,
                            self.peer_text(rule),
                            use.by_eni.get(eni.id, 0),
                            timestamp(use.last_used) if use.by_eni.get(eni.id) else None,
                        )
                    )
        return rows

    def _open_to_internet(self, rule: SecurityGroupRule) -> bool:
        texts: list[str] = []
        if rule.cidr_ipv4 or rule.cidr_ipv6:
            texts = [rule.cidr_ipv4 or rule.cidr_ipv6 or ""]
        elif rule.prefix_list_id:
            prefix_list = self.inventory.prefix_list(rule.prefix_list_id)
            texts = list(prefix_list.cidrs) if prefix_list else []
        for text in texts:
            net = _network(text)
            if net is not None and not any(
                net.version == r.version and net.subnet_of(r)  # type: ignore[arg-type]
                for r in INTERNAL_RANGES
            ):
                return True
        return False


def analyse(
    inventory: Inventory,
    connections: Sequence[ConnectionRow],
    eni_usage: Iterable[Mapping[str, Any]],
    days: Sequence[str],
    filters: Mapping[str, str] | None = None,
) -> UsageReport:
    """Match the window's connection starts with the inventory's rules; merge ENI usage."""
    matcher = RuleMatcher(inventory)
    resolution = resolve(inventory, connections, matcher)
    rules = {rule.id: RuleUse(rule) for rule in inventory.rules}
    unexplained: Counter[tuple[str, str, str, int, int]] = Counter()
    for start in resolution.starts:
        eni = inventory.interface(start.eni_id)
        assert eni is not None
        if not eni.security_group_ids:
            resolution.skipped["ENI without security groups (NAT, transit gateway…)"] += (
                start.connections
            )
            continue
        matched = matcher.match(eni, start.direction, start.peer, start.protocol, start.port)
        if not matched:
            unexplained[start.eni_id, start.direction, start.peer, start.protocol, start.port] += (
                start.connections
            )
        for rule_id in matched:
            rules[rule_id].add(start, [r for r in matched if r != rule_id])
    for ingress, egress in resolution.ambiguous:
        eni = inventory.interface(ingress.eni_id)
        assert eni is not None
        if not eni.security_group_ids:
            continue
        candidates = 0
        for start in (ingress, egress):
            for rule_id in matcher.match(
                eni, start.direction, start.peer, start.protocol, start.port
            ):
                rules[rule_id].ambiguous += start.connections
                candidates += 1
        if not candidates:  # admitted by no rule either way
            unexplained[ingress.eni_id, "either", ingress.peer, ingress.protocol, ingress.port] += (
                ingress.connections
            )
    return UsageReport(
        inventory=inventory,
        days=list(days),
        rules=rules,
        resolution=resolution,
        unexplained=unexplained,
        eni_rows={str(r["interface_id"]): dict(r) for r in eni_usage},
        attached_groups={g for e in inventory.network_interfaces for g in e.security_group_ids},
        filters=dict(filters or {}),
    )


def eni_usage_records(
    columns: Sequence[str], rows: Iterable[Sequence[Any]]
) -> list[dict[str, Any]]:
    """`eni_usage` rows as dicts keyed by column (checked)."""
    return _records(columns, rows, ("interface_id", "flows", "first_seen", "last_seen"))


def day_range(days: Sequence[date]) -> list[str]:
    """Window days as the `day` partition writes them."""
    return [f"{d:%Y/%m/%d}" for d in days]
