"""The traffic report as one self-contained HTML page: inline CSS, SVG and a few lines of script.

Nothing is loaded from anywhere (no font, image or library), so the file opens offline and can
be mailed. Sections: the map (a heat-map of bytes, client network in rows, server network in
columns; a cell links to its pair), the daily timeline per pair (inline SVG bars), per pair the
top servers ("can I remove this peering?"), AWS services with the NAT share, rejected traffic,
remote-admin exposure. Every id and class the tests look for is named here.
"""

from __future__ import annotations

import html
import math
from collections import defaultdict
from typing import Any

from vpc_cidr_analysis.output import human_bytes
from vpc_cidr_analysis.traffic.report import TrafficReport

PROTOCOLS = {1: "ICMP", 6: "TCP", 17: "UDP", 58: "ICMPv6"}

_CSS = """
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif;margin:24px;
color:#1d2733;background:#fff}
h1{font-size:22px;margin:0 0 4px}
h2{font-size:17px;margin:28px 0 8px;border-bottom:1px solid #d8dee6;padding-bottom:4px}
h3{font-size:14px;margin:14px 0 6px}
.meta{color:#4a5868;margin:0 0 12px}
.cards{display:flex;flex-wrap:wrap;gap:10px;margin:12px 0}
.card{border:1px solid #d8dee6;border-radius:6px;padding:8px 14px;min-width:120px}
.card .n{font-size:22px;font-weight:600}.card .l{color:#4a5868;font-size:12px}
table{border-collapse:collapse;font-size:12.5px}
th,td{border:1px solid #e1e6ec;padding:3px 6px;text-align:left;vertical-align:top}
th{background:#f3f5f8;font-weight:600}
td.num{text-align:right;font-variant-numeric:tabular-nums}
#matrix td.cell{text-align:center;min-width:64px;font-variant-numeric:tabular-nums}
#matrix td.cell a{color:inherit;text-decoration:none;display:block}
#matrix td.zero{color:#b7c0ca}
#matrix th.corner{font-weight:500;color:#4a5868}
.timeline{display:flex;flex-wrap:wrap;gap:14px}
.timeline figure{margin:0;border:1px solid #e1e6ec;border-radius:6px;padding:6px 8px}
.timeline figcaption{font-size:12px;color:#4a5868}
.timeline rect{fill:#2f6db5}.timeline rect.none{fill:#e1e6ec}
details.pair{margin:6px 0}details.pair summary{cursor:pointer;font-weight:600}
details.pair:target,details.pair.focus{outline:2px solid #2f6db5;outline-offset:3px}
.note{color:#4a5868;font-size:12.5px;max-width:1100px}
.empty{color:#4a5868;font-style:italic}
.REJECT{color:#9b1c14}.ACCEPT{color:#17612d}
"""

#: Clicking a map cell opens that pair's servers and scrolls to them.
_SCRIPT = """
document.querySelectorAll('#matrix a[href^="#pair-"]').forEach(function (link) {
  link.addEventListener('click', function () {
    var target = document.getElementById(link.getAttribute('href').slice(1));
    if (target) { target.open = true; target.classList.add('focus'); }
  });
});
"""


def _e(value: Any) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def _int(value: Any) -> int:
    return int(value) if value is not None else 0


def _bytes(row: dict[str, Any]) -> int:
    return _int(row.get("client_bytes")) + _int(row.get("server_bytes"))


def _pair_id(index: int) -> str:
    return f"pair-{index}"


def _heat(value: int, top: int) -> str:
    """Style of a map cell: white to blue on a log scale of bytes (white text on dark)."""
    if value <= 0 or top <= 0:
        return "background:#ffffff"
    share = math.log1p(value) / math.log1p(top)
    light = round(96 - 56 * share)
    return f"background:hsl(212,62%,{light}%)" + (";color:#fff" if light < 62 else "")


def _table(headers: list[str], rows: list[list[str]], numeric: set[int], css_id: str) -> str:
    if not rows:
        return f'<p class="empty" id="{css_id}">None in this window.</p>'
    head = "".join(f"<th>{_e(h)}</th>" for h in headers)
    body = "".join(
        "<tr>"
        + "".join(
            f'<td class="num">{cell}</td>' if i in numeric else f"<td>{cell}</td>"
            for i, cell in enumerate(row)
        )
        + "</tr>"
        for row in rows
    )
    return f'<table id="{css_id}"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def _matrix(report: TrafficReport, pairs: dict[tuple[str, str], int]) -> str:
    totals: dict[str, int] = defaultdict(int)
    cells: dict[tuple[str, str], dict[str, Any]] = {}
    for row in report.matrix:
        pair = (row["client_network"], row["server_network"])
        cells[pair] = row
        totals[pair[0]] += _bytes(row)
        totals[pair[1]] += _bytes(row)
    clients = sorted({p[0] for p in cells}, key=lambda n: (-totals[n], n))
    servers = sorted({p[1] for p in cells}, key=lambda n: (-totals[n], n))
    if not cells:
        return '<p class="empty" id="matrix">No traffic in this window.</p>'
    top = max(_bytes(r) for r in cells.values())
    head = '<th class="corner">client ↓ / server →</th>' + "".join(
        f'<th scope="col">{_e(s)}</th>' for s in servers
    )
    lines = []
    for client in clients:
        tds = []
        for server in servers:
            found = cells.get((client, server))
            if found is None:
                tds.append('<td class="cell zero">·</td>')
                continue
            value = _bytes(found)
            tip = (
                f"{client} → {server}: {human_bytes(value)}, {_int(found['connections']):,} "
                f"connections, {_int(found['clients']):,} clients, {_int(found['servers']):,} "
                f"servers, last seen {found['last_seen']}"
            )
            tds.append(
                f'<td class="cell" style="{_heat(value, top)}" title="{_e(tip)}" '
                f'data-bytes="{value}"><a href="#{_pair_id(pairs[(client, server)])}">'
                f"{_e(human_bytes(value))}</a></td>"
            )
        lines.append(f'<tr><th scope="row">{_e(client)}</th>{"".join(tds)}</tr>')
    return (
        f'<table id="matrix"><thead><tr>{head}</tr></thead><tbody>{"".join(lines)}</tbody>'
        "</table>"
        '<p class="note">Bytes both ways of the connections clients in the row\'s network '
        "opened to servers in the column's network (darker: more, log scale). Click a cell "
        "for its servers.</p>"
    )


def _days(report: TrafficReport) -> list[str]:
    days = sorted({row["day"] for row in report.daily})
    return days or [report.first_day]


def _timeline(report: TrafficReport, order: list[tuple[str, str]]) -> str:
    per_pair: dict[tuple[str, str], dict[str, int]] = defaultdict(dict)
    for row in report.daily:
        per_pair[(row["client_network"], row["server_network"])][row["day"]] = _bytes(row)
    days = _days(report)
    width, height, gap = 8, 40, 2
    figures = []
    for pair in order:
        values = per_pair.get(pair, {})
        top = max(values.values(), default=0)
        bars = []
        for i, day in enumerate(days):
            value = values.get(day, 0)
            bar = max(1, round(height * value / top)) if top and value else 1
            css = "" if value else ' class="none"'
            bars.append(
                f'<rect{css} x="{i * (width + gap)}" y="{height - bar}" width="{width}" '
                f'height="{bar}"><title>{_e(day)}: {_e(human_bytes(value))}</title></rect>'
            )
        svg_width = len(days) * (width + gap)
        figures.append(
            f'<figure class="pair-timeline" data-pair="{_e(pair[0])}→{_e(pair[1])}">'
            f'<svg xmlns="http://www.w3.org/2000/svg" width="{svg_width}" height="{height}" '
            f'viewBox="0 0 {svg_width} {height}" role="img" aria-label="bytes per day">'
            f"{''.join(bars)}</svg><figcaption>{_e(pair[0])} → {_e(pair[1])}: "
            f"peak {_e(human_bytes(top))}/day</figcaption></figure>"
        )
    return (
        f'<div class="timeline" id="timeline">{"".join(figures)}</div>'
        f'<p class="note">One bar per day, {_e(days[0])} to {_e(days[-1])}: bytes of the '
        "connections that started that day (UTC; one across midnight counts on its first day)."
        "</p>"
    )


def _servers(
    report: TrafficReport, order: list[tuple[str, str]], pairs: dict[tuple[str, str], int]
) -> str:
    by_pair: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    for row in report.servers:
        by_pair[(row["client_network"], row["server_network"])].append(row)
    parts = []
    for pair in order:
        rows = [
            [
                _e(f"{r['server']}:{r['server_port']}"),
                _e(PROTOCOLS.get(_int(r["protocol"]), r["protocol"])),
                f"{_int(r['clients']):,}",
                f"{_int(r['connections']):,}",
                _e(human_bytes(_bytes(r))),
                _e(r["last_seen"]),
            ]
            for r in by_pair.get(pair, [])
        ]
        table = _table(
            ["server:port", "protocol", "clients", "connections", "bytes", "last seen"],
            rows,
            {2, 3, 4},
            f"servers-{pairs[pair]}",
        )
        servers = f"{len(rows)} server" + ("" if len(rows) == 1 else "s")
        parts.append(
            f'<details class="pair" id="{_pair_id(pairs[pair])}"><summary>{_e(pair[0])} → '
            f"{_e(pair[1])} ({servers})</summary>{table}</details>"
        )
    return "".join(parts)


_AWS_NOTE = (
    '<p class="note">Traffic to S3 or DynamoDB through a NAT gateway could take a free '
    "gateway endpoint instead. Regions come from AWS's ranges (--aws-ranges).</p>"
)


def _aws(report: TrafficReport) -> str:
    rows = [
        [
            _e(r["service"]),
            _e(r["region"] or "?"),
            _e(r["labelled_by"]),
            f"{_int(r['connections']):,}",
            _e(human_bytes(_int(r["bytes_to_service"]))),
            _e(human_bytes(_int(r["bytes_from_service"]))),
            f"{float(r['nat_share'] or 0):.0%}",
            _e(r["last_seen"]),
        ]
        for r in report.aws_services
    ]
    return (
        _table(
            [
                "service",
                "region",
                "labelled by",
                "connections",
                "bytes to",
                "bytes from",
                "through NAT",
                "last seen",
            ],
            rows,
            {3, 4, 5, 6},
            "aws-services",
        )
        + _AWS_NOTE
    )


def _conversations(rows: list[dict[str, Any]], css_id: str) -> str:
    body = [
        [
            _e(r["client_network"]),
            _e(r["client"]),
            _e(r["server_network"]),
            _e(f"{r['server']}:{r['server_port']}"),
            f'<span class="{_e(r["action"])}">{_e(r["action"])}</span>',
            f"{_int(r['connections']):,}",
            _e(r["last_seen"]),
        ]
        for r in rows
    ]
    return _table(
        ["client network", "client", "server network", "server:port", "action", "connections",
         "last seen"],
        body,
        {5},
        css_id,
    )  # fmt: skip


def render_html(report: TrafficReport) -> str:
    """The whole page."""
    order = [(r["client_network"], r["server_network"]) for r in report.matrix]
    pairs = {pair: i for i, pair in enumerate(order)}
    total = sum(_bytes(r) for r in report.matrix)
    connections = sum(_int(r["connections"]) for r in report.matrix)
    cards = [
        (human_bytes(total), "bytes between networks"),
        (f"{len(order):,}", "network pairs"),
        (f"{connections:,}", "connections"),
        (f"{sum(_int(r['connections']) for r in report.rejected):,}", "rejected connections"),
        (f"{len(report.remote_admin):,}", "remote-admin rows"),
    ]
    networks = "; ".join(f"{_e(n)}: {_e(', '.join(c))}" for n, c in report.networks.items())
    ranges = report.aws_ranges
    aws_line = (
        f" AWS ranges: syncToken {_e(ranges['syncToken'])}, createDate {_e(ranges['createDate'])}."
        if ranges
        else " No AWS ranges file: AWS addresses count as internet unless pkt-*-aws-service "
        "names them."
    )
    notes = "".join(f'<p class="note">{_e(n)}</p>' for n in report.notes)
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Traffic between networks {_e(report.first_day)} to {_e(report.last_day)}</title>
<style>{_CSS}</style></head>
<body>
<h1>Traffic between networks</h1>
<p class="meta">{_e(report.first_day)} to {_e(report.last_day)} (UTC days). Networks: {networks}.
{aws_line}</p>
<div class="cards">{
        "".join(
            f'<div class="card"><div class="n">{_e(n)}</div><div class="l">{_e(label)}</div></div>'
            for n, label in cards
        )
    }</div>{notes}
<section id="map-section"><h2>Map: client network → server network</h2>
{_matrix(report, pairs)}</section>
<section id="timeline-section"><h2>Daily timeline per pair</h2>
{_timeline(report, order)}</section>
<section id="servers-section"><h2>Servers per pair (can I remove this peering?)</h2>
<p class="note">Per pair the servers clients used, most bytes first: a pair whose list is empty
in a long enough window carries no traffic.</p>
{_servers(report, order, pairs)}</section>
<section id="aws-section"><h2>AWS services</h2>
{_aws(report)}</section>
<section id="rejected-section"><h2>Rejected traffic</h2>
{_conversations(report.rejected, "rejected")}</section>
<section id="admin-section"><h2>Remote-admin exposure (SSH, RDP from outside)</h2>
{_conversations(report.remote_admin, "remote-admin")}</section>
<script>{_SCRIPT}</script>
</body></html>
"""
