"""Transit Gateway flow logs of the simulated traffic, and their ground truth.

A topology with a `transit_gateway` entry (and its `flow_log_id`) has the gateway publish its own
flow log, beside the VPCs' (which keep recording the same traffic at the attachment ENIs). The
generator (`simulator.Generator`) tells `TgwLog` about each conversation through the gateway and,
per aggregation interval and direction, what it sent; `TgwLog` writes the records AWS writes for
it in the default TGW format (`schema.TGW_DEFAULT_FIELDS`, version 6, `resource-type`
TransitGateway), and counts the four TGW queries' answers from the same knowledge
(`TgwTruth`), never from the records it wrote.

Record semantics (the same as the hand-written fixture's): a flow (one direction) that crosses
the gateway is recorded on the attachment it enters (`ingress`, pair = the attachment it leaves
by) and on the one it leaves by (`egress`, pair = the entering one), with the same packets and
bytes; a request the gateway drops for no route or a blackhole only where it entered, pair and
destination VPC fields `-`, its packets in `packets-lost-no-route` / `packets-lost-blackhole`.
MTU-exceeded and TTL-expired losses are a tenth of a request record's packets (at least one),
counted on both records of a flow that otherwise crosses (the VPC records keep the sender's
counts). The VPN attachment has `-` for its side's VPC, subnet, ENI, AZ and account. Records
cover at most 60 s (the gateway's fixed aggregation interval): a VPC record of a 600 s interval
becomes up to ten, one per minute with packets (spread evenly over the interval, the first at
its start), its packets and bytes split among them, SYN on the first, FIN/RST on the last.
A flow log on one attachment only (`TransitGateway.flow_log_attachment`) writes the records
whose `tgw-attachment-id` is that attachment: the flows entering by it (ingress) and those
leaving by it (egress), and its truth is the whole gateway's rows that involve it.
Addresses are the endpoints' (a gateway does not translate), tcp-flags as the VPC records have
them; the gateway's log has no NODATA or SKIPDATA records.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from vpc_cidr_analysis import schema
from vpc_cidr_analysis.simulate.topology import Eni, Topology, TrafficPattern, az_id
from vpc_cidr_analysis.usage.initiator import RULES

#: The TGW log's fields, AWS's default format.
TGW_FIELDS: tuple[str, ...] = schema.TGW_DEFAULT_FIELDS
#: A TGW record covers at most this many seconds (AWS: always 60 s).
TGW_AGGREGATION_SECONDS = 60
#: Drops that stop the whole request where it entered (the rest lose some packets).
STOPPED = ("no_route", "blackhole")
LOST_FIELDS = ("no_route", "blackhole", "mtu_exceeded", "ttl_expired")
_M = schema.MISSING
_SYN_BITS, _FIN_BITS = 2 | 16, 1 | 4
Record = tuple[str, ...]

#: The four TGW queries' columns, as their header contracts (docs: tgw.md) name them.
TGW_QUERY_COLUMNS: dict[str, tuple[str, ...]] = {
    "tgw_attachments": (
        "tgw_id", "tgw_attachment_id", "tgw_pair_attachment_id", "src_vpc_id", "dst_vpc_id",
        "connections", "packets", "bytes", "packets_lost_no_route", "packets_lost_blackhole",
        "packets_lost_mtu_exceeded", "packets_lost_ttl_expired", "first_seen", "last_seen",
    ),
    "tgw_route_usage": (
        "tgw_id", "client_attachment_id", "server_attachment_id", "client_vpc_id",
        "server_vpc_id", "client", "server", "server_port", "protocol", "connections",
        "client_packets", "client_bytes", "server_packets", "server_bytes", "first_seen",
        "last_seen", "decided_by",
    ),
    "tgw_drops": (
        "tgw_id", "tgw_attachment_id", "tgw_pair_attachment_id", "src_vpc_id", "dst_vpc_id",
        "dstaddr", "dstport", "protocol", "flows", "packets_lost_no_route",
        "packets_lost_blackhole", "packets_lost_mtu_exceeded", "packets_lost_ttl_expired",
        "first_seen", "last_seen",
    ),
}  # fmt: skip
TGW_QUERY_COLUMNS["tgw_top_talkers"] = TGW_QUERY_COLUMNS["tgw_route_usage"]
#: How many rows `tgw_top_talkers` returns in the ground truth (the query's default `top`).
TGW_TOP = 20
#: tgw_route_usage's row key: gateway, attachments, client, server, port, protocol.
_ROUTE_KEY = (
    "tgw_id", "client_attachment_id", "server_attachment_id", "client", "server", "server_port",
    "protocol",
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Side:
    """Where a flow enters or leaves the gateway: the attachment and its ENI's VPC fields."""

    attachment: str
    account: str
    vpc: str
    subnet: str
    eni: str
    az: str


_NOWHERE = Side(_M, _M, _M, _M, _M, _M)


@dataclass(slots=True)
class _Connection:
    """One connection through the gateway as the ground truth counts it (per window)."""

    client_side: Side
    server_side: Side  # _NOWHERE when dropped
    dropped: bool
    sent: list[int] = field(default_factory=lambda: [0, 0, 0, 0])  # client pkts, bytes; server
    first: int = 1 << 62
    last: int = -1


@dataclass(slots=True)
class Flow:
    """One direction of a conversation through the gateway: the records' fixed parts."""

    ingress: Record  # fields before srcaddr, of the record where it enters
    egress: Record | None  # likewise where it leaves; None when dropped
    ends: Record  # srcaddr, dstaddr, srcport, dstport, protocol
    family: str  # IPv4 / IPv6
    drop: str | None  # the loss its records carry: a STOPPED cause, mtu/ttl, or None
    key: tuple[str, ...]  # the connection: client, client port, server, port, protocol
    request: bool
    tally: _Tallies


class _Tally:
    """What the queries count of the records, for one window (see `TgwTruth`)."""

    def __init__(self) -> None:
        #: per (entered, left, src vpc, dst vpc) and flow: packets, bytes, lost x4, first, last
        self.flows: dict[tuple[tuple[str, ...], tuple[str, ...]], list[int]] = {}
        self.connections: dict[tuple[str, ...], _Connection] = {}


class TgwTruth:
    """The four TGW queries' expected rows, accumulated per window while records are written.

    `windows` maps a window's name to its first day ('yyyy/MM/dd'; the last is the end date);
    without `detail` nothing is kept (the ground truth then lists no rows).
    """

    def __init__(
        self, tgw_id: str, windows: dict[str, str], detail: bool, only: str | None = None
    ) -> None:
        self.tgw_id = tgw_id
        #: the one attachment the flow log is on (its id), None for the whole gateway
        self.only = only
        self.windows = windows
        self.detail = detail
        #: kept with full detail only (totals only above 200,000 records: memory stays bounded)
        self.tallies = {w: _Tally() for w in windows} if detail else {}

    def rows(
        self, query: str, window: str, pair: Callable[[str, str], bool] | None = None
    ) -> list[dict[str, Any]]:
        """The query's rows in its order; `pair(client, server)` selects tgw_route_usage's."""
        tally = self.tallies[window]
        only = self.only
        if query in ("tgw_attachments", "tgw_drops"):
            # a log on one attachment holds the flows entering or leaving by it, alike
            make = _attachment_rows if query == "tgw_attachments" else _drop_rows
            return [
                r for r in make(self.tgw_id, tally)
                if only is None or only in (r["tgw_attachment_id"], r["tgw_pair_attachment_id"])
            ]  # fmt: skip
        rows = [
            r for r in _connection_rows(self.tgw_id, tally)
            if only is None or only in (r["client_attachment_id"], r["server_attachment_id"])
        ]  # fmt: skip
        if query == "tgw_route_usage":
            assert pair is not None
            rows = [r for r in rows if pair(r["client"], r["server"])]
            return sorted(rows, key=lambda r: (-r["last_seen"], *_order(r, _ROUTE_KEY)))
        rows.sort(key=lambda r: (-(r["client_bytes"] + r["server_bytes"]), *_order(r, _ROUTE_KEY)))
        return rows[:TGW_TOP]


def _order(row: dict[str, Any], keys: Iterable[str]) -> tuple[Any, ...]:
    """ORDER BY keys ascending, NULLs last (Trino's default)."""
    return tuple(v for k in keys for v in (row[k] is None, row[k] if row[k] is not None else ""))


def _none(value: str) -> str | None:
    return None if value == _M else value


def _attachment_rows(tgw_id: str, tally: _Tally) -> list[dict[str, Any]]:
    groups: dict[tuple[str, ...], dict[str, Any]] = {}
    for (pair, _flow), v in tally.flows.items():
        entered, left, src_vpc, dst_vpc = pair
        row = groups.get(pair)
        if row is None:
            row = groups[pair] = {
                "tgw_id": tgw_id, "tgw_attachment_id": entered,
                "tgw_pair_attachment_id": _none(left), "src_vpc_id": _none(src_vpc),
                "dst_vpc_id": _none(dst_vpc), "connections": 0, "packets": 0, "bytes": 0,
                **{f"packets_lost_{c}": 0 for c in LOST_FIELDS},
                "first_seen": v[6], "last_seen": v[7],
            }  # fmt: skip
        row["connections"] += 1
        row["packets"] += v[0]
        row["bytes"] += v[1]
        for i, cause in enumerate(LOST_FIELDS):
            row[f"packets_lost_{cause}"] += v[2 + i]
        row["first_seen"] = min(row["first_seen"], v[6])
        row["last_seen"] = max(row["last_seen"], v[7])
    keys = TGW_QUERY_COLUMNS["tgw_attachments"][:5]
    return sorted(groups.values(), key=lambda r: (-r["bytes"], *_order(r, keys)))


def _drop_rows(tgw_id: str, tally: _Tally) -> list[dict[str, Any]]:
    groups: dict[tuple[str, ...], dict[str, Any]] = {}
    sources: dict[tuple[str, ...], set[tuple[str, str]]] = {}
    for (pair, flow), v in tally.flows.items():
        if not any(v[2:6]):
            continue
        src, dst, sport, dport, proto = flow
        key = (*pair, dst, dport, proto)
        row = groups.get(key)
        if row is None:
            entered, left, src_vpc, dst_vpc = pair
            row = groups[key] = {
                "tgw_id": tgw_id, "tgw_attachment_id": entered,
                "tgw_pair_attachment_id": _none(left), "src_vpc_id": _none(src_vpc),
                "dst_vpc_id": _none(dst_vpc), "dstaddr": dst, "dstport": int(dport),
                "protocol": int(proto), "flows": 0,
                **{f"packets_lost_{c}": 0 for c in LOST_FIELDS},
                "first_seen": v[6], "last_seen": v[7],
            }  # fmt: skip
            sources[key] = set()
        sources[key].add((src, sport))
        row["flows"] = len(sources[key])
        for i, cause in enumerate(LOST_FIELDS):
            row[f"packets_lost_{cause}"] += v[2 + i]
        row["first_seen"] = min(row["first_seen"], v[6])
        row["last_seen"] = max(row["last_seen"], v[7])
    keys = TGW_QUERY_COLUMNS["tgw_drops"][:8]
    lost = [f"packets_lost_{c}" for c in LOST_FIELDS]
    return sorted(groups.values(), key=lambda r: (-sum(r[k] for k in lost), *_order(r, keys)))


def _connection_rows(tgw_id: str, tally: _Tally) -> list[dict[str, Any]]:
    """Connections that crossed, grouped as tgw_route_usage/tgw_top_talkers do; the client is
    the generator's, but for ICMP echo and reply (same second: undecided, address order)."""
    groups: dict[tuple[Any, ...], dict[str, Any]] = {}
    ports: dict[tuple[Any, ...], set[str]] = {}
    for (client, cport, server, port, proto), conn in tally.connections.items():
        if conn.dropped:
            continue
        protocol = int(proto)
        rule = "tcp-flags" if protocol == 6 else "port" if protocol == 17 else "time"
        ends = [(client, conn.client_side, 0), (server, conn.server_side, 2)]
        if protocol in (1, 58) and conn.sent[2]:
            rule = "unknown"
            ends.sort(key=lambda e: e[0])
        (c_addr, c_side, c_at), (s_addr, s_side, s_at) = ends
        key = (c_side.attachment, s_side.attachment, c_addr, s_addr, int(port), protocol)
        row = groups.get(key)
        if row is None:
            row = groups[key] = {
                "tgw_id": tgw_id, "client_attachment_id": c_side.attachment,
                "server_attachment_id": s_side.attachment, "client_vpc_id": _none(c_side.vpc),
                "server_vpc_id": _none(s_side.vpc), "client": c_addr, "server": s_addr,
                "server_port": int(port), "protocol": protocol, "connections": 0,
                "client_packets": 0, "client_bytes": 0, "server_packets": 0, "server_bytes": 0,
                "first_seen": conn.first, "last_seen": conn.last, "decided_by": rule,
            }  # fmt: skip
            ports[key] = set()
        ports[key].add(cport)
        row["connections"] = len(ports[key])
        row["client_packets"] += conn.sent[c_at]
        row["client_bytes"] += conn.sent[c_at + 1]
        row["server_packets"] += conn.sent[s_at]
        row["server_bytes"] += conn.sent[s_at + 1]
        row["first_seen"] = min(row["first_seen"], conn.first)
        row["last_seen"] = max(row["last_seen"], conn.last)
        row["decided_by"] = max(row["decided_by"], rule, key=RULES.index)
    return list(groups.values())


class TgwLog:
    """The transit gateway's flow log: its records window by window, and their ground truth."""

    def __init__(
        self, topology: Topology, account: str, region: str, truth: TgwTruth | None
    ) -> None:
        tgw = topology.transit_gateway
        assert tgw is not None and tgw.flow_log_id is not None
        self.topology = topology
        self.flow_log_id = tgw.flow_log_id
        self.tgw = tgw
        self.account, self.region = account, region
        self.truth = truth
        #: the attachment a flow log on one attachment only is on (its id), else None
        self.only = (
            tgw.attachment_id(tgw.flow_log_attachment)
            if tgw.flow_log_attachment is not None
            else None
        )
        self.records: list[Record] = []  # the window being filled
        self._later: list[tuple[int, Record]] = []  # records starting in later windows
        self._window_end = 0
        self._days: dict[int, str] = {}

    # -- windows ---------------------------------------------------------------------------
    def begin(self, window_end: int) -> None:
        """Start a window: records of earlier conversations due in it come first."""
        self._window_end = window_end
        due = [r for start, r in self._later if start < window_end]
        self._later = [(start, r) for start, r in self._later if start >= window_end]
        self.records = due

    def take(self, last: bool) -> list[Record]:
        """The window's records (the last window also takes any left: none lies past it)."""
        records, self.records = self.records, []
        if last:
            records += [r for _start, r in self._later]
            self._later = []
        return records

    # -- conversations ---------------------------------------------------------------------
    def side(self, vpc: str | None, hop: Eni | None) -> Side:
        """A VPC's attachment as `hop` (its attachment ENI) shows it; the VPN's for None."""
        if vpc is None:
            return Side(self.tgw.attachment_id(self.tgw.vpn), _M, _M, _M, _M, _M)
        t = self.topology
        vpc_id = t.vpc(vpc).id
        attachment = self.tgw.attachment_id(vpc)
        if hop is None:
            return Side(attachment, self.account, vpc_id, _M, _M, _M)
        subnet = t.subnet(hop.subnet)
        return Side(
            attachment, self.account, vpc_id, subnet.id, hop.id, az_id(self.region, subnet.az)
        )

    def conversation(
        self,
        pattern: TrafficPattern,
        ends: tuple[str, str, str, str, str],
        family: str,
        sides: tuple[Side, Side, Side, Side],
        answered: bool,
        start: int,
    ) -> tuple[Flow, Flow | None]:
        """The request's and (when answered) the response's flows of one conversation:
        `ends` = client, server, client port, server port, protocol; `sides` = where the
        request enters and leaves, where the response enters and leaves."""
        client, server, cport, port, proto = ends
        drop = pattern.tgw_drop
        stopped = drop in STOPPED
        key = (client, cport, server, port, proto)
        day = self._day(start)
        tallies = []
        if self.truth is not None:
            tallies = [t for w, t in self.truth.tallies.items() if day >= self.truth.windows[w]]
        req_in, req_out, resp_in, resp_out = sides
        if stopped:
            req_out = _NOWHERE
        for tally in tallies:
            conn = tally.connections.get(key)
            if conn is None:
                tally.connections[key] = _Connection(req_in, req_out, stopped)
        shared = _Tallies(tallies)
        request = Flow(
            *self._heads(req_in, req_out, stopped), (client, server, cport, port, proto), family,
            drop, key, True, shared,
        )  # fmt: skip
        if not answered or stopped:
            return request, None
        response = Flow(
            *self._heads(resp_in, resp_out, False), (server, client, port, cport, proto), family,
            None, key, False, shared,
        )  # fmt: skip
        return request, response

    def _heads(self, entered: Side, left: Side, stopped: bool) -> tuple[Record, Record | None]:
        common = (self.account, self.tgw.id)
        between = (
            entered.account, left.account, entered.vpc, left.vpc, entered.subnet, left.subnet,
            entered.eni, left.eni, entered.az, left.az,
        )  # fmt: skip
        ingress = ("6", "TransitGateway", *common, entered.attachment, *between, left.attachment)
        if stopped:
            return ingress, None
        egress = ("6", "TransitGateway", *common, left.attachment, *between, entered.attachment)
        return ingress, egress

    def _day(self, start: int) -> str:
        number = start // 86400
        day = self._days.get(number)
        if day is None:
            day = self._days[number] = datetime.fromtimestamp(start, UTC).strftime("%Y/%m/%d")
        return day

    def emit(self, flow: Flow, packets: int, nbytes: int, start: int, end: int, flags: str) -> None:
        """The records of one interval of a flow (one VPC record's worth), 60 s each at most."""
        minutes = (end - start) // TGW_AGGREGATION_SECONDS + 1
        pieces = min(packets, minutes)  # minutes without a packet have no record
        bits = int(flags)
        for j in range(pieces):
            p = packets // pieces + (j < packets % pieces)
            b = nbytes // pieces + (j < nbytes % pieces)
            s = start + (j * minutes // pieces) * TGW_AGGREGATION_SECONDS
            e = min(end, s + TGW_AGGREGATION_SECONDS - 1)
            if pieces == 1:
                f = flags
            elif j == 0:
                f = str(bits & _SYN_BITS)
            else:
                f = str(bits & _FIN_BITS) if j == pieces - 1 else "0"
            lost = ["0", "0", "0", "0"]
            drop = flow.drop
            lost_count = 0
            if drop is not None and flow.request:
                lost_count = p if drop in STOPPED else max(1, p // 10)
                lost[LOST_FIELDS.index(drop)] = str(lost_count)
            tail = (str(p), str(b), str(s), str(e), "OK", flow.family, *lost, f, self.region)
            records = []
            only = self.only
            if only is None or flow.ingress[4] == only:
                records.append((*flow.ingress, *flow.ends, *tail, "ingress", _M, _M))
            if flow.egress is not None and (only is None or flow.egress[4] == only):
                records.append((*flow.egress, *flow.ends, *tail, "egress", _M, _M))
            for record in records:
                if s < self._window_end:
                    self.records.append(record)
                else:
                    self._later.append((s, record))
            flow.tally.add(flow, p, b, lost_count, s, e)


class _Tallies:
    """The windows' tallies one conversation counts into (those whose days hold it)."""

    __slots__ = ("tallies",)

    def __init__(self, tallies: list[_Tally]) -> None:
        self.tallies = tallies

    def add(self, flow: Flow, packets: int, nbytes: int, lost: int, start: int, end: int) -> None:
        """One ingress record's values (the one each query counts, the gateway logged whole)."""
        src, dst = flow.ingress[4], flow.egress[4] if flow.egress is not None else _M
        pair = (src, dst, flow.ingress[7], flow.ingress[8])
        for tally in self.tallies:
            row = tally.flows.get((pair, flow.ends))
            if row is None:
                row = tally.flows[pair, flow.ends] = [0, 0, 0, 0, 0, 0, start, end]
            row[0] += packets
            row[1] += nbytes
            if lost and flow.drop is not None:
                row[2 + LOST_FIELDS.index(flow.drop)] += lost
            row[6] = min(row[6], start)
            row[7] = max(row[7], end)
            conn = tally.connections[flow.key]
            at = 0 if flow.request else 2
            conn.sent[at] += packets
            conn.sent[at + 1] += nbytes
            conn.first = min(conn.first, start)
            conn.last = max(conn.last, end)


def truth_dict(
    truth: TgwTruth,
    log: TgwLog,
    pair_cidrs: tuple[list[str], list[str]],
    in_pair: Callable[[str, str], bool],
    files: list[dict[str, Any]],
    records: int,
) -> dict[str, Any]:
    """The ground truth's `tgw` section: the gateway, its files, each query's rows per window."""

    def rows(query: str, window: str) -> list[list[Any]] | None:
        if not truth.detail:
            return None
        got = truth.rows(query, window, in_pair)
        return [[r[c] for c in TGW_QUERY_COLUMNS[query]] for r in got]

    tgw = log.tgw
    attachments = {v.key: tgw.attachment_id(v.key) for v in log.topology.vpcs}
    attachments = {k: a for k, a in attachments.items() if _attached(log.topology, k)}
    a_cidrs, b_cidrs = pair_cidrs
    params = {
        "tgw_attachments": {},
        "tgw_route_usage": {"a_cidrs": ",".join(a_cidrs), "b_cidrs": ",".join(b_cidrs)},
        "tgw_top_talkers": {"top": str(TGW_TOP)},
        "tgw_drops": {},
    }
    return {
        "description": "the transit gateway's flow log (default TGW format, 60 s records) and "
        "each TGW query's rows as generated (each flow and connection once; timestamps in Unix "
        "seconds, NULL for '-'), with the parameters given (`params`)",
        "transit_gateway": tgw.to_dict(),
        "attachments": attachments | {tgw.vpn: tgw.attachment_id(tgw.vpn)},
        "fields": list(TGW_FIELDS),
        "records": records,
        "files": files,
        "params": params,
        "queries": {
            q: {"columns": list(cols)} | {w: {"rows": rows(q, w)} for w in truth.windows}
            for q, cols in TGW_QUERY_COLUMNS.items()
        },
    }


def _attached(topology: Topology, vpc: str) -> bool:
    return any(e.kind == "transit_gateway" and e.vpc == vpc for e in topology.enis)
