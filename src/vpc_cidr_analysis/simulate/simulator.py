"""Simulated VPC flow logs, written exactly as AWS writes them to S3, and their ground truth.

`write_sample(config, out_dir)` writes gzip text (or Parquet) flow-log objects under
`[prefix/]AWSLogs/…` in the default or Hive layout, daily or hourly, plus `ground_truth.json`:
the topology, the options, record counts, and the expected answer of every scenario (external,
peering, cross_vpc, internal, inbound, outbound) for the last 10 days and for the whole range,
accumulated while streaming — no record list is kept, so 10 million records run in bounded
memory. The ground truth also carries the network's `inventory` (the JSON `vpc-cidr-analysis
inventory` writes: ENIs, security groups, rules), and, for checking security-group rule usage,
what was generated: conversations per day and pattern (`pattern_use`) and, per day, pattern,
rule and ENI, the conversations generated for each rule (`rule_use`); `iter_conversations`
replays who opened which connection, and for which rules. `connections` holds each conversation
query's expected rows at connection level (client, server, server_port, …, each connection once:
`ConnectionTally`, `connection_truth`, `CONNECTION_QUERIES`), from those same conversations.

Rule use is recorded, not matched: each traffic pattern names the rules it exercises, and the
topology says which of them each client/server pair uses (`TrafficPattern.uses`, checked with
the usage analysis's matcher when the topology is built, see `simulate.rules`). A conversation
is generated for one pair, so it used that pair's rules — the client's egress rules and, when
ACCEPTed, the server's ingress rules — or none (a REJECTed request at the server, a pool, an
ENI without groups); the generator counts the pair, and the ground truth writes its rule ids.

How records come about: time is cut into windows (5 minutes to 6 hours, by volume); each window
gets a share of `records` (more by day than by night, less at weekends) and is filled with
conversations drawn from the topology's traffic patterns. A conversation yields the request and
the response on every network interface that sees it (client, server, NAT gateway, transit
gateway attachments on both sides), with flow-direction, tcp-flags (SYN on the initiator's
records, SYN-ACK 18 on the responder's), pkt-srcaddr/pkt-dstaddr and traffic-path as AWS records
them, once per aggregation interval it spans (`TrafficPattern.intervals`: the later intervals'
records go to the windows they start in, never past the end of the day). v8 reject-reason is
`BPA` on the REJECTs of Block Public Access patterns, `-` elsewhere. Each window writes one object
per flow log. Time ends at `SampleConfig.cutoff`: the end of `end_date`, or the moment the
simulation runs when that is earlier, so no record lies in the future. The same seed and
options (and, on the current day, the same `now`) give byte-identical output.

A topology with a transit gateway flow log (`Topology.transit_gateway`, e.g. the hub network)
also gets that log's objects, beside the VPC logs' with the same keys but its own flow-log id
(`simulate.tgw`: the generator hands it each conversation through the gateway, and what each
interval sent), and a `tgw` section in the ground truth: the TGW queries' expected rows per
window (`tgw_rows`). Its records reuse the VPC records' sizes and draw no random numbers of
their own (but for a conversation no VPC logs), so the VPC records are those of the same
topology without a gateway log.

`iter_records(config, topology)` yields the very same records as dicts (field → text as written,
plus the partition values), so tests can evaluate any question in plain Python;
`expected(records, predicate)` aggregates conversations the way the scenario queries do.
"""

from __future__ import annotations

import gzip
import hashlib
import ipaddress
import json
import os
import random
import re
import shutil
from bisect import bisect_right
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime, timedelta
from operator import itemgetter
from pathlib import Path
from typing import Any, Literal

from vpc_cidr_analysis import __version__, schema
from vpc_cidr_analysis.errors import AnalysisError
from vpc_cidr_analysis.files import atomic_write
from vpc_cidr_analysis.layout import FILE_FORMATS, LAYOUTS, FileFormat, Layout, object_key
from vpc_cidr_analysis.simulate.inventory import inventory_from_topology
from vpc_cidr_analysis.simulate.tgw import STOPPED, TGW_FIELDS, Flow, TgwLog, TgwTruth
from vpc_cidr_analysis.simulate.tgw import truth_dict as tgw_truth_dict
from vpc_cidr_analysis.simulate.topology import (
    AddressPool,
    Eni,
    PairRules,
    Topology,
    TrafficPattern,
    az_id,
    default_topology,
)
from vpc_cidr_analysis.sqltext import sql_string
from vpc_cidr_analysis.usage.initiator import RULES

DEFAULT_RECORDS = 50_000
DEFAULT_DAYS = 14
DEFAULT_ACCOUNT = "123456789012"
DEFAULT_REGION = "us-east-1"
#: The seed walkthrough's window: "the last 10 days", end date included.
WINDOW_DAYS = 10
#: Above this many records, `ground_truth="auto"` keeps totals only (no conversation lists).
FULL_DETAIL_LIMIT = 200_000
GROUND_TRUTH_FILE = "ground_truth.json"
#: gzip's default level, as most tools write; it costs ~2.5 µs per record, in its own thread.
GZIP_LEVEL = 6
GroundTruthDetail = Literal["auto", "full", "summary"]
GROUND_TRUTH_DETAILS: tuple[str, ...] = ("auto", "full", "summary")

#: Order of values inside a generated record: per-record values first, then the values fixed
#: for the network interface (so a record is `dynamic tuple + interface tuple`).
DYNAMIC_FIELDS: tuple[str, ...] = (
    "srcaddr",
    "dstaddr",
    "srcport",
    "dstport",
    "protocol",
    "packets",
    "bytes",
    "start",
    "end",
    "action",
    "log-status",
    "tcp-flags",
    "type",
    "pkt-srcaddr",
    "pkt-dstaddr",
    "pkt-src-aws-service",
    "pkt-dst-aws-service",
    "flow-direction",
    "traffic-path",
    "reject-reason",
)
INTERFACE_FIELDS: tuple[str, ...] = tuple(f for f in schema.ALL_FIELDS if f not in DYNAMIC_FIELDS)
RECORD_FIELDS: tuple[str, ...] = DYNAMIC_FIELDS + INTERFACE_FIELDS
_POS: dict[str, int] = {name: i for i, name in enumerate(RECORD_FIELDS)}
Record = tuple[str, ...]
#: A record as `iter_records` yields it (field → text, partitions; `hour` may be None).
RecordMap = Mapping[str, str | None]

_M = schema.MISSING
_EPHEMERAL_LOW, _EPHEMERAL_SPAN = 32768, 60999 - 32768 + 1  # Linux client ports
#: Windows per day the simulator chooses from (6 h … 5 min); hourly layouts need >= 24.
_WINDOWS_PER_DAY = (4, 6, 8, 12, 24, 48, 96, 288)
_RECORDS_PER_FILE = 5_000
#: AWS's default (and largest) aggregation interval: a long connection has one record per
#: interface, direction and interval.
AGGREGATION_SECONDS = 600
#: Relative traffic per hour of day (UTC), and per weekday (Mon..Sun).
_HOURLY = (3, 2, 2, 2, 2, 3, 4, 6, 8, 9, 10, 10, 10, 10, 10, 10, 9, 8, 7, 6, 5, 5, 4, 3)
_WEEKDAY = (4, 4, 4, 4, 4, 3, 3)
_ACCOUNT_RE = re.compile(r"\d{12}")
_REGION_RE = re.compile(r"[a-z]{2}(-[a-z]+)+-\d")


def _midnight(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


class SampleError(AnalysisError, ValueError):
    """An option of the simulator is invalid; `option` names it (as on the command line)."""

    def __init__(self, option: str, message: str) -> None:
        super().__init__(message)
        self.option = option


def _today() -> date:
    return datetime.now(UTC).date()


def _now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


@dataclass(frozen=True)
class SampleConfig:
    """Every option of a simulated dataset; the same config (and seed) gives the same bytes."""

    records: int = DEFAULT_RECORDS
    days: int = DEFAULT_DAYS
    end_date: date = field(default_factory=_today)
    seed: int = 1
    layout: Layout = "default"
    hourly: bool = False
    file_format: FileFormat = "text"
    prefix: str = ""
    fields: tuple[str, ...] = schema.V5_FIELDS
    account: str = DEFAULT_ACCOUNT
    region: str = DEFAULT_REGION
    ground_truth: GroundTruthDetail = "auto"
    #: The moment the simulation runs: no record ends later (AWS cannot have written it yet).
    #: Kept only when it falls inside `end_date` (else None: every window of the days is whole),
    #: so a config of past days is the same, and writes the same bytes, whenever it runs.
    now: datetime | None = field(default_factory=_now)

    def __post_init__(self) -> None:
        if isinstance(self.records, bool) or not isinstance(self.records, int) or self.records < 1:
            raise SampleError(
                "records", f"records must be a whole number >= 1, got {self.records!r}"
            )
        if isinstance(self.days, bool) or not isinstance(self.days, int) or self.days < 1:
            raise SampleError("days", f"days must be a whole number >= 1, got {self.days!r}")
        if not isinstance(self.end_date, date) or isinstance(self.end_date, datetime):
            raise SampleError("end-date", f"end_date must be a date, got {self.end_date!r}")
        now = self.now
        if now is not None:
            if not isinstance(now, datetime) or now.utcoffset() is None:
                raise SampleError("now", f"now must be a datetime with a time zone, got {now!r}")
            now = now.astimezone(UTC)
            if self.end_date > now.date():
                raise SampleError(
                    "end-date",
                    f"end date {self.end_date} is after today ({now.date()}, UTC): flow logs "
                    "cannot hold records from the future; give today or an earlier day",
                )
            if now >= _midnight(self.end_date + timedelta(days=1)):
                now = None
            object.__setattr__(self, "now", now)
        if self.days > (self.end_date - date(1970, 1, 1)).days + 1:
            raise SampleError(
                "days", f"{self.days} days before {self.end_date} start before 1970-01-01"
            )
        if isinstance(self.seed, bool) or not isinstance(self.seed, int):
            raise SampleError("seed", f"seed must be a whole number, got {self.seed!r}")
        if self.layout not in LAYOUTS:
            raise SampleError(
                "layout", f"unknown layout {self.layout!r}: expected one of {', '.join(LAYOUTS)}"
            )
        if self.file_format not in FILE_FORMATS:
            raise SampleError(
                "file-format",
                f"unknown file format {self.file_format!r}: expected {', '.join(FILE_FORMATS)}",
            )
        if not isinstance(self.account, str) or not _ACCOUNT_RE.fullmatch(self.account):
            raise SampleError("account", f"account must be 12 digits, got {self.account!r}")
        if not isinstance(self.region, str) or not _REGION_RE.fullmatch(self.region):
            raise SampleError("region", f"region must look like 'us-east-1', got {self.region!r}")
        if self.ground_truth not in GROUND_TRUTH_DETAILS:
            raise SampleError(
                "ground-truth",
                f"ground_truth must be one of {', '.join(GROUND_TRUTH_DETAILS)}, "
                f"got {self.ground_truth!r}",
            )
        if any(part in (".", "..") for part in self.prefix.split("/")) or "\\" in self.prefix:
            raise SampleError(
                "prefix", f"prefix must be a plain S3 key prefix, got {self.prefix!r}"
            )
        fields = self.fields
        try:
            names = schema.parse_log_format(fields if isinstance(fields, str) else " ".join(fields))
        except schema.UnknownFieldError as exc:
            raise SampleError("fields", str(exc)) from exc
        object.__setattr__(self, "fields", names)

    @property
    def first_date(self) -> date:
        return self.end_date - timedelta(days=self.days - 1)

    @property
    def cutoff(self) -> datetime:
        """The end of the simulated time: the end of `end_date`, or `now` when earlier."""
        return self.now if self.now is not None else _midnight(self.end_date + timedelta(days=1))

    @property
    def detail(self) -> bool:
        """Whether the ground truth lists every conversation (or totals only)."""
        if self.ground_truth == "auto":
            return self.records <= FULL_DETAIL_LIMIT
        return self.ground_truth == "full"

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["end_date"] = self.end_date.isoformat()
        out["now"] = None if self.now is None else f"{self.now:%Y-%m-%dT%H:%M:%SZ}"
        out["fields"] = list(self.fields)
        return out


# ---------------------------------------------------------------------------------------------
# Ground truth: which records each question selects, and the conversations they add up to.

#: Columns of the ground truth's tables of what was generated (see `_GroundTruth.count`).
PATTERN_USE_COLUMNS: tuple[str, ...] = ("day", "pattern", "conversations")
RULE_USE_COLUMNS: tuple[str, ...] = ("day", "pattern", "rule_id", "eni_id", "connections")
#: Keys of the ground truth whose lists `ground_truth_json` writes one row a line.
_ROW_LISTS = ("conversations", "rows")
#: Columns of a conversation row, in the order `Aggregate.rows()` returns them.
CONVERSATION_COLUMNS: tuple[str, ...] = (
    "srcaddr",
    "dstaddr",
    "dstport",
    "protocol",
    "action",
    "flows",
    "packets",
    "bytes",
    "first_seen",
    "last_seen",
)


class CidrSet:
    """Membership of textual addresses in a set of CIDR blocks (IPv4 and IPv6), memoised.

    `'-'` and anything that is not an address belong to no set, as `TRY_CAST` yields NULL.
    """

    def __init__(self, cidrs: Iterable[str]) -> None:
        self.cidrs = tuple(cidrs)
        self._nets = [ipaddress.ip_network(c.strip(), strict=False) for c in self.cidrs]
        self._cache: dict[str, bool] = {}

    def __contains__(self, address: object) -> bool:
        if not isinstance(address, str):
            return False
        hit = self._cache.get(address)
        if hit is None:
            try:
                ip = ipaddress.ip_address(address)
            except ValueError:
                hit = False
            else:
                hit = any(ip.version == n.version and ip in n for n in self._nets)
            if len(self._cache) < 1_000_000:
                self._cache[address] = hit
        return hit


class AddressGroups:
    """Which named networks (`A`, `B`, `C`, …) an address falls in, memoised per address."""

    def __init__(self, networks: Mapping[str, Sequence[str]]) -> None:
        self.sets = {name: CidrSet(cidrs) for name, cidrs in networks.items()}
        self._cache: dict[str, frozenset[str]] = {}

    def __call__(self, address: str) -> frozenset[str]:
        groups = self._cache.get(address)
        if groups is None:
            groups = frozenset(name for name, s in self.sets.items() if address in s)
            if len(self._cache) < 1_000_000:
                self._cache[address] = groups
        return groups


@dataclass(frozen=True)
class Scenario:
    """A question about VPC-A's traffic, as a test on the networks of srcaddr and dstaddr."""

    name: str
    description: str
    test: Callable[[frozenset[str], frozenset[str]], bool]


#: The walkthrough's questions, with A = all of VPC-A's blocks, B = 10.1.0.0/16, C = 10.2.0.0/16
#: (network names are the topology's VPC keys). Add one here and the ground truth carries it.
SCENARIOS: tuple[Scenario, ...] = (
    Scenario(
        "external",
        "exactly one endpoint in A, the other outside A",
        lambda s, d: ("A" in s) != ("A" in d),
    ),
    Scenario(
        "peering",
        "one endpoint in A, the other in B (either direction)",
        lambda s, d: ("A" in s and "B" in d) or ("B" in s and "A" in d),
    ),
    Scenario(
        "cross_vpc",
        "one endpoint in A, the other in C (either direction)",
        lambda s, d: ("A" in s and "C" in d) or ("C" in s and "A" in d),
    ),
    Scenario("internal", "both endpoints in A", lambda s, d: "A" in s and "A" in d),
    Scenario("inbound", "srcaddr in B, dstaddr in A", lambda s, d: "B" in s and "A" in d),
    Scenario("outbound", "srcaddr in A, dstaddr in B", lambda s, d: "A" in s and "B" in d),
)
SCENARIOS_BY_NAME: dict[str, Scenario] = {s.name: s for s in SCENARIOS}


class Aggregate:
    """Totals and per-conversation sums of selected OK records, keyed like the queries' GROUP BY
    (srcaddr, dstaddr, dstport, protocol, action)."""

    _NO_START = 1 << 62

    def __init__(self, detail: bool = True) -> None:
        self.detail = detail
        #: records, packets, bytes, first start, last end
        self.totals: list[int] = [0, 0, 0, self._NO_START, -1]
        self.table: dict[tuple[str, str, str, str, str], list[int]] = {}

    @property
    def records(self) -> int:
        return self.totals[0]

    @property
    def packets(self) -> int:
        return self.totals[1]

    @property
    def bytes(self) -> int:
        return self.totals[2]

    @property
    def first_seen(self) -> int | None:
        return self.totals[3] if self.totals[0] else None

    @property
    def last_seen(self) -> int | None:
        return self.totals[4] if self.totals[0] else None

    def add(
        self,
        src: str,
        dst: str,
        dstport: str,
        protocol: str,
        action: str,
        packets: int,
        nbytes: int,
        start: int,
        end: int,
    ) -> None:
        """Add one record's values (ports and protocol as written, counters as numbers)."""
        t = self.totals
        t[0] += 1
        t[1] += packets
        t[2] += nbytes
        if start < t[3]:
            t[3] = start
        if end > t[4]:
            t[4] = end
        if not self.detail:
            return
        key = (src, dst, dstport, protocol, action)
        row = self.table.get(key)
        if row is None:
            self.table[key] = [1, packets, nbytes, start, end]
        else:
            row[0] += 1
            row[1] += packets
            row[2] += nbytes
            if start < row[3]:
                row[3] = start
            if end > row[4]:
                row[4] = end

    def add_record(self, record: RecordMap) -> None:
        """Add one record given as field → text (as written); non-OK records are skipped."""
        if record["log-status"] != "OK":
            return
        self.add(
            str(record["srcaddr"]),
            str(record["dstaddr"]),
            str(record["dstport"]),
            str(record["protocol"]),
            str(record["action"]),
            int(str(record["packets"])),
            int(str(record["bytes"])),
            int(str(record["start"])),
            int(str(record["end"])),
        )

    def merged(self, other: Aggregate) -> Aggregate:
        """A new aggregate holding both (e.g. the days inside and outside a window)."""
        out = Aggregate(self.detail and other.detail)
        for source in (self, other):
            t, o = out.totals, source.totals
            t[0] += o[0]
            t[1] += o[1]
            t[2] += o[2]
            t[3] = min(t[3], o[3])
            t[4] = max(t[4], o[4])
            if out.detail:
                for key, row in source.table.items():
                    mine = out.table.get(key)
                    if mine is None:
                        out.table[key] = list(row)
                    else:
                        mine[0] += row[0]
                        mine[1] += row[1]
                        mine[2] += row[2]
                        mine[3] = min(mine[3], row[3])
                        mine[4] = max(mine[4], row[4])
        return out

    def rows(self) -> list[list[Any]]:
        """Conversations as rows in `CONVERSATION_COLUMNS` order, sorted by key."""
        rows = [
            [s, d, int(p), int(proto), a, *values]
            for (s, d, p, proto, a), values in self.table.items()
        ]
        rows.sort(key=lambda r: (r[0], r[1], r[2], r[3], r[4]))
        return rows

    def conversations(self) -> list[dict[str, Any]]:
        """Conversations as dicts keyed by `CONVERSATION_COLUMNS`, sorted by key."""
        return [dict(zip(CONVERSATION_COLUMNS, row, strict=True)) for row in self.rows()]

    def to_dict(self) -> dict[str, Any]:
        return {
            "records": self.records,
            "packets": self.packets,
            "bytes": self.bytes,
            "first_seen": self.first_seen,
            "last_seen": self.last_seen,
            "conversation_count": len(self.table) if self.detail else None,
            "conversations": self.rows() if self.detail else None,
        }


RecordPredicate = Callable[[RecordMap], bool]


def scenario_predicate(
    scenario: str | Scenario,
    networks: Mapping[str, Sequence[str]],
    first_day: str | None = None,
    last_day: str | None = None,
) -> RecordPredicate:
    """A test on one record (field → text, with `day`) for a scenario and CIDR parameters.

    `networks` maps the scenario's network names to CIDR blocks, e.g.
    `{"A": ["10.0.0.0/16", "100.64.0.0/20"], "B": ["10.1.0.0/16"], "C": ["10.2.0.0/16"]}`;
    `first_day`/`last_day` ('yyyy/MM/dd', inclusive) restrict the record's `day` partition.
    """
    chosen = SCENARIOS_BY_NAME[scenario] if isinstance(scenario, str) else scenario
    groups = AddressGroups(networks)

    def predicate(record: RecordMap) -> bool:
        day = record.get("day") or ""
        if first_day is not None and day < first_day:
            return False
        if last_day is not None and day > last_day:
            return False
        src, dst = record["srcaddr"] or _M, record["dstaddr"] or _M
        return chosen.test(groups(src), groups(dst))

    return predicate


def expected(
    records: Iterable[RecordMap], predicate: RecordPredicate, detail: bool = True
) -> Aggregate:
    """Aggregate the OK records a predicate selects, as the scenario queries do.

    Records are field → text as written (`iter_records` output, or a parsed file row).
    """
    aggregate = Aggregate(detail)
    for record in records:
        if record["log-status"] == "OK" and predicate(record):
            aggregate.add_record(record)
    return aggregate


class _GroundTruth:
    """Everything ground_truth.json reports, accumulated window by window while streaming.

    Each scenario keeps one aggregate for the days inside the last-10-days window and one for
    the days before it; the whole range is their merge, so each record is added once.
    """

    def __init__(self, config: SampleConfig, topology: Topology) -> None:
        self.config = config
        self.groups = AddressGroups(topology.vpc_cidrs())
        end = config.end_date
        window_first = max(config.first_date, end - timedelta(days=WINDOW_DAYS - 1))
        self.recent = f"last_{WINDOW_DAYS}_days"
        self.windows = {
            self.recent: (f"{window_first:%Y/%m/%d}", f"{end:%Y/%m/%d}"),
            "all": (f"{config.first_date:%Y/%m/%d}", f"{end:%Y/%m/%d}"),
        }
        self.window_first = f"{window_first:%Y/%m/%d}"
        self.inside = [Aggregate(config.detail) for _ in SCENARIOS]
        self.before = [Aggregate(config.detail) for _ in SCENARIOS]
        self._matches: dict[tuple[str, str], tuple[int, ...]] = {}
        self.log_status: Counter[str] = Counter()
        self.action: Counter[str] = Counter()
        self.by_day: Counter[str] = Counter()
        self.files: list[dict[str, Any]] = []
        self.eni_ids = {e.name: e.id for e in topology.enis}
        self.pattern_use: Counter[tuple[str, str]] = Counter()
        self.rule_use: Counter[tuple[str, str, str, str]] = Counter()
        pkt, flags = format_has_pkt(config.fields), "tcp-flags" in config.fields
        #: connection groups per window (see `observe`), kept with full detail only
        self.connections = {w: ConnectionTally(pkt, flags) for w in self.windows}
        self.networks = topology.vpc_cidrs()

    def observe(self, conversation: Conversation) -> None:
        """Count one generated conversation into the connection groups of its windows."""
        for window, tally in self.connections.items():
            if window != self.recent or conversation.day >= self.window_first:
                tally.add(conversation)

    def _scenarios_of(self, src: str, dst: str) -> tuple[int, ...]:
        pair = (self.groups(src), self.groups(dst))
        found = tuple(i for i, s in enumerate(SCENARIOS) if s.test(*pair))
        if len(self._matches) < 1_000_000:
            self._matches[src, dst] = found
        return found

    def add(self, day: str, records: Sequence[Record]) -> None:
        """Count one window's records (all of one day) into the totals and scenarios."""
        self.by_day[day] += len(records)
        self.log_status.update(map(itemgetter(10), records))
        self.action.update(map(itemgetter(9), records))
        part = self.inside if day >= self.window_first else self.before
        totals = [a.totals for a in part]
        tables = [a.table for a in part]
        detail = self.config.detail
        matches, scenarios_of = self._matches, self._scenarios_of
        for r in records:
            if r[10] != "OK":
                continue
            src, dst = r[0], r[1]
            found = matches.get((src, dst))
            if found is None:
                found = scenarios_of(src, dst)
            if not found:
                continue
            packets, nbytes, start, end = int(r[5]), int(r[6]), int(r[7]), int(r[8])
            key = (src, dst, r[3], r[4], r[9]) if detail else None
            for i in found:  # Aggregate.add, inlined: this loop runs for every record
                t = totals[i]
                t[0] += 1
                t[1] += packets
                t[2] += nbytes
                if start < t[3]:
                    t[3] = start
                if end > t[4]:
                    t[4] = end
                if key is not None:
                    row = tables[i].get(key)
                    if row is None:
                        tables[i][key] = [1, packets, nbytes, start, end]
                    else:
                        row[0] += 1
                        row[1] += packets
                        row[2] += nbytes
                        if start < row[3]:
                            row[3] = start
                        if end > row[4]:
                            row[4] = end

    def count(self, day: str, conversations: Mapping[PairUse, int]) -> None:
        """Count one window's conversations per pattern, and per rule they were generated for."""
        for (pattern, pair), n in conversations.items():
            self.pattern_use[day, pattern] += n
            for side, eni in ((pair.egress, pair.client), (pair.ingress, pair.server)):
                for rid in side:
                    self.rule_use[day, pattern, rid, self.eni_ids[eni]] += n

    def aggregate(self, scenario: int, window: str) -> Aggregate:
        if window == self.recent:
            return self.inside[scenario]
        return self.before[scenario].merged(self.inside[scenario])

    def connections_dict(self) -> dict[str, Any]:
        truths = {w: tally.truth() for w, tally in self.connections.items()}
        detail = self.config.detail

        def rows(t: ConnectionTruth, name: str) -> list[list[Any]] | None:
            if not detail:
                return None
            return [[r[k] for k in CONNECTION_COLUMNS] for r in t.query(name, self.networks)]

        queries = {
            name: {w: {"rows": rows(t, name)} for w, t in truths.items()}
            for name in CONNECTION_QUERIES
        }
        return {
            "description": "each conversation query's rows as generated (who opened which "
            "connection, each connection once), with vpc_cidrs = VPC A's blocks and peer_cidrs = "
            "B's (peering, inbound, outbound) or C's (cross_vpc); `hops` are the NAT and transit "
            "gateway interfaces, endpoints only in formats without pkt-srcaddr/pkt-dstaddr",
            "columns": list(CONNECTION_COLUMNS),
            "hops": sorted(set().union(*(t.hops for t in truths.values()))) if detail else None,
            "queries": queries,
        }

    def to_dict(self, topology: Topology) -> dict[str, Any]:
        scenarios: dict[str, Any] = {}
        for s in SCENARIOS:
            scenarios[s.name] = {"description": s.description} | {
                w: self.aggregate(SCENARIOS.index(s), w).to_dict() for w in self.windows
            }
        return {
            "generator": {"name": "vpc-cidr-analysis sample", "version": __version__},
            "options": self.config.to_dict(),
            "topology": topology.to_dict(),
            "inventory": inventory_from_topology(
                topology,
                self.config.account,
                self.config.region,
                # collected as the simulated logs end, so the files stay reproducible
                collected_at=f"{self.config.end_date + timedelta(days=1):%Y-%m-%d}T00:00:00Z",
            ).to_dict(),
            "networks": topology.vpc_cidrs(),
            "records": sum(self.log_status.values()),
            "counts": {
                "log_status": dict(sorted(self.log_status.items())),
                "action": dict(sorted(self.action.items())),
                "day": dict(sorted(self.by_day.items())),
            },
            "windows": {
                w: {"first_day": first, "last_day": last}
                for w, (first, last) in self.windows.items()
            },
            "conversation_columns": list(CONVERSATION_COLUMNS),
            "detail": "full" if self.config.detail else "summary",
            "scenarios": scenarios,
            "connections": self.connections_dict(),
            "pattern_use": {
                "description": "conversations generated, per day and traffic pattern",
                "columns": list(PATTERN_USE_COLUMNS),
                "rows": [[*k, n] for k, n in sorted(self.pattern_use.items())],
            },
            "rule_use": {
                "description": "conversations generated for each security-group rule, per day, "
                "pattern and ENI holding the rule: the client's egress rules and, when ACCEPTed, "
                "the server's ingress rules that admit them (the topology's PairRules)",
                "columns": list(RULE_USE_COLUMNS),
                "rows": [[*k, n] for k, n in sorted(self.rule_use.items())],
            },
            "files": self.files,
        }


def ground_truth_json(data: Mapping[str, Any]) -> str:
    """Indented JSON with each row of a table (conversations, rule use) on one line (readable,
    and not 10x larger)."""
    rows: dict[str, str] = {}

    def compact(value: Any) -> Any:
        if isinstance(value, dict):
            out = {}
            for k, v in value.items():
                if k in _ROW_LISTS and isinstance(v, list):
                    marker = f"@@rows{len(rows)}@@"
                    rows[marker] = ",\n".join(
                        "@@indent@@" + json.dumps(row, separators=(",", ":")) for row in v
                    )
                    out[k] = marker
                else:
                    out[k] = compact(v)
            return out
        if isinstance(value, list):
            return [compact(v) for v in value]
        return value

    text = json.dumps(compact(data), indent=2)

    def expand(match: re.Match[str]) -> str:
        indent, key, marker = match[1], match[2], match[3]
        body = rows[marker]
        if not body:
            return f"{indent}{key}[]"
        return f"{indent}{key}[\n{body.replace('@@indent@@', indent + '  ')}\n{indent}]"

    return (
        re.sub(r'^( *)("(?:conversations|rows)": )"(@@rows\d+@@)"', expand, text, flags=re.M) + "\n"
    )


def read_ground_truth(path: str | Path) -> dict[str, Any]:
    """Load ground_truth.json (a directory holding it, or the file itself)."""
    p = Path(path)
    data: dict[str, Any] = json.loads((p / GROUND_TRUTH_FILE if p.is_dir() else p).read_text())
    return data


def rule_use(
    truth: Mapping[str, Any], first_day: str | None = None, last_day: str | None = None
) -> list[dict[str, Any]]:
    """The `rule_use` rows of a loaded ground truth (days 'yyyy/MM/dd', inclusive), as dicts."""
    return _table(truth, "rule_use", first_day, last_day)


def pattern_use(
    truth: Mapping[str, Any], first_day: str | None = None, last_day: str | None = None
) -> list[dict[str, Any]]:
    """The `pattern_use` rows of a loaded ground truth (days 'yyyy/MM/dd', inclusive), as dicts."""
    return _table(truth, "pattern_use", first_day, last_day)


def _table(
    truth: Mapping[str, Any], name: str, first_day: str | None, last_day: str | None
) -> list[dict[str, Any]]:
    columns, rows = truth[name]["columns"], truth[name]["rows"]
    return [
        dict(zip(columns, row, strict=True))
        for row in rows
        if (first_day is None or row[0] >= first_day) and (last_day is None or row[0] <= last_day)
    ]


def conversations(truth: Mapping[str, Any], scenario: str, window: str) -> list[dict[str, Any]]:
    """A scenario's conversation rows from a loaded ground truth, as dicts."""
    rows = truth["scenarios"][scenario][window]["conversations"]
    if rows is None:
        raise ValueError("this ground truth was written with totals only (--ground-truth summary)")
    columns = truth["conversation_columns"]
    return [dict(zip(columns, row, strict=True)) for row in rows]


# ---------------------------------------------------------------------------------------------
# Generation.


@dataclass(slots=True)
class _Endpoint:
    name: str
    addresses: list[str]
    service: str  # pkt-*-aws-service for this endpoint's addresses, or '-'
    eni: Eni | None = None
    interface: Record | None = None  # interface values, when its VPC logs
    log: int | None = None  # index of its flow log, when its VPC logs
    route: str = "internet"
    az: int = 0  # the ENI's Availability Zone number (0 for a pool)


@dataclass(slots=True)
class _Compiled:
    pattern: TrafficPattern
    clients: list[_Endpoint]
    servers: list[_Endpoint]
    via: _Endpoint | None
    via_kind: str | None
    count: int  # records of one conversation in one aggregation interval
    proto: str
    port: str
    type: str
    accept: bool
    tcp: bool
    icmp_packet: int  # bytes per ICMP packet, 0 when not ICMP
    client_path: str
    server_path: str
    weight: float
    #: [client index][server index]: the pair's index in `Generator.pair_uses`
    pairs: list[list[int]]
    intervals: int
    reject_reason: str
    #: the server answers: ACCEPTed and not dropped by the transit gateway (no route, blackhole)
    answered: bool = True


@dataclass
class Window:
    """One delivery window: its start, its records per flow log (in flow-log order), and how
    many conversations it holds per pattern and client/server pair (what they were generated
    for: the rules they used)."""

    start: datetime
    minutes: int
    records: list[list[Record]]
    conversations: Counter[PairUse] = field(default_factory=Counter)
    #: the transit gateway flow log's records (`tgw.TGW_FIELDS` order), when it has one
    tgw_records: list[Record] = field(default_factory=list)

    @property
    def day(self) -> str:
        return f"{self.start:%Y/%m/%d}"


def windows_per_day(records: int, days: int, flow_logs: int, hourly: bool) -> int:
    """How many delivery windows to cut each day into: about 5,000 records per object."""
    want = records // max(1, days * flow_logs * _RECORDS_PER_FILE)
    choices = [w for w in _WINDOWS_PER_DAY if w >= 24 or not hourly]
    best = choices[0]
    for w in choices:
        if w <= want:
            best = w
    return best


#: A conversation's pattern (by name) and the client/server pair it was generated for.
PairUse = tuple[str, PairRules]

#: One interface's record of one direction of a conversation, but for the values that change
#: from one aggregation interval to the next: (flow log, fields before `packets`, `action` and
#: `log-status`, fields after `tcp-flags` with the interface's values).
_Leg = tuple[int, Record, Record, Record]


#: Called once per conversation with (pattern, pair, client address, server address, start):
#: the simulator's own account of who opened which connection, and with which rules.
@dataclass(frozen=True)
class Logged:
    """What the logs hold of one conversation (for the ground truth at connection level).

    `records` counts the records an endpoint-aware reading merges into the connection: every
    record but a NAT gateway's own leg to the server (its translated traffic again);
    `hop_records` those of them that name a hop (NAT or transit gateway interface) in
    srcaddr/dstaddr, which only pkt-srcaddr/pkt-dstaddr attribute to the endpoints; `hops` the
    hops' addresses. Packets and bytes are each direction's over all its aggregation intervals,
    as every interface logged them (the same on each: the logs count each once per interface).
    """

    client_port: int
    end: int
    action: str  # REJECT when a REJECT record was written, else ACCEPT
    records: int
    hop_records: int
    hops: tuple[str, ...]  # the NAT/transit gateway interfaces' addresses it crossed
    client_packets: int
    client_bytes: int
    server_packets: int
    server_bytes: int
    intervals: int = 1  # aggregation intervals it spans (records per interface and direction)
    reject_reason: str | None = None  # v8 reject-reason of its REJECT record (BPA), if any


ConversationObserver = Callable[[TrafficPattern, PairRules, str, str, int, Logged], None]


class Generator:
    """Turns a config and a topology into windows of records (deterministic per seed)."""

    #: Set to watch conversations as they are generated (see `iter_conversations`).
    observer: ConversationObserver | None = None

    def __init__(self, config: SampleConfig, topology: Topology) -> None:
        self.config = config
        self.topology = topology
        self.rng = random.Random(config.seed)
        pool_rng = random.Random(f"pools/{config.seed}")
        version = str(schema.format_version(config.fields))
        self.flow_logs: list[str] = sorted(
            v.flow_log_id for v in topology.vpcs if v.flow_log_id is not None
        )
        log_index = {fl: i for i, fl in enumerate(self.flow_logs)}
        self.logged_enis: list[_Endpoint] = []
        self._eni_endpoints: dict[tuple[str, int], _Endpoint] = {}
        #: per VPC key, its transit gateway attachment ENIs (IPv4 endpoints), topology order
        self._attachments: dict[str, list[_Endpoint]] = {}
        for eni in topology.enis:
            vpc = topology.vpc(eni.vpc)
            interface = _interface_values(eni, topology, config, version)
            for family in (4, 6):
                address = eni.ipv4 if family == 4 else eni.ipv6
                endpoint = _Endpoint(
                    eni.name,
                    [address] if address else [],
                    _M,
                    eni,
                    interface if vpc.flow_log_id else None,
                    log_index[vpc.flow_log_id] if vpc.flow_log_id else None,
                    az=topology.subnet(eni.subnet).az,
                )
                self._eni_endpoints[eni.name, family] = endpoint
            if vpc.flow_log_id:
                self.logged_enis.append(self._eni_endpoints[eni.name, 4])
            if eni.kind == "transit_gateway":
                self._attachments.setdefault(eni.vpc, []).append(self._eni_endpoints[eni.name, 4])
        self._pool_endpoints: dict[tuple[str, int], _Endpoint] = {}
        for pool in topology.pools:
            for family in (4, 6):
                self._pool_endpoints[pool.name, family] = _Endpoint(
                    pool.name,
                    _pool_addresses(pool, family, pool_rng),
                    pool.aws_service or _M,
                    route=pool.route,
                )
        #: every (pattern, client/server pair) a conversation can be generated for
        self.pair_uses: list[PairUse] = []
        self.patterns = [self._compile(p) for p in topology.traffic if p.weight > 0]
        self._tables = self._choice_tables()
        #: a window's budget left below this moves on to the next window (so small samples are
        #: not skewed towards short conversations): the records of an average conversation
        weights = sum(c.weight for c in self.patterns)
        average = (
            sum(c.weight * c.count * c.intervals for c in self.patterns) / weights if weights else 1
        )
        self._carry_below = max(1, round(average))
        self._used = [0] * len(self.pair_uses)  # conversations per pair, in the current window
        #: records of long connections that start in a later delivery window: (start, log, record)
        self._later: list[tuple[int, int, Record]] = []
        self._window_end = 0  # end (Unix seconds) of the window being filled
        self._limit = 0  # no record of the window's conversations ends at or after this
        #: the transit gateway's own flow log, when the topology has one (see `simulate.tgw`)
        self.tgw: TgwLog | None = None
        gateway = topology.transit_gateway
        if gateway is not None and gateway.flow_log_id is not None:
            self.tgw = TgwLog(topology, config.account, config.region, None)

    # -- set-up ----------------------------------------------------------------------------
    def _endpoint(self, name: str, family: int) -> _Endpoint:
        return self._eni_endpoints.get((name, family)) or self._pool_endpoints[name, family]

    def _attachment(self, vpc: str, az: int, default: _Endpoint | None) -> _Endpoint | None:
        """The VPC's transit gateway attachment ENI in that AZ, else `default` (or its first)."""
        found = self._attachments.get(vpc, [])
        for endpoint in found:
            if endpoint.az == az:
                return endpoint
        return default if default is not None else (found[0] if found else None)

    def _compile(self, p: TrafficPattern) -> _Compiled:
        t = self.topology
        clients = [self._endpoint(n, p.family) for n in p.clients]
        servers = [self._endpoint(n, p.family) for n in p.servers]
        via = self._eni_endpoints[p.via, 4] if p.via else None
        via_kind = via.eni.kind if via and via.eni else None
        cl = int(clients[0].log is not None)
        sl = int(servers[0].log is not None)
        vl = int(via is not None and via.log is not None)
        accept = p.action == "ACCEPT"
        pairs = []
        for client in p.clients:
            pairs.append([len(self.pair_uses) + i for i in range(len(p.servers))])
            self.pair_uses += [(p.name, p.pair(client, server)) for server in p.servers]
        if via_kind == "nat_gateway":
            count = 2 * cl + 4 * vl
        elif via_kind == "transit_gateway":
            # one attachment ENI on each side of the gateway per direction (none on the side of
            # a pool behind it); a request the gateway drops never reaches the server's side
            cvl, svl = self._attached(clients[0]), self._attached(servers[0])
            legs = 1 + (accept and p.tgw_drop not in STOPPED)
            count = (cl + cvl) * legs + (0 if p.tgw_drop in STOPPED else (sl + svl) * legs)
        elif accept:
            count = 2 * cl + 2 * sl
        else:
            count = cl + sl
        return _Compiled(
            pattern=p,
            clients=clients,
            servers=servers,
            via=via,
            via_kind=via_kind,
            count=count,
            proto=str(p.protocol),
            port=str(p.port),
            type=f"IPv{p.family}",
            accept=accept,
            tcp=p.protocol == 6,
            icmp_packet=(84 if p.protocol == 1 else 104) if p.protocol in (1, 58) else 0,
            client_path=_path(t, clients[0], servers[0], via is not None),
            server_path=_path(t, servers[0], clients[0], via is not None),
            weight=p.weight,
            pairs=pairs,
            intervals=p.intervals,
            reject_reason=p.reject_reason or _M,
            answered=accept and p.tgw_drop not in STOPPED,
        )

    def _attached(self, end: _Endpoint) -> int:
        """1 when the end's VPC has a logged transit gateway attachment ENI."""
        if end.eni is None:
            return 0
        return int(any(e.log is not None for e in self._attachments.get(end.eni.vpc, [])))

    def _tgw_hops(
        self, c: _Compiled, client: _Endpoint, server: _Endpoint
    ) -> tuple[_Endpoint | None, _Endpoint | None, _Endpoint | None, _Endpoint | None]:
        """The attachment ENIs the request enters and leaves the gateway by, then the
        response's: in the AZ where each entered (client's, server's), `via` in its VPC when
        none is there; None on the side of a pool behind the gateway, or past a drop."""
        via = c.via
        assert via is not None and via.eni is not None

        def hop(end: _Endpoint, az: int) -> _Endpoint | None:
            if end.eni is None:
                return None
            vpc = end.eni.vpc
            default = via if via.eni is not None and via.eni.vpc == vpc else None
            return self._attachment(vpc, az, default)

        request_out = None if c.pattern.tgw_drop in STOPPED else hop(server, client.az)
        return hop(client, client.az), request_out, hop(server, server.az), hop(client, server.az)

    def _tgw_flows(
        self,
        c: _Compiled,
        client: _Endpoint,
        server: _Endpoint,
        hops: tuple[_Endpoint | None, ...],
        ends: tuple[str, str, str, str, str],
        t0: int,
    ) -> tuple[Flow | None, Flow | None]:
        """The gateway log's flows of one conversation (None, None without a gateway log)."""
        log = self.tgw
        if log is None:
            return None, None
        vpcs = [e.eni.vpc if e.eni is not None else None for e in (client, server, server, client)]
        req_in, req_out, resp_in, resp_out = (
            log.side(vpc, hop.eni if hop is not None else None)
            for vpc, hop in zip(vpcs, hops, strict=True)
        )
        sides = (req_in, req_out, resp_in, resp_out)
        return log.conversation(c.pattern, ends, c.type, sides, c.answered, t0)

    def _choice_tables(self) -> list[tuple[list[_Compiled | str], list[float]]]:
        """Per records still to write (the index): what may be drawn, and cumulative weights."""
        t = self.topology
        top = max([c.count for c in self.patterns] + [1])
        tables: list[tuple[list[_Compiled | str], list[float]]] = []
        for room in range(top + 1):
            items: list[_Compiled | str] = []
            weights: list[float] = []
            for c in self.patterns:
                if c.count <= room:
                    items.append(c)
                    weights.append(c.weight)
            for status, weight in (("NODATA", t.nodata_weight), ("SKIPDATA", t.skipdata_weight)):
                if weight > 0 and room >= 1:
                    items.append(status)
                    weights.append(weight)
            if not items and room >= 1:  # fill the last record of a window
                items, weights = ["NODATA"], [1.0]
            cumulative: list[float] = []
            total = 0.0
            for w in weights:
                total += w
                cumulative.append(total)
            tables.append((items, cumulative))
        return tables

    # -- windows ---------------------------------------------------------------------------
    def window_plan(self) -> list[tuple[datetime, int, int]]:
        """(start, minutes, records) of every window, oldest first.

        Windows end by `config.cutoff`: on the day the simulation runs, the last window is cut
        at the current minute and later ones are left out (their share goes to the others).
        """
        c = self.config
        per_day = windows_per_day(c.records, c.days, len(self.flow_logs), c.hourly)
        minutes = 1440 // per_day
        cutoff = c.cutoff
        starts: list[tuple[datetime, int, int]] = []
        for d in range(c.days):
            midnight = _midnight(c.first_date + timedelta(days=d))
            for w in range(per_day):
                start = midnight + timedelta(minutes=w * minutes)
                length = min(minutes, int((cutoff - start).total_seconds()) // 60)
                if length < 2:  # room for a one-minute flow, as every window has
                    break
                weight = _WEEKDAY[start.weekday()] * sum(
                    _HOURLY[(w * minutes + k) // 60] for k in range(0, length, 5)
                )
                starts.append((start, length, weight))
        if not starts:
            raise SampleError(
                "end-date", f"no whole minute of {c.end_date} has passed yet: choose an earlier day"
            )
        total = sum(w for _, _, w in starts)
        plan: list[tuple[datetime, int, int]] = []
        cumulative = 0
        for start, length, weight in starts:
            before = c.records * cumulative // total
            cumulative += weight
            plan.append((start, length, c.records * cumulative // total - before))
        return plan

    def windows(self) -> Iterator[Window]:
        """Every window in time order with its records; memory holds one window at a time.

        A window's last few records of budget, too few for some conversations, move on to the
        next window (so small samples are not skewed towards short conversations); the last
        window fills them with what fits, NODATA if nothing else does. A connection lasting
        several aggregation intervals writes its later records into the windows they start in
        (never past the end of its day, nor past `config.cutoff`).
        """
        plan = self.window_plan()
        cutoff = int(self.config.cutoff.timestamp())
        carry = 0
        self._later = []
        for i, (start, minutes, budget) in enumerate(plan):
            first = int(start.timestamp())
            self._window_end = first + minutes * 60
            self._limit = min(cutoff, int(_midnight(start.date() + timedelta(days=1)).timestamp()))
            window, carry = self._fill(start, minutes, budget + carry, i == len(plan) - 1)
            yield window

    def _fill(self, start: datetime, minutes: int, budget: int, last: bool) -> tuple[Window, int]:
        rnd = self.rng.random
        logs: list[list[Record]] = [[] for _ in self.flow_logs]
        if self.tgw is not None:
            self.tgw.begin(self._window_end)
        if self._later:  # records of connections opened in an earlier window
            due = [item for item in self._later if item[0] < self._window_end]
            self._later = [item for item in self._later if item[0] >= self._window_end]
            for _start, log, record in due:
                logs[log].append(record)
        used = self._used = [0] * len(self.pair_uses)
        first = int(start.timestamp())
        span = minutes * 60 - 60  # start offsets leave room for a 59 s flow in the window
        tables, top = self._tables, len(self._tables) - 1
        carry_below = self._carry_below
        remaining = budget
        while remaining > 0:
            if remaining < carry_below and not last:
                break
            items, cumulative = tables[remaining if remaining < top else top]
            item = items[bisect_right(cumulative, rnd() * cumulative[-1])]
            t0 = first + int(rnd() * span)
            if isinstance(item, str):
                self._status_record(logs, item, t0)
                remaining -= 1
            else:
                remaining -= self._conversation(logs, item, t0, t0 + int(rnd() * 60), remaining)
        conversations = Counter({self.pair_uses[i]: n for i, n in enumerate(used) if n})
        window = Window(start, minutes, logs, conversations)
        if self.tgw is not None:
            window.tgw_records = self.tgw.take(last)
        return window, remaining

    def _status_record(self, logs: list[list[Record]], status: str, t0: int) -> None:
        enis = self.logged_enis
        eni = enis[int(self.rng.random() * len(enis))]
        assert eni.interface is not None and eni.log is not None
        values = (_M,) * 7 + (str(t0), str(t0 + 59), _M, status) + (_M,) * 9
        logs[eni.log].append(values + eni.interface)

    def _sizes(self, c: _Compiled, low: int, high: int) -> tuple[str, str]:
        """(packets, bytes) of one direction of a conversation, as text."""
        rnd = self.rng.random
        nbytes = low + int(rnd() * (high - low + 1))
        if c.icmp_packet:
            packets = max(1, nbytes // c.icmp_packet)
            return str(packets), str(packets * c.icmp_packet)
        if not c.tcp:
            return str(1 + nbytes // 1200), str(nbytes)
        if nbytes < 240:  # handshake-only flows: SYN/SYN-ACK sized packets
            size = 60 if c.type == "IPv4" else 80
            packets = max(1, nbytes // size)
            return str(packets), str(packets * size)
        return str(1 + nbytes // (500 + int(rnd() * 900))), str(nbytes)

    def _conversation(
        self, logs: list[list[Record]], c: _Compiled, t0: int, t1: int, room: int
    ) -> int:
        """One conversation's records on every logging ENI that sees it (see `TrafficPattern`),
        one per interface, direction and aggregation interval; returns how many were written.

        `room`: the window's records still to write; a long connection lasts fewer intervals
        rather than overrun it (`c.count`, the records of one interval, always fits)."""
        rnd = self.rng.random
        ci, si = int(rnd() * len(c.clients)), int(rnd() * len(c.servers))
        client, server = c.clients[ci], c.servers[si]
        caddr = client.addresses[int(rnd() * len(client.addresses))]
        saddr = server.addresses[int(rnd() * len(server.addresses))]
        cport = str(_EPHEMERAL_LOW + int(rnd() * _EPHEMERAL_SPAN)) if c.icmp_packet == 0 else "0"
        pair = c.pairs[ci][si]  # generated for this pair: it uses the pair's rules
        self._used[pair] += 1
        port, proto, typ = c.port, c.proto, c.type
        cs, ss = client.service, server.service
        accept, answered = c.accept, c.answered
        t_request: Flow | None = None
        t_response: Flow | None = None
        # Each interface's record of the request and of the response, as legs: srcaddr/dstaddr
        # (and the NAT's port) change from one interface to the next, pkt-* name the endpoints.
        req_head, resp_head = (caddr, saddr, cport, port, proto), (saddr, caddr, port, cport, proto)
        req_pkt, resp_pkt = (typ, caddr, saddr, cs, ss), (typ, saddr, caddr, ss, cs)
        ok, rejected = ("ACCEPT", "OK"), ("REJECT", "OK")
        request: list[_Leg] = []
        response: list[_Leg] = []
        counted = hop_legs = 0  # legs an endpoint-aware reading merges, those naming a hop
        hops: list[str] = []
        cif, sif = client.interface, server.interface
        if cif is not None and client.log is not None:
            request.append(
                (client.log, req_head, ok, (*req_pkt, "egress", c.client_path, _M, *cif))
            )
            response.append((client.log, resp_head, ok, (*resp_pkt, "ingress", _M, _M, *cif)))
            counted += 1 + answered
        via = c.via
        if c.via_kind == "nat_gateway" and via is not None and via.interface is not None:
            # instance -> NAT (pkt-dstaddr the server), NAT -> server, back the same way
            vaddr, vif, vlog = via.addresses[0], via.interface, via.log or 0
            nport = str(1024 + int(rnd() * 64512))
            hops.append(vaddr)
            request.append(
                (vlog, (caddr, vaddr, cport, port, proto), ok, (*req_pkt, "ingress", _M, _M, *vif))
            )
            request.append(
                (vlog, (vaddr, saddr, nport, port, proto), ok,
                 (typ, vaddr, saddr, _M, ss, "egress", "2", _M, *vif))
            )  # fmt: skip
            response.append(
                (vlog, (saddr, vaddr, port, nport, proto), ok,
                 (typ, saddr, vaddr, ss, _M, "ingress", _M, _M, *vif))
            )  # fmt: skip
            response.append(
                (vlog, (vaddr, caddr, port, cport, proto), ok, (*resp_pkt, "egress", "1", _M, *vif))
            )
            counted, hop_legs = counted + 1 + accept, hop_legs + 1 + accept
        elif c.via_kind == "transit_gateway" and via is not None:
            # into the gateway on the client's side, out on the server's, in the AZ traffic
            # entered it: the client's for the request, the server's for the response
            tgw_hops = self._tgw_hops(c, client, server)
            t_request, t_response = self._tgw_flows(
                c, client, server, tgw_hops, (caddr, saddr, cport, port, proto), t0
            )
            for leg, hop, on_client_side in (
                (request, tgw_hops[0], True),
                (request, tgw_hops[1], False),
                (response, tgw_hops[2], False),
                (response, tgw_hops[3], True),
            ):
                if hop is None or hop.interface is None or hop.log is None:
                    continue
                if leg is response and not answered:
                    continue
                haddr, hif = hop.addresses[0], hop.interface
                if haddr not in hops:
                    hops.append(haddr)
                # the gateway receives from the sender's side and sends on to the receiver's
                incoming = on_client_side == (leg is request)
                if leg is request:
                    ends = (caddr, haddr) if incoming else (haddr, saddr)
                    pkt: tuple[str, ...] = req_pkt
                    ports = (cport, port, proto)
                else:
                    ends = (saddr, haddr) if incoming else (haddr, caddr)
                    pkt = resp_pkt
                    ports = (port, cport, proto)
                direction = ("ingress", _M) if incoming else ("egress", "1")
                leg.append((hop.log, (*ends, *ports), ok, (*pkt, *direction, _M, *hif)))
                counted, hop_legs = counted + 1, hop_legs + 1
        if sif is not None and server.log is not None and c.pattern.tgw_drop not in STOPPED:
            request.append(
                (server.log, req_head, ok if accept else rejected,
                 (*req_pkt, "ingress", _M, _M if accept else c.reject_reason, *sif))
            )  # fmt: skip
            response.append(
                (server.log, resp_head, ok, (*resp_pkt, "egress", c.server_path, _M, *sif))
            )
            counted += 1 + accept
        if not answered:
            response = []
        intervals = c.intervals
        if intervals > 1:  # every record ends before its day does, and before now
            last_start = (self._limit - 60 - t0) // AGGREGATION_SECONDS
            intervals = max(1, min(intervals, 1 + last_start, room // max(1, c.count)))
        written = 0
        sent = [0, 0, 0, 0]  # request packets, bytes; response packets, bytes
        start, end = t0, t1
        for i in range(intervals):
            if intervals > 1:
                start = t0 + i * AGGREGATION_SECONDS
                end = start + AGGREGATION_SECONDS - 1 if i < intervals - 1 else start + (t1 - t0)
            if not c.tcp:
                fq = fr = "0"
            elif intervals > 1:  # SYN / SYN-ACK open it, FIN (or the client's RST) closes it
                if i == 0:
                    fq, fr = "2", "18"
                elif i < intervals - 1:
                    fq = fr = "0"
                else:
                    fq, fr = ("4", "0") if rnd() < 0.1 else ("1", "1")
            elif not accept or rnd() >= 0.7:
                fq, fr = "2", "18"  # SYN / SYN-ACK: the connection outlives the window
            else:
                fq, fr = "3", "19"  # opened and closed within the window: SYN+FIN / SYN-ACK+FIN
            span = (str(start), str(end))
            place = logs if start < self._window_end else None
            for legs, flow, flags, sizes, at in (
                (request, t_request, fq, c.pattern.request_bytes, 0),
                (response, t_response, fr, c.pattern.response_bytes, 2),
            ):
                if not legs and flow is None:
                    continue
                packets, nbytes = self._sizes(c, *sizes)
                if flow is not None and self.tgw is not None:
                    self.tgw.emit(flow, int(packets), int(nbytes), start, end, flags)
                sent[at] += int(packets)
                sent[at + 1] += int(nbytes)
                counters = (packets, nbytes, *span)
                for log, head, status, tail in legs:
                    record = (*head, *counters, *status, flags, *tail)
                    if place is not None:
                        place[log].append(record)
                    else:
                        self._later.append((start, log, record))
                written += len(legs)
        if self.observer is not None:
            logged = Logged(
                client_port=int(cport),
                end=end,
                action="REJECT" if not accept and sif is not None and server.log is not None
                else "ACCEPT",
                records=counted * intervals,
                hop_records=hop_legs * intervals,
                hops=tuple(hops),
                client_packets=sent[0] if request else 0,
                client_bytes=sent[1] if request else 0,
                server_packets=sent[2],
                server_bytes=sent[3],
                intervals=intervals,
                reject_reason=c.pattern.reject_reason
                if not accept and sif is not None and server.log is not None
                else None,
            )  # fmt: skip
            self.observer(c.pattern, self.pair_uses[pair][1], caddr, saddr, t0, logged)
        return written


def _path(t: Topology, sender: _Endpoint, peer: _Endpoint, via: bool) -> str:
    """traffic-path of the sender's egress records toward the peer ('-' unless an ENI sends)."""
    eni = sender.eni
    if eni is None:
        return _M
    if via:
        return "1"  # NAT and transit gateways have a network interface in the VPC
    if peer.eni is not None:
        return "1" if peer.eni.vpc == eni.vpc else "4"
    if peer.route == "local":
        return "1"
    nitro = eni.kind == "instance"
    if peer.route == "gateway_endpoint":
        return "7" if nitro else "2"
    return "8" if nitro else "2"


def _interface_values(eni: Eni, t: Topology, c: SampleConfig, version: str) -> Record:
    """Values of INTERFACE_FIELDS for records of this ENI."""
    values = {
        "version": version,
        "account-id": c.account,
        "interface-id": eni.id,
        "vpc-id": t.vpc(eni.vpc).id,
        "subnet-id": t.subnet(eni.subnet).id,
        "instance-id": eni.instance_id or _M,
        "region": c.region,
        "az-id": az_id(c.region, t.subnet(eni.subnet).az),
        "sublocation-type": _M,
        "sublocation-id": _M,
    }
    ecs = eni.ecs
    if ecs is not None:
        arn = f"arn:aws:ecs:{c.region}:{c.account}"
        values |= {
            "ecs-cluster-arn": f"{arn}:cluster/{ecs.cluster}",
            "ecs-cluster-name": ecs.cluster,
            "ecs-container-instance-arn": (
                f"{arn}:container-instance/{ecs.cluster}/{ecs.container_instance_id}"
                if ecs.container_instance_id
                else _M
            ),
            "ecs-container-instance-id": ecs.container_instance_id or _M,
            "ecs-container-id": ecs.container_id,
            "ecs-second-container-id": ecs.second_container_id or _M,
            "ecs-service-name": ecs.service or _M,
            "ecs-task-definition-arn": f"{arn}:task-definition/{ecs.task_definition}",
            "ecs-task-arn": f"{arn}:task/{ecs.cluster}/{ecs.task_id}",
            "ecs-task-id": ecs.task_id,
        }
    return tuple(values.get(name, _M) for name in INTERFACE_FIELDS)


def _pool_addresses(pool: AddressPool, family: int, rng: random.Random) -> list[str]:
    """`size` addresses of the pool's blocks of one IP family (hosts, not network/broadcast)."""
    nets = [n for n in (ipaddress.ip_network(c) for c in pool.cidrs) if n.version == family]
    out: list[str] = []
    for i in range(pool.size if nets else 0):
        net = nets[i % len(nets)]
        hosts = net.num_addresses
        offset = 0 if hosts <= 2 else 1 + int(rng.random() * (hosts - 2))
        out.append(str(net.network_address + offset))
    return out


# ---------------------------------------------------------------------------------------------
# Public API: records as dicts, and files on disk.


def _selector(fields: Sequence[str]) -> Callable[[Record], tuple[str, ...]]:
    positions = [_POS[f] for f in fields]
    if len(positions) == 1:
        only = positions[0]
        return lambda r: (r[only],)
    getter: Callable[[Record], tuple[str, ...]] = itemgetter(*positions)
    return getter


def iter_records(
    config: SampleConfig, topology: Topology | None = None
) -> Iterator[dict[str, str | None]]:
    """Every record `write_sample` writes for this config, in file order.

    Each is field → text exactly as written (`-` for missing) for the config's fields, plus the
    partitions `aws_account_id`, `aws_region`, `day` ('yyyy/MM/dd') and `hour` ('HH' or None).
    """
    generator = Generator(config, topology or default_topology())
    select = _selector(config.fields)
    fields = config.fields
    for window in generator.windows():
        partitions: dict[str, str | None] = {
            "aws_account_id": config.account,
            "aws_region": config.region,
            "day": window.day,
            "hour": f"{window.start:%H}" if config.hourly else None,
        }
        for records in window.records:
            for r in records:
                row: dict[str, str | None] = dict(zip(fields, select(r), strict=True))
                row.update(partitions)
                yield row


@dataclass(frozen=True)
class Conversation:
    """One simulated conversation, as the generator chose it (not as logs show it).

    `client`/`server` name ENIs or address pools of the topology; `day` is 'yyyy/MM/dd' (UTC).
    `rules` are the ids of the security-group rules it was generated for (`PairRules.rules`:
    the client's egress rules, then the server's ingress rules when ACCEPTed).
    """

    day: str
    pattern: str
    client: str
    server: str
    client_address: str
    server_address: str
    protocol: int
    port: int
    action: str
    start: int
    rules: tuple[str, ...]
    logged: Logged | None = None  # what the logs hold of it


def iter_conversations(
    config: SampleConfig, topology: Topology | None = None
) -> Iterator[Conversation]:
    """Every conversation behind the records `iter_records` yields for this config, in order.

    This is the simulator's ground truth for who initiated what, and for which rules: usage
    analysis, which sees only the records, is checked against it.
    """
    generator = Generator(config, topology or default_topology())
    seen: list[Conversation] = []
    generator.observer = lambda *event: seen.append(_conversation_of(*event))
    for _window in generator.windows():
        yield from seen
        seen.clear()


def _conversation_of(
    p: TrafficPattern, pair: PairRules, caddr: str, saddr: str, t0: int, logged: Logged
) -> Conversation:
    day = datetime.fromtimestamp(t0, UTC).strftime("%Y/%m/%d")
    return Conversation(
        day, p.name, pair.client, pair.server, caddr, saddr, p.protocol, p.port, p.action, t0,
        pair.rules, logged,
    )  # fmt: skip


#: The key of a conversation query's row (`queries/external.sql` and the others).
CONNECTION_KEY = ("client", "server", "server_port", "protocol", "action")
#: Columns of a connection row of the ground truth, as the conversation queries name them
#: (`reject_reason` is the `rejected` query's own; the others leave it out).
CONNECTION_COLUMNS: tuple[str, ...] = (
    *CONNECTION_KEY,
    "connections",
    "records",
    "client_packets",
    "client_bytes",
    "server_packets",
    "server_bytes",
    "first_seen",
    "last_seen",
    "decided_by",
    "reject_reason",
)
_COUNTERS = ("client_packets", "client_bytes", "server_packets", "server_bytes")
#: The ports `remote_admin` looks at by default (SSH, RDP).
ADMIN_PORTS = (22, 3389)
#: How many rows `top_talkers` returns by default.
TOP_TALKERS = 20

ConnectionRow = dict[str, Any]


def _in_a(groups: Callable[[str], frozenset[str]], row: ConnectionRow) -> tuple[bool, bool]:
    return "A" in groups(row["client"]), "A" in groups(row["server"])


def _between(
    one: str, other: str
) -> Callable[[Callable[[str], frozenset[str]], ConnectionRow], bool]:
    def test(groups: Callable[[str], frozenset[str]], row: ConnectionRow) -> bool:
        return one in groups(row["client"]) and other in groups(row["server"])

    return test


#: The pack's conversation queries as tests on a connection row, with A = VPC-A's blocks
#: (`vpc_cidrs`) and B, C the peers (`peer_cidrs`), as the demo and the golden tests run them.
#: `top_talkers` is then cut to its first TOP_TALKERS rows by bytes.
CONNECTION_QUERIES: dict[str, Callable[[Callable[[str], frozenset[str]], ConnectionRow], bool]] = {
    "external": lambda g, r: _in_a(g, r)[0] != _in_a(g, r)[1],
    "internal": lambda g, r: all(_in_a(g, r)),
    "peering": lambda g, r: _between("A", "B")(g, r) or _between("B", "A")(g, r),
    "cross_vpc": lambda g, r: _between("A", "C")(g, r) or _between("C", "A")(g, r),
    "inbound": _between("B", "A"),
    "outbound": _between("A", "B"),
    "top_talkers": lambda g, r: any(_in_a(g, r)),
    "rejected": lambda g, r: r["action"] == "REJECT" and any(_in_a(g, r)),
    "remote_admin": lambda g, r: (
        r["protocol"] == 6 and r["server_port"] in ADMIN_PORTS and _in_a(g, r) == (False, True)
    ),
}


def talker_order(row: ConnectionRow) -> tuple[Any, ...]:
    """The queries' ORDER BY: bytes both ways, largest first, then the key."""
    return (-(row["client_bytes"] + row["server_bytes"]), *(row[k] for k in CONNECTION_KEY))


@dataclass
class ConnectionTruth:
    """The connection groups the simulator generated (who opened what), and the hops.

    `rows` are what the conversation queries return, each connection once (its packets and
    bytes per direction as one interface logged them: every interface logs the same, so the
    most any logged is that), with `reject_reason`. `hops` are the NAT / transit gateway
    interface addresses the traffic crossed: never endpoints with pkt-srcaddr/pkt-dstaddr;
    without them they appear as endpoints of rows of their own, which `rows` does not hold.
    """

    rows: list[ConnectionRow]
    hops: set[str]
    via_keys: set[tuple[Any, ...]]  # the groups (CONNECTION_KEY) with a connection through a hop

    def query(self, name: str, networks: Mapping[str, Sequence[str]]) -> list[ConnectionRow]:
        """The rows `CONNECTION_QUERIES[name]` selects, in the query's order (top_talkers: cut)."""
        groups = AddressGroups(networks)
        test = CONNECTION_QUERIES[name]
        rows = sorted((r for r in self.rows if test(groups, r)), key=talker_order)
        return rows[:TOP_TALKERS] if name == "top_talkers" else rows


class ConnectionTally:
    """Connection groups accumulated from generated conversations (`Conversation.logged`).

    `pkt`: whether the format has pkt-srcaddr/pkt-dstaddr (else the records naming a hop are
    not the connection's); `flags`: whether it has tcp-flags (else the port rule tells the
    client of a TCP connection). A connection is a client address and port, server address,
    port and protocol, over the whole window, as the queries merge them.
    """

    def __init__(self, pkt: bool, flags: bool) -> None:
        self.pkt, self.flags = pkt, flags
        self.conns: dict[tuple[Any, ...], dict[str, Any]] = {}
        self.hops: set[str] = set()

    def add(self, c: Conversation) -> None:
        logged = c.logged
        assert logged is not None
        if logged.records == 0:
            return
        self.hops.update(logged.hops)
        key = (c.client_address, logged.client_port, c.server_address, c.port, c.protocol)
        row = self.conns.get(key)
        if row is None:
            row = self.conns[key] = {
                "records": 0, "client_packets": 0, "client_bytes": 0, "server_packets": 0,
                "server_bytes": 0, "first_seen": c.start, "last_seen": logged.end,
                "action": "ACCEPT", "reject_reason": None, "via": False,
            }  # fmt: skip
        row["via"] |= bool(logged.hops)
        row["records"] += logged.records - (0 if self.pkt else logged.hop_records)
        for name in _COUNTERS:
            row[name] += getattr(logged, name)
        row["first_seen"] = min(row["first_seen"], c.start)
        row["last_seen"] = max(row["last_seen"], logged.end)
        row["action"] = max(row["action"], logged.action)
        if logged.reject_reason is not None:
            row["reject_reason"] = max(row["reject_reason"] or "", logged.reject_reason)

    def truth(self, per_day: bool = False) -> ConnectionTruth:
        """The connection groups: connections merged per client, server, port, protocol, action;
        with `per_day` also per UTC day each connection started (a `day` field, yyyy/MM/dd)."""
        groups: dict[tuple[Any, ...], ConnectionRow] = {}
        via: set[tuple[Any, ...]] = set()
        for (client, _port, server, port, protocol), row in self.conns.items():
            if protocol == 6:
                rule = "tcp-flags" if self.flags else "port"
            else:
                rule = "port" if protocol == 17 else "time"
            sides = [(client, "client"), (server, "server")]
            if protocol in (1, 58) and row["server_packets"]:  # echo and reply in one second
                rule = "unknown"  # undecided: reported in address order
                sides.sort()
            (first_end, first_name), (second_end, second_name) = sides
            key = (first_end, second_end, port, protocol, row["action"])
            day: tuple[str, ...] = ()
            if per_day:
                day = (datetime.fromtimestamp(row["first_seen"], UTC).strftime("%Y/%m/%d"),)
            group = groups.get(key + day)
            if group is None:
                group = groups[key + day] = dict(zip(CONNECTION_KEY, key, strict=True)) | {
                    "connections": 0, "records": 0, "client_packets": 0, "client_bytes": 0,
                    "server_packets": 0, "server_bytes": 0, "first_seen": row["first_seen"],
                    "last_seen": row["last_seen"], "decided_by": rule, "reject_reason": None,
                }  # fmt: skip
            if per_day:
                group["day"] = day[0]
            group["connections"] += 1
            if row["via"]:
                via.add(key)
            group["records"] += row["records"]
            for what in ("packets", "bytes"):
                group[f"client_{what}"] += row[f"{first_name}_{what}"]
                group[f"server_{what}"] += row[f"{second_name}_{what}"]
            group["first_seen"] = min(group["first_seen"], row["first_seen"])
            group["last_seen"] = max(group["last_seen"], row["last_seen"])
            group["decided_by"] = max(group["decided_by"], rule, key=RULES.index)
            if row["reject_reason"] is not None:
                group["reject_reason"] = max(group["reject_reason"] or "", row["reject_reason"])
        rows = sorted(
            groups.values(), key=lambda r: (*(r[k] for k in CONNECTION_KEY), r.get("day", ""))
        )
        return ConnectionTruth(rows, set(self.hops), via)


def format_has_pkt(fields: Sequence[str]) -> bool:
    """Whether records of these fields name the endpoints behind a hop (pkt-srcaddr/dstaddr)."""
    return "pkt-srcaddr" in fields and "pkt-dstaddr" in fields


def connection_truth(
    config: SampleConfig,
    first: str,
    last: str,
    pkt: bool | None = None,
    topology: Topology | None = None,
    per_day: bool = False,
) -> ConnectionTruth:
    """The conversation queries' answer as generated: connection groups from
    `iter_conversations` (days 'yyyy/MM/dd', inclusive), with the generator's client and server,
    each connection (client port) once, its sizes as logged. ICMP echo and reply start in the
    same second: who started is unknown from the logs, so such groups are in address order.
    `pkt` (default: from the config's fields) says whether pkt-srcaddr/pkt-dstaddr are logged;
    without them the hops' own rows are not in `rows` (`hops` names the hops). `per_day` splits
    the groups by the UTC day each connection started (field `day`)."""
    tally = ConnectionTally(
        format_has_pkt(config.fields) if pkt is None else pkt, "tcp-flags" in config.fields
    )
    for c in iter_conversations(config, topology):
        if first <= c.day <= last:
            tally.add(c)
    return tally.truth(per_day)


def connection_rows(
    truth: Mapping[str, Any], query: str, window: str
) -> tuple[list[ConnectionRow], set[str]]:
    """A conversation query's expected rows from a loaded ground truth (`connections`), in the
    query's order, and the hops (addresses that appear as endpoints only without pkt-*)."""
    part = truth["connections"]
    rows = part["queries"][query][window]["rows"]
    if rows is None:
        raise ValueError("this ground truth was written with totals only (--ground-truth summary)")
    columns = part["columns"]
    return [dict(zip(columns, row, strict=True)) for row in rows], set(part["hops"])


@dataclass(frozen=True)
class SampleResult:
    """What `write_sample` wrote."""

    out_dir: Path
    files: tuple[Path, ...]
    records: int
    bytes: int
    ground_truth: Path
    tgw_records: int = 0  # records of the transit gateway's flow log (in `files` too)


class _TextWriter:
    """gzip text objects: header line, space-separated values; mtime 0 and no name in the header.

    `render` runs in the generating thread; `store` (compress and write) may run in another,
    since zlib releases the GIL.
    """

    def __init__(self, fields: Sequence[str], tgw: bool = False) -> None:
        self.header = " ".join(fields)
        #: TGW records are kept in their format's order already
        self.select: Callable[[Record], tuple[str, ...]] = (
            (lambda r: r) if tgw else _selector(fields)
        )

    def render(self, records: Sequence[Record]) -> str:
        return "\n".join([self.header, *map(" ".join, map(self.select, records))]) + "\n"

    def store(self, path: Path, text: str) -> int:
        data = gzip.compress(text.encode(), compresslevel=GZIP_LEVEL, mtime=0)
        atomic_write(path, data)
        return len(data)

    def close(self) -> None:
        pass


class _ParquetWriter(_TextWriter):
    """Parquet objects written by DuckDB (gzip pages, as AWS), `-` → NULL, schema types."""

    def __init__(self, fields: Sequence[str], tgw: bool = False) -> None:
        import duckdb

        super().__init__(fields, tgw)
        self.con = duckdb.connect()
        self.con.execute("SET threads = 1")
        self.con.execute("SET preserve_insertion_order = true")
        kind = schema.TGW if tgw else schema.VPC
        columns = ", ".join(
            f"'{f.column}': '{f.duckdb_type}'" for f in schema.fields_for(fields, kind)
        )
        self.columns = "{" + columns + "}"

    def store(self, path: Path, text: str) -> int:
        staging = path.with_name(f".{path.name}.tsv.tmp")
        temp = path.with_name(f".{path.name}.tmp")
        try:
            staging.write_text(text)
            self.con.execute(
                f"COPY (SELECT * FROM read_csv({sql_string(str(staging))}, delim=' ', header=true, "
                f"columns={self.columns}, nullstr='-', quote='', escape='', auto_detect=false, "
                f"hive_partitioning=false)) "
                f"TO {sql_string(str(temp))} (FORMAT parquet, COMPRESSION gzip)"
            )
            os.replace(temp, path)
        finally:
            staging.unlink(missing_ok=True)
            temp.unlink(missing_ok=True)
        return path.stat().st_size

    def close(self) -> None:
        self.con.close()


def tgw_route_cidrs(topology: Topology) -> tuple[list[str], list[str]]:
    """tgw_route_usage's a_cidrs and b_cidrs in the ground truth: the blocks of the first two
    VPCs attached to the transit gateway (two spokes)."""
    attached = [
        v for v in topology.vpcs
        if any(e.kind == "transit_gateway" and e.vpc == v.key for e in topology.enis)
    ]  # fmt: skip
    if len(attached) < 2:
        return [], []
    return list(attached[0].cidrs), list(attached[1].cidrs)


def _tgw_section(
    topology: Topology, log: TgwLog, truth: TgwTruth, files: list[dict[str, Any]]
) -> dict[str, Any]:
    a_cidrs, b_cidrs = tgw_route_cidrs(topology)
    groups = AddressGroups({"a": a_cidrs, "b": b_cidrs})

    def in_pair(client: str, server: str) -> bool:
        c, s = groups(client), groups(server)
        return ("a" in c and "b" in s) or ("b" in c and "a" in s)

    records = sum(int(f["records"]) for f in files)
    return tgw_truth_dict(truth, log, (a_cidrs, b_cidrs), in_pair, files, records)


def tgw_rows(truth: Mapping[str, Any], query: str, window: str) -> list[dict[str, Any]]:
    """A TGW query's expected rows from a loaded ground truth (its `tgw` section), in order."""
    part = truth["tgw"]["queries"][query]
    rows = part[window]["rows"]
    if rows is None:
        raise ValueError("this ground truth was written with totals only (--ground-truth summary)")
    return [dict(zip(part["columns"], row, strict=True)) for row in rows]


def _logs_root(out: Path, prefix: str) -> Path:
    p = prefix.strip("/")
    return (out / p if p else out) / "AWSLogs"


def check_out_dir(out_dir: str | Path, config: SampleConfig, force: bool = False) -> None:
    """Refuse an output directory that is a file, or that already holds flow logs (unless force)."""
    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise SampleError("out", f"output path {str(out)!r} is a file: expected a directory")
    root = _logs_root(out, config.prefix)
    if not force and root.is_dir() and any(root.iterdir()):
        raise SampleError(
            "out",
            f"{str(root)!r} already holds flow logs: choose an empty directory or pass --force "
            "to replace them",
        )


def write_sample(
    config: SampleConfig,
    out_dir: str | Path,
    topology: Topology | None = None,
    force: bool = False,
) -> SampleResult:
    """Write the simulated flow logs and ground_truth.json under out_dir; return what was written.

    Objects go to `out_dir/[prefix/]AWSLogs/…` with AWS's keys. `force` first deletes a previous
    `AWSLogs` folder there (never anything else).
    """
    topology = topology or default_topology()
    out = Path(out_dir)
    check_out_dir(out, config, force)
    root = _logs_root(out, config.prefix)
    if force and root.is_dir():
        shutil.rmtree(root)
    out.mkdir(parents=True, exist_ok=True)
    generator = Generator(config, topology)
    truth = _GroundTruth(config, topology)
    if config.detail:
        generator.observer = lambda *event: truth.observe(_conversation_of(*event))
    writer_class = _ParquetWriter if config.file_format == "parquet" else _TextWriter
    writer = writer_class(config.fields)
    tgw_log = generator.tgw
    tgw_writer = writer_class(TGW_FIELDS, tgw=True) if tgw_log is not None else None
    tgw_truth: TgwTruth | None = None
    tgw_files: list[dict[str, Any]] = []
    if tgw_log is not None:
        first_days = {w: first for w, (first, _last) in truth.windows.items()}
        tgw_truth = tgw_log.truth = TgwTruth(
            tgw_log.tgw.id, first_days, config.detail, tgw_log.only
        )
    files: list[Path] = []
    made: set[Path] = set()
    # One background thread compresses and writes while the next window is generated; at most
    # two objects wait for it, so memory stays bounded.
    pending: deque[tuple[Future[int], dict[str, Any]]] = deque()
    executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="flowlog-writer")

    def drain(keep: int) -> None:
        while len(pending) > keep:
            future, entry = pending.popleft()
            entry["bytes"] = future.result()

    def put(
        log_id: str,
        window: Window,
        records: list[Record],
        into: list[dict[str, Any]],
        writer: _TextWriter,
    ) -> None:
        digest = hashlib.sha256(
            f"{config.seed}/{log_id}/{window.start:%Y%m%dT%H%M}".encode()
        ).hexdigest()[:8]
        key = object_key(
            config.prefix,
            config.layout,
            config.account,
            config.region,
            window.start,
            config.hourly,
            log_id,
            digest,
            config.file_format,
        )
        path = out / key
        if path.parent not in made:
            path.parent.mkdir(parents=True, exist_ok=True)
            made.add(path.parent)
        entry: dict[str, Any] = {"key": key, "records": len(records), "bytes": None}
        into.append(entry)
        files.append(path)
        drain(2)
        pending.append((executor.submit(writer.store, path, writer.render(records)), entry))

    try:
        for window in generator.windows():
            for log_id, records in zip(generator.flow_logs, window.records, strict=True):
                if records:
                    put(log_id, window, records, truth.files, writer)
            if tgw_log is not None and tgw_writer is not None and window.tgw_records:
                put(tgw_log.flow_log_id, window, window.tgw_records, tgw_files, tgw_writer)
            truth.add(window.day, [r for records in window.records for r in records])
            truth.count(window.day, window.conversations)
        drain(0)
    finally:
        executor.shutdown(wait=True, cancel_futures=True)
        writer.close()
        if tgw_writer is not None:
            tgw_writer.close()
    total_bytes = sum(int(entry["bytes"]) for entry in truth.files + tgw_files)
    truth_path = out / GROUND_TRUTH_FILE
    document = truth.to_dict(topology)
    if tgw_log is not None and tgw_truth is not None:
        document["tgw"] = _tgw_section(topology, tgw_log, tgw_truth, tgw_files)
    atomic_write(truth_path, ground_truth_json(document).encode())
    tgw_records = sum(int(entry["records"]) for entry in tgw_files)
    return SampleResult(
        out, tuple(files), sum(truth.log_status.values()), total_bytes, truth_path, tgw_records
    )
