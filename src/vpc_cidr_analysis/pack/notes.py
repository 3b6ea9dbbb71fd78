"""What an answer means when the records lack fields a query uses: the notes the CLI prints.

A query still answers when the log format lacks a field it reads (the table has every column;
a missing field reads as NULL), but the answer then means something else. `notes` says what,
from the fields the local engine read (`QueryOutput.fields`; None on Athena, whose table does
not say which fields the files hold) and from the rows (`decided_by`). Standard library only.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from vpc_cidr_analysis.pack.queries import Query

#: Result columns whose values `notes` reads (the rows must then be kept for it).
ROW_COLUMNS = ("decided_by",)
#: Field -> what an answer of a query that reads it means without it.
WITHOUT: dict[str, str] = {
    "log-status": (
        "the records have no log-status: every record with addresses was read as a data "
        "record (NODATA and SKIPDATA records cannot be told apart)"
    ),
    "tcp-flags": (
        "the records have no tcp-flags: who started each connection comes from the port "
        "rule (the lower port is the server's) or the earlier record (see decided_by)"
    ),
    "pkt-srcaddr": (
        "the records have no pkt-srcaddr/pkt-dstaddr: NAT gateway and transit gateway "
        "interfaces appear as endpoints, and traffic through them as connections of their own"
    ),
    "flow-direction": (
        "the records have no flow-direction: eni_ports cannot tell what an interface received "
        "and returns nothing; `vpc-cidr-analysis usage enis` reads direction from an inventory"
    ),
    "reject-reason": (
        "the records have no reject-reason (v8): reject_reason is empty, so VPC Block Public "
        "Access (BPA) rejects cannot be told from security-group and network-ACL ones"
    ),
}


def used_fields(query: Query) -> list[str]:
    """The fields of `WITHOUT` the query's SQL reads (by their column names)."""
    return [name for name in WITHOUT if name.replace("-", "_") in query.sql]


def notes(
    query: Query,
    fields: Iterable[str] | None,
    columns: Sequence[str],
    rows: Sequence[Sequence[Any]],
) -> list[str]:
    """One line per thing the answer could not use, and per row caveat, for stderr."""
    out: list[str] = []
    if fields is not None:
        present = {f.replace("_", "-") for f in fields}
        if present:  # no file read: nothing to say about fields
            out += [WITHOUT[f] for f in used_fields(query) if f not in present]
    if "decided_by" in columns and rows:
        at = list(columns).index("decided_by")
        unknown = sum(1 for row in rows if row[at] == "unknown")
        if unknown:
            out.append(
                f"{unknown} of {len(rows)} rows: who started them is unknown (equal ports, "
                "first records in the same second, e.g. ICMP echo and reply): client and server "
                "are in address order"
            )
    return out
