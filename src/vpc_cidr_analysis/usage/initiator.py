"""Who started a connection: the one rule, in Python here and in SQL in `queries/`.

A connection is the traffic between two ends, (address, port) each, of one protocol; its flow-log
records are its two directions, as logged by every interface that saw them. Its client, the end
that started it, is decided by the first of these that tells:

1. `tcp-flags` (rule `tcp-flags`): AWS reports SYN (2) on the client's records and SYN-ACK (18)
   on the server's, OR-ed over each aggregation window, so a record has
   `bitwise_and(tcp_flags, 18)` = 2 (the client sent it) or 18 (the server sent it) only in the
   window the connection opened; later windows carry neither (0, 1 FIN, 4 RST). The decision of
   the records that carry them holds for the whole connection: an end opened it when it sent a
   SYN record or received a SYN-ACK one. It tells only when exactly one end opened it.
2. Ports (rule `port`): when the two ports differ, the lower port is the server's (services
   listen on low or registered ports, clients use ephemeral ones: Linux 32768-60999, Windows
   49152-65535, NAT gateways 1024-65535).
3. Time (rule `time`): equal ports (ICMP has none, 0 both ways): the end whose first record
   started strictly earlier.
4. Otherwise (rule `unknown`): undecided; the lower (address, port) end is reported as client.

"Lower" compares addresses as text, then ports as numbers: `(a, a_port) <= (b, b_port)`.

The pack's conversation queries (`external`, `between`, `internal`, `top_talkers`, `rejected`,
`remote_admin`) apply the rule in their `connections` CTE, and report it per row as
`decided_by` (the weakest rule among the row's connections). `sg_connections` applies its
per-record form (SYN without SYN-ACK; else destination port below source port; equal ports are
left to `usage.match.resolve_pair`, whose first test is rule 3). `tests` check that the SQL and
`client_end` agree on a table of cases.
"""

from __future__ import annotations

from typing import Literal

Rule = Literal["tcp-flags", "port", "time", "unknown"]
#: Rules from strongest to weakest (a row's `decided_by` is the weakest of its connections).
RULES: tuple[Rule, ...] = ("tcp-flags", "port", "time", "unknown")
SYN, SYN_ACK = 2, 18


def sent_syn(tcp_flags: int | None) -> bool:
    """A record the client sent in the window the connection opened (SYN without SYN-ACK)."""
    return tcp_flags is not None and tcp_flags & SYN_ACK == SYN


def sent_syn_ack(tcp_flags: int | None) -> bool:
    """A record the server sent in the window the connection opened (SYN-ACK)."""
    return tcp_flags is not None and tcp_flags & SYN_ACK == SYN_ACK


def client_end(
    a_port: int | None,
    b_port: int | None,
    *,
    a_opened: bool = False,
    b_opened: bool = False,
    a_first: int | None = None,
    b_first: int | None = None,
) -> tuple[bool, Rule]:
    """(whether end a is the client, the rule that decided), for the lower end a and upper end b.

    `a_opened`: a sent a SYN record or received a SYN-ACK one (`b_opened` likewise);
    `a_first`: start of a's first record (None when a sent none).
    """
    if a_opened != b_opened:
        return a_opened, "tcp-flags"
    a_port, b_port = a_port or 0, b_port or 0
    if a_port != b_port:
        return a_port > b_port, "port"
    if a_first is not None and (b_first is None or a_first < b_first):
        return True, "time"
    if b_first is not None and (a_first is None or b_first < a_first):
        return False, "time"
    return True, "unknown"


def by_time(first: int, other_first: int) -> bool | None:
    """Rule 3 on its own: whether the end whose first record started at `first` started it
    (None when both started in the same second)."""
    return None if first == other_first else first < other_first
