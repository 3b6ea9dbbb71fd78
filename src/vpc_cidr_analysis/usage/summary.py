"""The scheduled usage report: inventory + the stack's saved usage queries on Athena, as a
short plain-text summary published to an SNS topic (e-mailed to its subscribers).

The stack's `UsageReportFunction` (functions/usage_report/app.py) is a thin handler over this
module. It runs where only the standard library and boto3 exist, so this module and what it
imports (usage, inventory, athena, queries) must stay free of duckdb, sqlglot and click.

The SQL comes from the stack's own saved queries (`AWS::Athena::NamedQuery`, generated from
queries/*.sql with the stack's database in place), read with `athena:GetNamedQuery`: the
function carries no copy of the pack, and runs exactly what the console user sees.

Settings, one rule for all of them: explicit argument (the invocation event), then environment
variable, then default.
"""

from __future__ import annotations

import tempfile
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from vpc_cidr_analysis import settings
from vpc_cidr_analysis.errors import AnalysisError
from vpc_cidr_analysis.pack.athena import AthenaResult, AthenaSettings, resolve_settings, run_query
from vpc_cidr_analysis.pack.queries import Query, athena_literal, load_queries, window_days
from vpc_cidr_analysis.usage.inventory import Inventory, collect
from vpc_cidr_analysis.usage.match import (
    UsageReport,
    analyse,
    connection_rows,
    day_range,
    eni_usage_records,
)

#: SNS limits: a message body is at most 256 KB (262,144 bytes) and a subject (e-mail
#: endpoints) at most 100 printable ASCII characters on one line.
MESSAGE_LIMIT = 262_144
SUBJECT_LIMIT = 100
DAYS_LIMIT = 3660  # the queries' `days` parameter range is 1..3660

#: Environment variable -> ReportSettings field (the template sets them).
#: ReportSettings field -> the environment variable that sets it.
ENVIRONMENT = {
    "topic_arn": settings.USAGE_REPORT_TOPIC_ARN,
    "days": settings.USAGE_DAYS,
    "top": settings.USAGE_REPORT_TOP,
    "sg_connections_query_id": settings.SG_CONNECTIONS_QUERY_ID,
    "eni_usage_query_id": settings.ENI_USAGE_QUERY_ID,
    "stack_name": settings.STACK_NAME,
}
DEFAULTS: dict[str, str] = {"days": "7", "top": "10", "stack_name": "vpc-cidr-analysis"}
REQUIRED = ("topic_arn", "sg_connections_query_id", "eni_usage_query_id")


class ReportConfigError(AnalysisError, ValueError):
    """A setting of the scheduled report is missing or malformed."""


@dataclass(frozen=True)
class ReportSettings:
    """What the scheduled report needs besides the Athena settings."""

    topic_arn: str
    sg_connections_query_id: str
    eni_usage_query_id: str
    days: int = 7
    top: int = 10
    stack_name: str = "vpc-cidr-analysis"


def report_settings(
    explicit: Mapping[str, Any] | None = None, environ: Mapping[str, str] | None = None
) -> ReportSettings:
    """Explicit values (e.g. `{"days": 30}` in the event), then environment, then defaults."""
    values = settings.resolve_all(explicit or {}, ENVIRONMENT, DEFAULTS, environ)
    missing = [ENVIRONMENT[name] for name in REQUIRED if not values.get(name)]
    if missing:
        raise ReportConfigError(
            f"the usage report needs {', '.join(missing)} (the stack sets them); "
            "set them in the function's environment"
        )
    return ReportSettings(
        topic_arn=values["topic_arn"],
        sg_connections_query_id=values["sg_connections_query_id"],
        eni_usage_query_id=values["eni_usage_query_id"],
        days=_whole_number("days (USAGE_DAYS)", values["days"], 1, DAYS_LIMIT),
        top=_whole_number("top (USAGE_REPORT_TOP)", values["top"], 1, 1000),
        stack_name=values["stack_name"],
    )


def _whole_number(name: str, text: str, low: int, high: int) -> int:
    try:
        number = int(text)
    except ValueError:
        number = low - 1
    if not low <= number <= high:
        raise ReportConfigError(f"{name} is {text!r}; expected a whole number {low}..{high}")
    return number


def saved_query(athena: Any, named_query_id: str, name: str) -> Query:
    """A saved query of the stack (`athena:GetNamedQuery`), parsed and checked as a pack file.

    The saved text is the query file's header and SQL; it is read through the pack's own
    parser (a one-file folder), so a query whose header or placeholders are wrong is refused.
    """
    text = str(athena.get_named_query(NamedQueryId=named_query_id)["NamedQuery"]["QueryString"])
    with tempfile.TemporaryDirectory(prefix="usage-report-") as folder:
        (Path(folder) / f"{name}.sql").write_text(text, encoding="utf-8")
        queries = load_queries(Path(folder))
    if name not in queries:  # pragma: no cover - load_queries names a file's query by its stem
        raise ReportConfigError(f"saved query {named_query_id} is not {name}")
    return queries[name]


def run_report(
    inventory: Inventory,
    athena: Any,
    athena_settings: AthenaSettings,
    settings: ReportSettings,
    today: date | None = None,
) -> UsageReport:
    """Run `sg_connections` and `eni_usage` for the last `days` days and match the inventory."""
    connections_query = saved_query(athena, settings.sg_connections_query_id, "sg_connections")
    usage_query = saved_query(athena, settings.eni_usage_query_id, "eni_usage")
    values = {"days": str(settings.days), "start_day": "", "end_day": ""}
    connections = _run(connections_query, values, athena, athena_settings)
    eni = _run(usage_query, values, athena, athena_settings)
    bound = connections_query.bind(values)
    days = day_range(window_days(connections_query, bound, today or datetime.now(UTC).date()))
    filters = {
        "flow logs": (
            f"Athena workgroup {athena_settings.workgroup}, database {athena_settings.database}"
        ),
        "inventory": f"account {inventory.account}, {', '.join(inventory.regions)}",
        "window": f"{days[0]} to {days[-1]} (last {settings.days} days)",
    }
    return analyse(
        inventory,
        connection_rows(connections.columns, connections.rows),
        eni_usage_records(eni.columns, eni.rows),
        days,
        filters,
    )


def _run(
    query: Query, values: Mapping[str, str], athena: Any, settings: AthenaSettings
) -> AthenaResult:
    """`runner.run_athena` without `runner`, whose local-engine branch would bring the
    DuckDB engine's modules into the function's inline code."""
    literals = [athena_literal(value) for value in query.bind(values)]
    return run_query(athena, query.sql, literals, settings)


@dataclass(frozen=True)
class Summary:
    """What is published: a subject line and a plain-text body within SNS's limits."""

    subject: str
    message: str
    counts: dict[str, int]


def _rule_line(row: Sequence[Any]) -> str:
    rule_id, group_id, group_name, direction, protocol, ports, peer, description = row[:8]
    group = f"{group_id} ({group_name})" if group_name else group_id
    if protocol == "all":
        traffic = "all traffic"
    else:
        traffic = f"{protocol} {'all ports' if ports == 'all' else ports}"
    way = "from" if direction == "ingress" else "to"
    text = f"  {rule_id}  {group}  {direction} {traffic} {way} {peer}"
    return text + (f'  "{description}"' if description else "")


def _eni_line(row: Sequence[Any]) -> str:
    eni_id, vpc_id, _subnet, kind, description, instance_id = row[:6]
    parts = [f"  {eni_id}  {vpc_id}  {kind}"]
    if instance_id:
        parts.append(f"instance {instance_id}")
    if description:
        parts.append(f'"{description}"')
    return "  ".join(parts)


def summarise(report: UsageReport, settings: ReportSettings) -> Summary:
    """Counts of rules by status and of unused ENIs, the first `top` never-used rules and
    unused ENIs, and the window, as a subject and a plain-text message."""
    rows = report.rule_rows()
    statuses = Counter(str(row[-1]) for row in rows)
    never = [row for row in rows if row[-1] == "never used"]
    unused = report.unused_rows()
    regions = " --region ".join(report.inventory.regions)
    window = f"{report.days[0]} to {report.days[-1]}" if report.days else "(no days)"
    counts = {
        "rules": len(rows),
        "used": statuses["used"],
        "never_used": statuses["never used"],
        "maybe_used": statuses["maybe used"],
        "group_unattached": statuses["group unattached"],
        "network_interfaces": len(report.inventory.network_interfaces),
        "unused_network_interfaces": len(unused),
    }
    lines = [
        f"Usage of security-group rules and network interfaces, {window} "
        f"(last {settings.days} days, UTC).",
        f"Account {report.inventory.account}, region {', '.join(report.inventory.regions)}; "
        f"flow logs from {report.filters.get('flow logs', 'Athena')}.",
        "",
        f"Security-group rules: {counts['rules']}",
        f"  used                       {counts['used']:>6}",
        f"  never used                 {counts['never_used']:>6}",
        f"  maybe used (ICMP)          {counts['maybe_used']:>6}",
        f"  in groups on no interface  {counts['group_unattached']:>6}",
        f"Network interfaces: {counts['network_interfaces']}",
        f"  without accepted traffic   {counts['unused_network_interfaces']:>6}",
    ]
    if never:
        lines += ["", f"Never-used rules (first {min(settings.top, len(never))} of {len(never)}):"]
        lines += [_rule_line(row) for row in never[: settings.top]]
    if unused:
        lines += [
            "",
            f"Network interfaces without accepted traffic "
            f"(first {min(settings.top, len(unused))} of {len(unused)}):",
        ]
        lines += [_eni_line(row) for row in unused[: settings.top]]
    lines += [
        "",
        "The full report (rule-by-day heatmap, HTML, CSV, JSON):",
        f"  vpc-cidr-analysis inventory --out inventory.json --region {regions}",
        f"  vpc-cidr-analysis usage report --inventory inventory.json --engine athena "
        f"--stack {settings.stack_name} --days {settings.days} --html report.html",
    ]
    message = _fit("\n".join(lines) + "\n", MESSAGE_LIMIT)
    subject = _subject(
        f"{settings.stack_name}: {counts['never_used']} never-used rules, "
        f"{counts['unused_network_interfaces']} unused ENIs, {window}"
    )
    return Summary(subject, message, counts)


def _subject(text: str) -> str:
    """One line of printable ASCII, at most 100 characters (SNS's rule for subjects)."""
    ascii_text = "".join(c if " " <= c <= "~" else "?" for c in text)
    if len(ascii_text) <= SUBJECT_LIMIT:
        return ascii_text
    return ascii_text[: SUBJECT_LIMIT - 3] + "..."


def _fit(message: str, limit: int) -> str:
    """The message, cut at a line end with a note when it would exceed `limit` bytes."""
    if len(message.encode("utf-8")) <= limit:
        return message
    note = "\n[cut to fit SNS's 256 KB message limit: run the full report for the rest]\n"
    room = limit - len(note.encode("utf-8"))
    cut = message.encode("utf-8")[:room].decode("utf-8", errors="ignore")
    return cut[: cut.rfind("\n") + 1] + note


def publish(sns: Any, topic_arn: str, summary: Summary) -> str:
    """Publish the summary to the topic; return SNS's message id."""
    response = sns.publish(TopicArn=topic_arn, Subject=summary.subject, Message=summary.message)
    return str(response["MessageId"])


def scheduled_report(
    event: Mapping[str, Any] | None,
    *,
    session: Any,
    athena: Any,
    sns: Any,
    environ: Mapping[str, str] | None = None,
    today: date | None = None,
) -> dict[str, Any]:
    """Everything the function does: settings, inventory of this region, the two queries,
    matching, summary, publish. Returns what was published (ids and counts)."""
    explicit = dict(event or {})
    settings = report_settings(explicit, environ)
    athena_settings = resolve_settings({}, environ)
    region = athena_settings.region or session.region_name
    if not region:
        raise ReportConfigError("no region: set AWS_REGION (Lambda sets it)")
    inventory = collect(session, [region])
    report = run_report(inventory, athena, athena_settings, settings, today)
    summary = summarise(report, settings)
    message_id = publish(sns, settings.topic_arn, summary)
    return {
        "topic_arn": settings.topic_arn,
        "message_id": message_id,
        "subject": summary.subject,
        "window": report.filters["window"],
        **summary.counts,
    }
