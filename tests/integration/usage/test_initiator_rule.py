"""The initiator rule is one rule: the pack's SQL and `usage.initiator` agree on every case.

Each case is a connection's records (one interface) written as a flow log; the pack's
`top_talkers` (the connection pipeline every conversation query shares) reports its client,
and `client_end` decides the same from the same facts. The same records written as Transit
Gateway flow logs (each logged ingress and egress) give `tgw_top_talkers` the same answers.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import aws_examples
import pytest
import tgw_examples

from vpc_cidr_analysis.pack.queries import get_query
from vpc_cidr_analysis.pack.runner import run_local
from vpc_cidr_analysis.usage.initiator import client_end, sent_syn, sent_syn_ack

FIELDS = "interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action tcp-flags log-status"  # noqa: E501
T = 1764547200  # 2025-12-01 00:00 UTC

#: (case, records as (src, dst, srcport, dstport, protocol, start, tcp-flags or None))
CASES: list[tuple[str, list[tuple[str, str, int, int, int, int, int | None]]]] = [
    ("syn from the high port", [("10.0.0.9", "10.0.0.1", 40000, 443, 6, T, 2),
                                ("10.0.0.1", "10.0.0.9", 443, 40000, 6, T, 18)]),
    ("short connection 3 / 19", [("10.0.1.1", "10.0.1.9", 50000, 22, 6, T, 3),
                                 ("10.0.1.9", "10.0.1.1", 22, 50000, 6, T, 19)]),
    ("flags beat ports", [("10.0.2.1", "10.0.2.9", 80, 50000, 6, T, 2),
                          ("10.0.2.9", "10.0.2.1", 50000, 80, 6, T, 18)]),
    ("syn-ack alone tells", [("10.0.3.1", "10.0.3.9", 5432, 41000, 6, T, 18)]),
    ("later windows only: ports", [("10.0.4.1", "10.0.4.9", 41000, 5432, 6, T, 1),
                                   ("10.0.4.9", "10.0.4.1", 5432, 41000, 6, T, 0)]),
    ("no tcp-flags: ports", [("10.0.5.9", "10.0.5.1", 33000, 3306, 6, T, None),
                             ("10.0.5.1", "10.0.5.9", 3306, 33000, 6, T, None)]),
    ("udp: ports", [("10.0.6.1", "10.0.6.9", 53, 45000, 17, T, 0)]),
    ("equal ports: earlier", [("10.0.7.9", "10.0.7.1", 123, 123, 17, T, 0),
                              ("10.0.7.1", "10.0.7.9", 123, 123, 17, T + 5, 0)]),
    ("icmp one way", [("10.0.8.9", "10.0.8.1", 0, 0, 1, T, 0)]),
    ("icmp same second: unknown", [("10.0.9.9", "10.0.9.1", 0, 0, 1, T, 0),
                                   ("10.0.9.1", "10.0.9.9", 0, 0, 1, T, 0)]),
    ("both sides syn: ports", [("10.0.10.1", "10.0.10.9", 40000, 179, 6, T, 2),
                               ("10.0.10.9", "10.0.10.1", 179, 40000, 6, T, 2)]),
]  # fmt: skip


def python_answer(records: list[tuple[Any, ...]]) -> tuple[str, str, int, str]:
    """(client, server, server_port, rule) by `client_end` from the same records."""
    ends = sorted({(r[0], r[2]) for r in records} | {(r[1], r[3]) for r in records})
    (a, a_port), (b, b_port) = ends[0], ends[-1]
    a_opened = any(
        (r[0] == a and sent_syn(r[6])) or (r[1] == a and sent_syn_ack(r[6])) for r in records
    )
    b_opened = any(
        (r[0] == b and sent_syn(r[6])) or (r[1] == b and sent_syn_ack(r[6])) for r in records
    )
    a_first = min((r[5] for r in records if r[0] == a), default=None)
    b_first = min((r[5] for r in records if r[0] == b), default=None)
    a_client, rule = client_end(
        a_port, b_port, a_opened=a_opened, b_opened=b_opened, a_first=a_first, b_first=b_first
    )
    return (a, b, b_port, rule) if a_client else (b, a, a_port, rule)


def test_sql_and_python_agree_on_every_case(tmp_path: Path) -> None:
    lines = [
        f"eni-0test {s} {d} {sp} {dp} {p} 1 100 {t} {t + 50} ACCEPT {'-' if f is None else f} OK"
        for _, records in CASES
        for s, d, sp, dp, p, t, f in records
    ]
    example = aws_examples.Example("cases", "tests", tuple(FIELDS.split()), tuple(lines))
    aws_examples.write(example, tmp_path)
    day = f"{example.day:%Y/%m/%d}"
    values = {"vpc_cidrs": "10.0.0.0/8", "top": "100", "start_day": day, "end_day": day}
    out = run_local(get_query("top_talkers"), values, str(tmp_path))
    got = {
        (row["client"], row["server"], row["server_port"], row["decided_by"])
        for row in (dict(zip(out.columns, r, strict=True)) for r in out.rows)
    }
    expected = {python_answer(records) for _, records in CASES}
    assert got == expected
    assert {rule for *_, rule in expected} == {"tcp-flags", "port", "time", "unknown"}


@pytest.mark.parametrize(("case", "records"), CASES, ids=[c for c, _ in CASES])
def test_each_case_reads_as_documented(case: str, records: list[tuple[Any, ...]]) -> None:
    client, _server, port, rule = python_answer(records)
    expected = {
        "syn from the high port": ("10.0.0.9", 443, "tcp-flags"),
        "short connection 3 / 19": ("10.0.1.1", 22, "tcp-flags"),
        "flags beat ports": ("10.0.2.1", 50000, "tcp-flags"),
        "syn-ack alone tells": ("10.0.3.9", 5432, "tcp-flags"),
        "later windows only: ports": ("10.0.4.1", 5432, "port"),
        "no tcp-flags: ports": ("10.0.5.9", 3306, "port"),
        "udp: ports": ("10.0.6.9", 53, "port"),
        "equal ports: earlier": ("10.0.7.9", 123, "time"),
        "icmp one way": ("10.0.8.9", 0, "time"),
        "icmp same second: unknown": ("10.0.9.1", 0, "unknown"),
        "both sides syn: ports": ("10.0.10.1", 179, "port"),
    }[case]
    assert (client, port, rule) == expected


#: Transit Gateway records of the cases: `.1` ends behind one attachment, `.9` ends another.
TGW_RECORD = (
    "6 TransitGateway 123456789010 tgw-0test {attachment} 123456789010 123456789010 - - - - - - "
    "- - {pair} {src} {dst} {sp} {dp} {p} 1 100 {t} {t_end} OK IPv4 0 0 0 0 {flags} us-east-1 "
    "{direction} - -"
)


def test_transit_gateway_queries_agree_on_every_case(tmp_path: Path) -> None:
    def attachment(address: str) -> str:
        return "tgw-attach-0one" if address.endswith(".1") else "tgw-attach-0nine"

    lines = [
        TGW_RECORD.format(
            attachment=attachment(s if direction == "ingress" else d),
            pair=attachment(d if direction == "ingress" else s),
            src=s, dst=d, sp=sp, dp=dp, p=p, t=t, t_end=t + 50,
            flags="-" if f is None else f, direction=direction,
        )
        for _, records in CASES
        for s, d, sp, dp, p, t, f in records
        for direction in ("ingress", "egress")
    ]  # fmt: skip
    fields = tuple(tgw_examples.load()["hub_and_spokes"].fields)
    example = tgw_examples.Example("cases", "tests", fields, tuple(lines))
    tgw_examples.write(example, tmp_path)
    day = f"{example.day:%Y/%m/%d}"
    values = {"top": "100", "start_day": day, "end_day": day}
    out = run_local(get_query("tgw_top_talkers"), values, str(tmp_path))
    got = {
        (row["client"], row["server"], row["server_port"], row["decided_by"])
        for row in (dict(zip(out.columns, r, strict=True)) for r in out.rows)
    }
    assert got == {python_answer(records) for _, records in CASES}
    assert len(out.rows) == len(CASES)
