"""The usage report as one self-contained HTML file, and as JSON or CSV files.

The HTML needs nothing but a browser: inline CSS, no script, no font or image from anywhere. It
shows the window and inputs, a rule-by-day heatmap of connection counts, the rules never used,
the rules whose only matches are ICMP exchanges without a known initiator, overlapping rules,
unused ENIs, public exposure, and starts no rule explains.
"""

from __future__ import annotations

import csv
import html
import io
import json
import math
from collections import Counter
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from vpc_cidr_analysis.files import atomic_write
from vpc_cidr_analysis.output import json_value, text_value
from vpc_cidr_analysis.usage.inventory import protocol_name
from vpc_cidr_analysis.usage.match import UsageReport

_CSS = """
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif;margin:24px;
color:#1d2733;background:#fff}
h1{font-size:22px;margin:0 0 4px}
h2{font-size:17px;margin:28px 0 8px;border-bottom:1px solid #d8dee6;padding-bottom:4px}
.meta{color:#4a5868;margin:0 0 12px}.meta b{color:#1d2733}
.cards{display:flex;flex-wrap:wrap;gap:10px;margin:12px 0}
.card{border:1px solid #d8dee6;border-radius:6px;padding:8px 14px;min-width:120px}
.card .n{font-size:22px;font-weight:600}.card .l{color:#4a5868;font-size:12px}
.card.warn .n{color:#b3261e}
table{border-collapse:collapse;font-size:12.5px}
th,td{border:1px solid #e1e6ec;padding:3px 6px;text-align:left;vertical-align:top}
th{background:#f3f5f8;font-weight:600}
td.num{text-align:right;font-variant-numeric:tabular-nums}
.heat td.c{text-align:center;min-width:30px;font-variant-numeric:tabular-nums}
.heat td.z{color:#b7c0ca}
.heat th.d{writing-mode:vertical-rl;transform:rotate(180deg);font-weight:500;padding:4px 2px}
.tag{display:inline-block;border-radius:3px;padding:0 5px;font-size:11.5px}
.used{background:#e3f4e8;color:#17612d}.never{background:#fde7e5;color:#9b1c14}
.maybe{background:#fff3d6;color:#7a5300}.unattached{background:#eceff3;color:#4a5868}
.legend span{display:inline-block;width:22px;height:12px;margin-right:2px;vertical-align:middle}
.note{color:#4a5868;font-size:12.5px;max-width:1100px}
.empty{color:#4a5868;font-style:italic}
"""
_STATUS_CLASS = {
    "used": "used",
    "never used": "never",
    "maybe used": "maybe",
    "group unattached": "unattached",
}


def _e(value: Any) -> str:
    return html.escape(text_value(value) if value is not None else "", quote=True)


def _heat_color(count: int, top: int) -> str:
    """Background for a heatmap cell: white for 0, then light to dark blue on a log scale."""
    if count <= 0 or top <= 0:
        return "#ffffff"
    share = math.log1p(count) / math.log1p(top)
    lightness = 94 - 60 * share
    return f"hsl(212,70%,{lightness:.0f}%)"


def _text_color(count: int, top: int) -> str:
    return "#ffffff" if top and math.log1p(count) / math.log1p(top) > 0.6 else "#1d2733"


def _table(columns: Sequence[str], rows: Sequence[Sequence[Any]], empty: str) -> str:
    if not rows:
        return f'<p class="empty">{html.escape(empty)}</p>'
    head = "".join(f"<th>{html.escape(c)}</th>" for c in columns)
    body = []
    for row in rows:
        cells = []
        for column, value in zip(columns, row, strict=True):
            if column == "status":
                cls = _STATUS_CLASS.get(str(value), "")
                cells.append(f'<td><span class="tag {cls}">{_e(value)}</span></td>')
            elif isinstance(value, (int, float)) and not isinstance(value, bool):
                cells.append(f'<td class="num">{value:,}</td>')
            else:
                cells.append(f"<td>{_e(value)}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def _pick(
    report_columns: Sequence[str], rows: Sequence[Sequence[Any]], keep: Sequence[str]
) -> list[tuple[Any, ...]]:
    index = [report_columns.index(c) for c in keep]
    return [tuple(row[i] for i in index) for row in rows]


def _heatmap(report: UsageReport) -> str:
    days, rows = report.heatmap()
    if not rows:
        return '<p class="empty">The inventory holds no security-group rules.</p>'
    top = max((max(counts) for _, counts in rows if counts), default=0)
    head = (
        "<th>rule</th><th>group</th><th>direction</th><th>protocol</th><th>ports</th><th>peer</th>"
        + "".join(f'<th class="d">{html.escape(d[5:])}</th>' for d in days)
        + "<th>total</th><th>status</th>"
    )
    body = []
    for rule, counts in rows:
        group = report.inventory.group(rule.group_id)
        cells = [
            f'<td class="rule" title="{_e(rule.description)}">{_e(rule.id)}</td>',
            f'<td title="{_e(rule.group_id)}">{_e(group.name if group else rule.group_id)}</td>',
            f"<td>{_e(rule.direction)}</td>",
            f"<td>{_e(protocol_name(rule.protocol))}</td>",
            f"<td>{_e(rule.ports)}</td>",
            f"<td>{_e(report.peer_text(rule))}</td>",
        ]
        for day, count in zip(days, counts, strict=True):
            style = f"background:{_heat_color(count, top)};color:{_text_color(count, top)}"
            cls = "c" if count else "c z"
            cells.append(
                f'<td class="{cls}" style="{style}" title="{_e(rule.id)} {_e(day)}: {count}">'
                f"{count if count else '·'}</td>"
            )
        cells.append(f'<td class="num">{sum(counts):,}</td>')
        status = report.rule_status(report.rules[rule.id])
        cells.append(f'<td><span class="tag {_STATUS_CLASS[status]}">{_e(status)}</span></td>')
        body.append(f'<tr data-rule="{_e(rule.id)}">' + "".join(cells) + "</tr>")
    legend = "".join(
        f'<span style="background:{_heat_color(n, top)}"></span>'
        for n in (1, 3, 10, 30, 100, 300)
        if n <= max(top, 1)
    )
    return (
        f'<p class="legend note">Connections admitted per day; darker is more (log scale, '
        f"darkest = {top:,}). {legend}</p>"
        f'<table class="heat"><thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody></table>'
    )


def render_html(report: UsageReport, *, title: str = "Network interface and rule usage") -> str:
    """The whole report as one HTML document."""
    inv = report.inventory
    rule_rows = report.rule_rows()
    statuses = [r[-1] for r in rule_rows]
    unused = report.unused_rows()
    exposure = report.exposure_rows()
    unexplained = report.unexplained_rows()
    first, last = (report.days[0], report.days[-1]) if report.days else ("", "")
    filters = "".join(
        f"<b>{html.escape(k)}</b>: {html.escape(v)}<br>" for k, v in report.filters.items()
    )
    skipped = ", ".join(f"{k}: {v:,}" for k, v in sorted(report.resolution.skipped.items()))
    cards = [
        (len(rule_rows), "rules", False),
        (statuses.count("used"), "used", False),
        (statuses.count("never used"), "never used", statuses.count("never used") > 0),
        (statuses.count("maybe used"), "maybe used (ICMP, initiator unknown)", False),
        (len(inv.network_interfaces), "network interfaces", False),
        (len(unused), "unused ENIs", len(unused) > 0),
        (len(exposure), "public exposures", False),
        (sum(r[-1] for r in unexplained), "starts no rule explains", bool(unexplained)),
    ]
    card_html = "".join(
        f'<div class="card{" warn" if warn else ""}"><div class="n">{n:,}</div>'
        f'<div class="l">{html.escape(label)}</div></div>'
        for n, label, warn in cards
    )
    cols = UsageReport.RULE_COLUMNS
    never = _pick(
        cols,
        [r for r in rule_rows if r[-1] in ("never used", "group unattached")],
        ("group_name", "group_id", "rule_id", "direction", "protocol", "ports", "peer",
         "description", "status"),
    )  # fmt: skip
    maybe = _pick(
        cols,
        [r for r in rule_rows if r[-1] == "maybe used"],
        ("group_name", "rule_id", "direction", "protocol", "ports", "peer", "ambiguous"),
    )
    overlapping = _pick(
        cols,
        [r for r in rule_rows if r[12]],
        ("group_name", "rule_id", "direction", "protocol", "ports", "peer", "connections",
         "overlapping", "overlaps_with"),
    )  # fmt: skip
    generated = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    sections = [
        f"<h1>{html.escape(title)}</h1>",
        f'<p class="meta">Window <b>{_e(first)}</b> to <b>{_e(last)}</b> ({len(report.days)} '
        f"days) · inventory of account <b>{_e(inv.account)}</b>, "
        f"{_e(', '.join(inv.regions))}, collected {_e(inv.collected_at)} ({_e(inv.source)}) · "
        f"generated {generated}</p>",
        f'<p class="meta">{filters}</p>' if filters else "",
        f'<div class="cards">{card_html}</div>',
        '<h2 id="heatmap">Rule usage by day</h2>',
        _heatmap(report),
        '<h2 id="never-used">Rules never used in the window</h2>',
        _table(
            (
                "group",
                "group id",
                "rule",
                "direction",
                "protocol",
                "ports",
                "peer",
                "description",
                "status",
            ),
            never,
            "Every rule admitted at least one connection.",
        ),
        '<h2 id="maybe-used">Rules maybe used</h2>',
        '<p class="note">Matched only by ICMP-like exchanges (no ports, no flags) between '
        "parties whose rules allow them both ways, so the logs cannot tell who started them. "
        "The ambiguous column counts the exchanges, per direction.</p>",
        _table(
            ("group", "rule", "direction", "protocol", "ports", "peer", "ambiguous"),
            maybe,
            "None.",
        ),
        '<h2 id="overlapping">Overlapping rules</h2>',
        '<p class="note">Rules that admitted connections another rule of the same ENI also '
        "admitted; each counts them.</p>",
        _table(
            (
                "group",
                "rule",
                "direction",
                "protocol",
                "ports",
                "peer",
                "connections",
                "overlapping",
                "overlaps with",
            ),
            overlapping,
            "No connection was admitted by more than one rule.",
        ),
        '<h2 id="unused-enis">Unused network interfaces</h2>',
        _table(
            (
                "ENI",
                "VPC",
                "subnet",
                "type",
                "description",
                "instance",
                "instance state",
                "private IPs",
                "public IPs",
                "security groups",
                "note",
            ),
            unused,
            "Every network interface of the inventory had accepted traffic.",
        ),
        '<h2 id="exposure">Public exposure</h2>',
        '<p class="note">Interfaces with a public IPv4 or an IPv6 address, and their inbound '
        "rules open to internet addresses, with the connections each admitted there.</p>",
        _table(
            (
                "ENI",
                "public addresses",
                "group id",
                "group",
                "rule",
                "protocol",
                "ports",
                "peer",
                "connections",
                "last used",
            ),
            exposure,
            "No public interface has a rule open to the internet.",
        ),
        '<h2 id="unexplained">Connection starts no rule explains</h2>',
        _table(
            ("ENI", "direction", "peer", "protocol", "port", "connections"),
            unexplained,
            "None: every accepted start matched a rule of its ENI.",
        ),
        '<h2 id="method">How this was counted</h2>',
        '<p class="note">A connection counts once per ENI that logged its start, for every '
        "rule of that ENI's groups admitting it in the direction it was started. Starts are TCP "
        "records with SYN but not SYN-ACK in tcp-flags; without tcp-flags, and for UDP, records "
        "whose destination port is below the source port. ICMP exchanges are attributed by the "
        "earlier record, then by which direction the rules admit. Replies and REJECT records "
        "never count. An ICMP rule's type and code are not in flow logs and are not checked. "
        f"Left out: {html.escape(skipped) if skipped else 'nothing'}.</p>",
    ]
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{html.escape(title)}</title>"
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<style>{_CSS}</style></head><body>\n"
        + "\n".join(s for s in sections if s)
        + "\n</body></html>\n"
    )


def report_tables(report: UsageReport) -> dict[str, tuple[Sequence[str], list[tuple[Any, ...]]]]:
    """Every table of the report by file stem: (columns, rows)."""
    days, heat = report.heatmap()
    heat_rows = [
        (rule.id, rule.group_id, rule.direction, *counts, sum(counts)) for rule, counts in heat
    ]
    return {
        "rules": (UsageReport.RULE_COLUMNS, report.rule_rows()),
        "heatmap": (("rule_id", "group_id", "direction", *days, "total"), heat_rows),
        "enis": (UsageReport.ENI_COLUMNS, report.eni_table()),
        "unused_enis": (UsageReport.UNUSED_COLUMNS, report.unused_rows()),
        "exposure": (UsageReport.EXPOSURE_COLUMNS, report.exposure_rows()),
        "unexplained": (UsageReport.UNEXPLAINED_COLUMNS, report.unexplained_rows()),
    }


def report_json(report: UsageReport) -> dict[str, Any]:
    """The report as JSON data: the window, the inputs and every table as lists of objects."""
    tables = {
        name: [json_value(dict(zip(columns, row, strict=True))) for row in rows]
        for name, (columns, rows) in report_tables(report).items()
    }
    return {
        "window": {
            "first_day": report.days[0] if report.days else None,
            "last_day": report.days[-1] if report.days else None,
            "days": report.days,
        },
        "filters": report.filters,
        "inventory": {
            "account": report.inventory.account,
            "regions": list(report.inventory.regions),
            "collected_at": report.inventory.collected_at,
        },
        "skipped": dict(report.resolution.skipped),
        **tables,
    }


def write_json(report: UsageReport, path: Path) -> Path:
    return atomic_write(path, json.dumps(report_json(report), indent=2) + "\n")


def write_csv(report: UsageReport, directory: Path) -> list[Path]:
    """One CSV per table (rules.csv, heatmap.csv, enis.csv, …) in a folder."""
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for name, (columns, rows) in report_tables(report).items():
        text = io.StringIO()
        writer = csv.writer(text, lineterminator="\n")
        writer.writerow(columns)
        writer.writerows([text_value(v) for v in row] for row in rows)
        written.append(atomic_write(directory / f"{name}.csv", text.getvalue()))
    return written


def summary_text(report: UsageReport) -> str:
    """The report in one paragraph: rules by status, unused ENIs, the window."""
    statuses = Counter(str(row[-1]) for row in report.rule_rows())
    window = f"{report.days[0]} to {report.days[-1]}" if report.days else "no days"
    unused = len(report.unused_rows())
    return (
        f"{sum(statuses.values())} security-group rules: {statuses['used']} used, "
        f"{statuses['never used']} never used, {statuses['maybe used']} maybe used, "
        f"{statuses['group unattached']} in groups on no interface; "
        f"{len(report.inventory.network_interfaces)} network interfaces, {unused} without "
        f"accepted traffic; window {window}, flow logs from "
        f"{report.filters.get('flow logs', 'Athena')}."
    )
