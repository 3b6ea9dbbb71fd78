"""The traffic report: who talks to whom between named networks, gathered from the pack's queries.

`build_report` runs, through one `Runner` (the local engine or Athena, as the CLI chooses):
`network_matrix` for the window and once more with per_day=true (the daily timeline: each
connection on the day it started, so the days add up to the window), `network_servers` (per
pair the servers clients used: "can I remove this peering?"), `aws_services`, and `rejected`
and `remote_admin` over every named block, whose endpoints are then labelled by the same rule
as the matrix (`label_address`). The result is plain data: JSON as it is (`report_json`), or
one self-contained HTML page (`traffic.html.render_html`)."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any

from vpc_cidr_analysis.aws_ranges import AwsRanges
from vpc_cidr_analysis.days import partition_day
from vpc_cidr_analysis.networks import INTERNET, Networks
from vpc_cidr_analysis.output import json_value
from vpc_cidr_analysis.pack.queries import MAX_CIDRS
from vpc_cidr_analysis.pack.runner import QueryOutput

#: (query name, parameter values) -> its rows; the CLI binds it to an engine.
Runner = Callable[[str, Mapping[str, str]], QueryOutput]
#: Servers kept per network pair, rows kept of the rejected and remote-admin summaries.
TOP_SERVERS = 20
TOP_ROWS = 50


@dataclass
class TrafficReport:
    """Everything the report shows, as JSON-ready rows (one dict per row)."""

    first_day: str
    last_day: str
    networks: dict[str, list[str]]
    aws_ranges: dict[str, Any] | None
    matrix: list[dict[str, Any]]
    daily: list[dict[str, Any]]
    servers: list[dict[str, Any]]
    aws_services: list[dict[str, Any]]
    rejected: list[dict[str, Any]]
    remote_admin: list[dict[str, Any]]
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def rows_of(out: QueryOutput) -> list[dict[str, Any]]:
    """A query's rows as dicts, values as the JSON output writes them (ISO 8601 timestamps)."""
    return [
        {name: json_value(value) for name, value in zip(out.columns, row, strict=True)}
        for row in out.rows
    ]


def label_address(address: str, networks: Networks, ranges: AwsRanges | None) -> str:
    """The matrix's label of an address: named network (most specific block), else the
    longest AWS prefix, else internet."""
    named = networks.network_of(address)
    if named is not None:
        return named
    aws = ranges.label(address) if ranges is not None else None
    return aws or INTERNET


def _labelled(
    rows: list[dict[str, Any]], networks: Networks, ranges: AwsRanges | None
) -> list[dict[str, Any]]:
    return [
        {
            "client_network": label_address(str(r["client"]), networks, ranges),
            "server_network": label_address(str(r["server"]), networks, ranges),
            **r,
        }
        for r in rows
    ]


def build_report(
    run: Runner,
    networks: Networks,
    days: Sequence[date],
    ranges: AwsRanges | None = None,
) -> TrafficReport:
    """Run the report's queries over the window `days` (consecutive, oldest first)."""
    first, last = partition_day(days[0]), partition_day(days[-1])
    window = {"start_day": first, "end_day": last}
    matrix = rows_of(run("network_matrix", window))
    daily = rows_of(run("network_matrix", window | {"per_day": "true"}))
    servers: list[dict[str, Any]] = []
    kept: dict[tuple[str, str], int] = {}
    for row in rows_of(run("network_servers", window)):
        pair = (row["client_network"], row["server_network"])
        if kept.get(pair, 0) < TOP_SERVERS:
            kept[pair] = kept.get(pair, 0) + 1
            servers.append(row)
    aws = rows_of(run("aws_services", window))
    blocks = [cidr for _, cidr in networks.rows()]
    notes: list[str] = []
    rejected: list[dict[str, Any]] = []
    admin: list[dict[str, Any]] = []
    if len(blocks) > MAX_CIDRS:
        notes.append(
            f"rejected and remote-admin summaries left out: the networks have {len(blocks)} "
            f"blocks, a query takes at most {MAX_CIDRS}"
        )
    else:
        scope = window | {"vpc_cidrs": ",".join(blocks)}
        rejected = _labelled(rows_of(run("rejected", scope)), networks, ranges)[:TOP_ROWS]
        admin = _labelled(rows_of(run("remote_admin", scope)), networks, ranges)[:TOP_ROWS]
    identity = None
    if ranges is not None:
        identity = {
            "syncToken": ranges.sync_token,
            "createDate": ranges.create_date,
            "prefixes": len(ranges.ranges),
        }
    return TrafficReport(
        first_day=first,
        last_day=last,
        networks={name: list(cidrs) for name, cidrs in networks.blocks.items()},
        aws_ranges=identity,
        matrix=matrix,
        daily=daily,
        servers=servers,
        aws_services=aws,
        rejected=rejected,
        remote_admin=admin,
        notes=notes,
    )


def report_json(report: TrafficReport) -> str:
    """The report as JSON (the same rows the HTML shows)."""
    return json.dumps(report.to_dict(), indent=2, sort_keys=False) + "\n"
