"""The connection-level Transit Gateway queries (`tgw_route_usage`, `tgw_top_talkers`,
`tgw_drops`) over hand-written records (tests/fixtures/tgw_connection_examples.json, whose
"about" says what each record means), against rows worked out from those records by hand: on
the local engine in every layout and format the fixture writer has, in the form the Athena runner
sends (the text and ExecutionParameters moto records, typed in as the console would), on a flow
log of one attachment only, and on the initiator rule's cases.

Each connection crosses the gateway once and is logged twice (ingress where it entered, egress
where it left): every count below is what one attachment logged, never the two added up.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import aws_examples
import boto3
import pytest
import tgw_examples
from moto import mock_aws
from moto.athena.models import athena_backends
from moto.core import DEFAULT_ACCOUNT_ID

from vpc_cidr_analysis.engine.local import LocalEngine
from vpc_cidr_analysis.pack.athena import AthenaSettings
from vpc_cidr_analysis.pack.queries import load_queries
from vpc_cidr_analysis.pack.runner import QueryOutput, run_athena, run_local

QUERIES = load_queries()
EXAMPLE = tgw_examples.load(tgw_examples.CONNECTIONS)["whole_gateway"]
DAY = {"start_day": "2025/12/01", "end_day": "2025/12/01"}
T = 1764547200  # 2025-12-01 00:00 UTC, the fixture's first minute

TGW = "tgw-0123456789abcdef0"
A = "tgw-attach-0aaa1111aaaa1111a"  # VPC-A's
B = "tgw-attach-0bbb2222bbbb2222b"  # VPC-B's
C = "tgw-attach-0ccc3333cccc3333c"  # the VPN to on premises
VA, VB = "vpc-0aaa1111aaaa1111a", "vpc-0bbb2222bbbb2222b"
A_CIDRS = "10.0.0.0/16,2600:1f18:aaaa:ab00::/56"
B_CIDRS = "10.1.0.0/16,2600:1f18:bbbb:bb00::/56"

# Rows of tgw_route_usage and tgw_top_talkers: tgw_id, client_attachment_id,
# server_attachment_id, client_vpc_id, server_vpc_id, client, server, server_port, protocol,
# connections, client_packets, client_bytes, server_packets, server_bytes, first_seen and
# last_seen (Unix seconds here), decided_by.
#: 10.0.1.10 from ports 49152 (10+2 packets, 8+3 back over two minutes) and 49153 (4 and 4).
WEB = (TGW, A, B, VA, VB, "10.0.1.10", "10.1.2.20", 443, 6,
       2, 16, 5420, 15, 13300, T, T + 120, "tcp-flags")  # fmt: skip
#: SYN from port 80, SYN-ACK from 50000: the flags, not the ports, name B's end the client.
LOW_PORT_CLIENT = (TGW, B, A, VB, VA, "10.1.2.30", "10.0.1.40", 50000, 6,
                   1, 3, 240, 2, 160, T + 60, T + 120, "tcp-flags")  # fmt: skip
#: UDP to on premises: the lower port is the server's; the VPN side has no VPC.
DNS = (TGW, A, C, VA, None, "10.0.1.10", "192.168.10.53", 53, 17,
       1, 1, 70, 1, 130, T + 120, T + 180, "port")  # fmt: skip
#: ICMP: the echo request (from B) started a second before the reply.
PING = (TGW, B, A, VB, VA, "10.1.2.20", "10.0.1.50", 0, 1,
        1, 4, 336, 4, 336, T + 181, T + 240, "time")  # fmt: skip
SSH6 = (TGW, A, B, VA, VB, "2600:1f18:aaaa:ab00::10", "2600:1f18:bbbb:bb00::20", 22, 6,
        1, 6, 900, 5, 1500, T + 240, T + 300, "tcp-flags")  # fmt: skip
#: Its second minute only VPC-A's attachment logged: A's records are the most, and count.
APP = (TGW, A, B, VA, VB, "10.0.1.11", "10.1.2.21", 8080, 6,
       1, 6, 540, 6, 2540, T + 300, T + 420, "tcp-flags")  # fmt: skip
#: The same as B's attachment logged it (its first minute only).
APP_AS_B_LOGGED = (TGW, A, B, VA, VB, "10.0.1.11", "10.1.2.21", 8080, 6,
                   1, 5, 500, 5, 2500, T + 300, T + 360, "tcp-flags")  # fmt: skip
#: Lost 2 packets to the MTU on the way (logged on both records), and crossed.
BIG = (TGW, A, B, VA, VB, "10.0.1.12", "10.1.2.22", 443, 6,
       1, 3, 4500, 2, 120, T + 420, T + 480, "tcp-flags")  # fmt: skip
#: From on premises (no VPC) to B, lost 1 packet to TTL.
MYSQL = (TGW, C, B, None, VB, "192.168.10.5", "10.1.2.20", 3306, 6,
         1, 4, 400, 3, 600, T + 480, T + 540, "tcp-flags")  # fmt: skip

# Rows of tgw_drops: tgw_id, tgw_attachment_id, tgw_pair_attachment_id, src_vpc_id, dst_vpc_id,
# dstaddr, dstport, protocol, flows, packets lost to no route, blackhole, MTU, TTL, first_seen,
# last_seen.
BLACKHOLE = (TGW, A, None, VA, None, "10.8.0.1", 53, 17, 2, 0, 5, 0, 0, T + 540, T + 620)
MTU = (TGW, A, B, VA, VB, "10.1.2.22", 443, 6, 1, 0, 0, 2, 0, T + 420, T + 480)
NO_ROUTE = (TGW, A, None, VA, None, "10.9.0.1", 22, 6, 1, 2, 0, 0, 0, T + 540, T + 600)
TTL = (TGW, C, B, None, VB, "10.1.2.20", 3306, 6, 1, 0, 0, 0, 1, T + 480, T + 540)

ROUTE_A_B = [BIG, APP, SSH6, PING, WEB, LOW_PORT_CLIENT]  # last seen first; WEB's A before B's
TOP = [WEB, BIG, APP, SSH6, MYSQL, PING, LOW_PORT_CLIENT, DNS]  # bytes both ways, most first
DROPS = [BLACKHOLE, MTU, NO_ROUTE, TTL]  # lost most first; MTU's pair B before NULL


def as_rows(columns: Any, rows: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    """Rows with first_seen/last_seen as Unix seconds."""
    names = list(columns)
    times = {names.index("first_seen"), names.index("last_seen")}
    return [
        tuple(int(v.timestamp()) if i in times else v for i, v in enumerate(row)) for row in rows
    ]


def run(name: str, logs: Path, **values: str) -> list[tuple[Any, ...]]:
    query = QUERIES[name]
    out: QueryOutput = run_local(query, {**DAY, **values}, str(logs))
    assert list(out.columns) == [c.name for c in query.columns]
    return as_rows(out.columns, out.rows)


LAYOUTS = [
    ("default", False, "text"),
    ("hive", True, "text"),
    ("default", True, "parquet"),
    ("hive", False, "parquet"),
]


@pytest.fixture(scope="module", params=LAYOUTS, ids=["-".join(map(str, p)) for p in LAYOUTS])
def logs(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The whole gateway's flow log in one layout and format, beside VPC flow logs under the
    same prefix (AWS's examples, which the TGW table must leave out)."""
    key_layout, hourly, file_format = request.param
    root = tmp_path_factory.mktemp("tgw")
    for example in aws_examples.load().values():
        aws_examples.write(example, root)
    tgw_examples.write(EXAMPLE, root, key_layout=key_layout, hourly=hourly, file_format=file_format)
    return root


def test_route_usage_between_two_vpcs(logs: Path) -> None:
    """Both ways (B's clients too), IPv4 and IPv6; not the VPN's traffic, nor drops."""
    assert run("tgw_route_usage", logs, a_cidrs=A_CIDRS, b_cidrs=B_CIDRS) == ROUTE_A_B
    assert run("tgw_route_usage", logs, a_cidrs=B_CIDRS, b_cidrs=A_CIDRS) == ROUTE_A_B


def test_route_usage_in_the_cidrtable_form_is_the_same(logs: Path) -> None:
    """The stack's lookup form (addresses read from `cidrtable` rows of the blocks) returns
    the rows contains() does (IPv4 blocks: an IPv6 /56 is too large to expand)."""
    values = {**DAY, "a_cidrs": "10.0.0.0/16", "b_cidrs": "10.1.0.0/16"}
    query = QUERIES["tgw_route_usage"]
    lookup = run_local(query, values, str(logs), form="cidrtable")
    assert as_rows(lookup.columns, lookup.rows) == [r for r in ROUTE_A_B if r is not SSH6]


def test_route_usage_to_on_premises_either_end_the_client(logs: Path) -> None:
    rows = run("tgw_route_usage", logs, a_cidrs="192.168.0.0/16", b_cidrs="10.0.0.0/8")
    assert rows == [MYSQL, DNS]  # a client in a_cidrs, and one in b_cidrs


def test_route_usage_of_an_unused_route_is_empty(logs: Path) -> None:
    """The dropped flows' destinations were never reached: no route in use."""
    assert run("tgw_route_usage", logs, a_cidrs="10.0.0.0/16", b_cidrs="10.8.0.0/15") == []
    assert run("tgw_route_usage", logs, a_cidrs="10.0.1.99/32", b_cidrs="10.1.2.99/32") == []


def test_top_talkers_through_the_gateway(logs: Path) -> None:
    assert run("tgw_top_talkers", logs) == TOP
    assert run("tgw_top_talkers", logs, top="3") == TOP[:3]


def test_drops_by_cause(logs: Path) -> None:
    assert run("tgw_drops", logs) == DROPS


def test_raw_forms_return_the_records_counted(logs: Path) -> None:
    """The records behind the rows: every record of the A-B connections (WEB 12, the other
    five 4 each, APP's second minute 2 more); the records with losses: one per dropped flow
    (no route 1, blackhole 2), and the ingress and the egress record of the MTU and TTL ones."""
    values = {**DAY, "a_cidrs": A_CIDRS, "b_cidrs": B_CIDRS}
    route = run_local(QUERIES["tgw_route_usage"], values, str(logs), raw=True)
    assert len(route.rows) == 12 + 4 * 5 + 2
    drops = run_local(QUERIES["tgw_drops"], DAY, str(logs), raw=True)
    assert len(drops.rows) == 1 + 2 + 2 + 2


def test_days_outside_the_window_read_nothing(logs: Path) -> None:
    window = {"start_day": "2025/12/02", "end_day": "2025/12/03"}
    for name, values in [
        ("tgw_route_usage", {"a_cidrs": A_CIDRS, "b_cidrs": B_CIDRS}),
        ("tgw_top_talkers", {}),
        ("tgw_drops", {}),
    ]:
        assert run_local(QUERIES[name], {**values, **window}, str(logs)).rows == []


@pytest.fixture
def one_attachment(tmp_path: Path) -> Path:
    """A flow log on VPC-B's attachment only: the records whose tgw-attachment-id is B's."""
    index = EXAMPLE.fields.index("tgw-attachment-id")
    records = [r for r in EXAMPLE.records if r.split(" ")[index] in (B, "tgw-attachment-id")]
    tgw_examples.write(EXAMPLE.with_records(records), tmp_path)
    return tmp_path


def test_a_flow_log_on_one_attachment_counts_the_same(one_attachment: Path) -> None:
    """B's attachment logged both directions of every connection through it (as egress or
    ingress): the same rows, but for what only A's attachment logged, and A's own drops."""
    expected = [APP_AS_B_LOGGED if row is APP else row for row in ROUTE_A_B]
    assert run("tgw_route_usage", one_attachment, a_cidrs=A_CIDRS, b_cidrs=B_CIDRS) == expected
    top = [APP_AS_B_LOGGED if row is APP else row for row in TOP if row is not DNS]
    assert run("tgw_top_talkers", one_attachment) == top
    assert run("tgw_drops", one_attachment) == [MTU, TTL]  # logged where they left, on B


# The Athena form: what the runner sends (moto records it), typed in as the console would.


@pytest.fixture
def aws() -> Iterator[None]:
    with mock_aws():
        yield


def _typed_in(sql: str, literals: list[str]) -> str:
    parts = sql.split("?")
    assert len(parts) == len(literals) + 1
    return parts[0] + "".join(v + rest for v, rest in zip(literals, parts[1:], strict=True))


WINDOW_LITERALS = ["'2025/12/01'", "'2025/12/01'", "10", "'2025/12/01'"]
A_LITERAL, B_LITERAL = f"'{A_CIDRS}'", f"'{B_CIDRS}'"


@pytest.mark.parametrize(
    ("name", "values", "literals", "expected"),
    [
        ("tgw_route_usage", {"a_cidrs": A_CIDRS, "b_cidrs": B_CIDRS},
         [*WINDOW_LITERALS, A_LITERAL, B_LITERAL, B_LITERAL, A_LITERAL], ROUTE_A_B),
        ("tgw_top_talkers", {"top": "5"}, [*WINDOW_LITERALS, "5"], TOP[:5]),
        ("tgw_drops", {}, WINDOW_LITERALS, DROPS),
    ],
)  # fmt: skip
def test_the_athena_form_gives_the_same_rows(
    name: str,
    values: dict[str, str],
    literals: list[str],
    expected: list[tuple[Any, ...]],
    logs: Path,
    aws: None,
) -> None:
    query = QUERIES[name]
    athena = boto3.client("athena", region_name="us-east-1")
    settings = AthenaSettings(workgroup="primary", output_location="s3://results/")
    sent = run_athena(query, {**DAY, **values}, athena, settings)
    execution = athena_backends[DEFAULT_ACCOUNT_ID]["us-east-1"].executions[sent.query_execution_id]
    assert execution.query == query.sql
    assert execution.execution_parameters == literals
    assert "FROM vpcflowlogscidrdb.tgwflowlogstable f" in execution.query
    console = _typed_in(execution.query, execution.execution_parameters)
    with LocalEngine(str(logs), today=date(2027, 1, 1)) as engine:  # the window is explicit
        result = engine.execute(console)
    assert as_rows(result.columns, result.rows) == expected


def _between(text: str, start: str, end: str) -> str:
    first = text.index(start)
    return text[first : text.index(end, first) + len(end)]


def test_route_usage_and_top_talkers_share_their_pipeline_word_for_word() -> None:
    """From the records counted to the rows, the two are one text: the same connections."""
    start, end = "-- Each record as a half of its connection", "           protocol\n)\n"
    texts = [_between(QUERIES[n].sql, start, end) for n in ("tgw_route_usage", "tgw_top_talkers")]
    assert texts[0] == texts[1]
    assert "FROM matched m" in texts[0] and "routes AS (" in texts[0]


def test_the_initiator_rule_is_the_vpc_packs_word_for_word() -> None:
    """One rule (usage/initiator.py): the TGW queries decide the client with the VPC pack's
    own tests of the flags, then the ports, then the time."""
    pieces = [
        ("bool_or(bitwise_and(tcp_flags, 18)", "AS b_opened,"),
        ("CASE WHEN c.a_opened AND NOT c.b_opened THEN 1", "END AS a_client"),
        ("CASE max(rule) WHEN 1", "END AS decided_by"),
    ]
    vpc = QUERIES["top_talkers"].sql
    for name in ("tgw_route_usage", "tgw_top_talkers"):
        for start, end in pieces:
            assert _between(QUERIES[name].sql, start, end) == _between(vpc, start, end)


@pytest.mark.parametrize("fixture", [tgw_examples.FIXTURE, tgw_examples.CONNECTIONS])
def test_drops_add_up_to_the_losses_of_tgw_attachments(fixture: Path, tmp_path: Path) -> None:
    """Per attachment pair and VPCs, the drops' losses are those `tgw_attachments` reports."""
    for example in tgw_examples.load(fixture).values():
        tgw_examples.write(example, tmp_path)
    window = {"start_day": f"{example.day:%Y/%m/%d}", "end_day": f"{example.day:%Y/%m/%d}"}
    pairs = run_local(QUERIES["tgw_attachments"], window, str(tmp_path))
    losses: dict[tuple[Any, ...], tuple[Any, ...]] = {}
    for row in pairs.rows:
        item = dict(zip(pairs.columns, row, strict=True))
        lost = tuple(item[c] for c in pairs.columns if c.startswith("packets_lost_"))
        if any(lost):
            losses[tuple(item[c] for c in pairs.columns[:5])] = lost
    drops = run_local(QUERIES["tgw_drops"], window, str(tmp_path))
    added: dict[tuple[Any, ...], list[int]] = {}
    for row in drops.rows:
        total = added.setdefault(tuple(row[:5]), [0, 0, 0, 0])
        for i, value in enumerate(row[9:13]):
            total[i] += value
    assert {k: tuple(v) for k, v in added.items()} == losses
    assert len(losses) >= 2
