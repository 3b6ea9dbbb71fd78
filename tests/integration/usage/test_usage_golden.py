"""Golden: rule and ENI usage from simulated logs equal the simulator's own account of them.

The truth is what the simulator recorded while generating (ground_truth.json: `pattern_use`,
the conversations of each traffic pattern, and `rule_use`, the rules each conversation was
generated for, per ENI and day), never the records, the SQL or a matcher: every counted rule,
every never-used rule and every unused ENI is checked, in logs with and without tcp-flags and
flow-direction.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest

from vpc_cidr_analysis.pack.queries import load_queries, window_days
from vpc_cidr_analysis.pack.runner import run_local
from vpc_cidr_analysis.simulate.simulator import (
    SampleConfig,
    iter_records,
    pattern_use,
    read_ground_truth,
    rule_use,
    write_sample,
)
from vpc_cidr_analysis.simulate.topology import Topology, default_topology, rule_id
from vpc_cidr_analysis.usage.inventory import read_inventory
from vpc_cidr_analysis.usage.match import (
    UsageReport,
    analyse,
    connection_rows,
    day_range,
    eni_usage_records,
)

END = date(2026, 11, 27)
QUERIES = load_queries()
V2 = "version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes "
V2 += "start end action log-status"
DATASETS = {
    "v5-text": SampleConfig(records=5000, days=12, end_date=END, seed=21),
    "v2-text": SampleConfig(records=4000, days=12, end_date=END, seed=27, fields=V2),
    "flags-no-direction-parquet": SampleConfig(
        records=4000, days=12, end_date=END, seed=23, file_format="parquet",
        fields=V2 + " tcp-flags",
    ),
}  # fmt: skip
#: Pings between two ENIs of VPC-A whose group allows ICMP both ways: no record shows who
#: started them, so they are reported as ambiguous rather than counted.
AMBIGUOUS_PATTERNS = {"a-internal-ping"}


@pytest.fixture(scope="module", params=sorted(DATASETS))
def analysed(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Any:
    config = DATASETS[request.param]
    path = tmp_path_factory.mktemp(request.param)
    write_sample(config, path)
    report = _analyse(path)
    return request.param, config, path, report


def _analyse(path: Path) -> UsageReport:
    conn = run_local(QUERIES["sg_connections"], {}, str(path), today=END)
    eni = run_local(QUERIES["eni_usage"], {}, str(path), today=END)
    query = QUERIES["sg_connections"]
    days = day_range(window_days(query, query.bind({}), END))
    return analyse(
        read_inventory(path),
        connection_rows(conn.columns, conn.rows),
        eni_usage_records(eni.columns, eni.rows),
        days,
    )


def _truth(path: Path, days: list[str]) -> tuple[Counter[str], Counter[str], Counter[str]]:
    """(connections per rule, ambiguous conversations per rule, conversations per pattern) in
    the window's days, as the simulator recorded them."""
    truth = read_ground_truth(path)
    counted: Counter[str] = Counter()
    ambiguous: Counter[str] = Counter()
    patterns: Counter[str] = Counter()
    for row in rule_use(truth, days[0], days[-1]):
        side = ambiguous if row["pattern"] in AMBIGUOUS_PATTERNS else counted
        side[row["rule_id"]] += row["connections"]
    for row in pattern_use(truth, days[0], days[-1]):
        patterns[row["pattern"]] += row["conversations"]
    return counted, ambiguous, patterns


def _rid(topology: Topology, group: str, direction: str, index: int) -> str:
    return rule_id(topology.security_group(group).id, direction, index)


def test_counts_per_rule_equal_the_simulation(analysed: Any) -> None:
    _, _, path, report = analysed
    counted, ambiguous, patterns = _truth(path, report.days)
    got = {rid: use.connections for rid, use in report.rules.items() if use.connections}
    assert got == dict(counted)
    by_eni: dict[str, Counter[str]] = defaultdict(Counter)
    for row in rule_use(read_ground_truth(path), report.days[0], report.days[-1]):
        if row["pattern"] not in AMBIGUOUS_PATTERNS:
            by_eni[row["rule_id"]][row["eni_id"]] += row["connections"]
    assert {rid: dict(use.by_eni) for rid, use in report.rules.items() if use.connections} == {
        rid: dict(enis) for rid, enis in by_eni.items()
    }
    assert patterns["a-internal-ping"] > 0
    # each of the two ENIs reports the exchange for its ingress and its egress candidate rule
    got_ambiguous = {rid: use.ambiguous for rid, use in report.rules.items() if use.ambiguous}
    assert got_ambiguous == {rid: 2 * n for rid, n in ambiguous.items()}
    assert not report.unexplained


def test_never_used_rules_and_statuses(analysed: Any) -> None:
    _, _, path, report = analysed
    counted, ambiguous, _ = _truth(path, report.days)
    t = default_topology()
    statuses = {row[0]: row[-1] for row in report.rule_rows()}
    never = {rid for rid, status in statuses.items() if status == "never used"}
    assert never == set(report.rules) - set(counted) - set(ambiguous)
    assert {
        _rid(t, "a-db", "ingress", 4),  # old MySQL rule
        _rid(t, "a-alb", "ingress", 2),  # port 80
        _rid(t, "a-admin", "ingress", 1),  # RDP from the office
        _rid(t, "a-eks-pods", "ingress", 0),  # all traffic from the pods' block
    } <= never
    assert statuses[_rid(t, "a-app", "ingress", 1)] == "maybe used"  # ping from A
    assert report.rule_rows(["maybe used"]) == [
        r for r in report.rule_rows() if r[0] == _rid(t, "a-app", "ingress", 1)
    ]


def test_each_kind_of_rule_is_counted(analysed: Any) -> None:
    _, _, path, report = analysed
    counted, _, patterns = _truth(path, report.days)
    t = default_topology()
    uses = report.rules
    icmp_from_b = _rid(t, "a-app", "ingress", 2)
    assert uses[icmp_from_b].connections == patterns["b-ping-a"] > 0  # ICMP
    icmpv6 = _rid(t, "a-web", "ingress", 3)
    assert uses[icmpv6].connections == patterns["web-icmpv6"] > 0  # ICMPv6 from outside
    v6_https = _rid(t, "a-alb", "ingress", 1)
    assert uses[v6_https].connections == patterns["alb-https-v6"] > 0  # IPv6 CIDR
    from_alb_group = _rid(t, "a-app", "ingress", 0)
    assert uses[from_alb_group].connections == patterns["alb-to-app"] > 0  # referenced group
    all_out = _rid(t, "a-eks-pods", "egress", 0)  # -1 to 0.0.0.0/0: pods to db, DNS, NAT
    assert uses[all_out].connections == counted[all_out] > 0
    assert uses[all_out].rule.protocol == -1


def test_overlapping_rules_count_for_each_and_are_flagged(analysed: Any) -> None:
    _, _, _, report = analysed
    t = default_topology()
    db_range = report.rules[_rid(t, "a-db", "ingress", 5)]
    from_app = report.rules[_rid(t, "a-db", "ingress", 0)]
    from_orders = report.rules[_rid(t, "a-db", "ingress", 1)]
    assert db_range.connections == from_app.connections + from_orders.connections > 0
    assert db_range.overlapping == db_range.connections
    assert db_range.overlaps_with == {from_app.rule.id, from_orders.rule.id}
    office = report.rules[_rid(t, "a-admin", "ingress", 0)]
    bastion = report.rules[_rid(t, "a-bastion", "ingress", 0)]
    assert office.connections == bastion.connections == office.overlapping > 0
    assert office.overlaps_with == {bastion.rule.id}  # across two groups of one ENI
    pods = report.rules[_rid(t, "a-db", "ingress", 2)]
    assert pods.connections > 0 and pods.overlapping == 0


def test_replies_and_rejects_never_count(analysed: Any) -> None:
    _, config, path, report = analysed
    _, _, patterns = _truth(path, report.days)
    t = default_topology()
    alb = {t.eni("a-alb-1").id, t.eni("a-alb-2").id}
    records = [
        r
        for r in iter_records(config)
        if r["interface-id"] in alb and r["log-status"] == "OK" and r["day"] >= report.days[0]
    ]
    sent = [r for r in records if r["srcaddr"] in {t.eni("a-alb-1").ipv4, t.eni("a-alb-2").ipv4}]
    # the ALB's egress records are its calls to the app servers and its replies to clients;
    # only the calls use its egress rule
    alb_out = report.rules[_rid(t, "a-alb", "egress", 0)]
    assert alb_out.connections == patterns["alb-to-app"]
    assert len(sent) > alb_out.connections + patterns["alb-https"] // 2
    # SSH scans are REJECTed at the web server: its SSH rule counts the bastion only
    ssh = report.rules[_rid(t, "a-web", "ingress", 2)]
    assert patterns["ssh-probes"] > 0 and ssh.connections == patterns["bastion-ssh"]


def test_per_day_counts_add_up(analysed: Any) -> None:
    _, _, path, report = analysed
    days, rows = report.heatmap()
    assert days == report.days and len(days) == 10
    by_day: dict[str, Counter[str]] = defaultdict(Counter)
    for row in rule_use(read_ground_truth(path), days[0], days[-1]):
        if row["pattern"] not in AMBIGUOUS_PATTERNS:
            by_day[row["rule_id"]][row["day"]] += row["connections"]
    assert {rule.direction for rule, counts in rows if any(counts)} == {"ingress", "egress"}
    for rule, counts in rows:
        assert counts == [by_day[rule.id][d] for d in days], rule.id
        assert sum(counts) == report.rules[rule.id].connections


def test_unused_enis_are_the_ones_without_traffic(analysed: Any) -> None:
    _, _, _, report = analysed
    spare = default_topology().eni("a-spare-1")
    assert [row[0] for row in report.unused_rows()] == [spare.id]
    statuses = {row[0]: row[-1] for row in report.eni_table()}
    assert statuses[spare.id] == "unused"
    assert sum(1 for s in statuses.values() if s == "used") == len(statuses) - 1


def test_eni_usage_sums_each_direction(analysed: Any) -> None:
    name, config, _, report = analysed
    totals: dict[str, Counter[str]] = defaultdict(Counter)
    peers: dict[str, set[str]] = defaultdict(set)
    t = default_topology()
    own = {e.id: {e.ipv4, e.ipv6} for e in t.enis}
    for r in iter_records(config):
        if r["log-status"] != "OK" or r["action"] != "ACCEPT" or r["day"] < report.days[0]:
            continue
        eni = str(r["interface-id"])
        side = "sent" if r["srcaddr"] in own[eni] or r.get("flow-direction") == "egress" else ""
        if r.get("flow-direction") == "ingress":
            side = "received"
        totals[eni]["flows"] += 1
        totals[eni]["bytes"] += int(str(r["bytes"]))
        if side:
            totals[eni][f"bytes_{side}"] += int(str(r["bytes"]))
            peers[eni].add(str(r["dstaddr"] if side == "sent" else r["srcaddr"]))
    rows = {r["interface_id"]: r for r in report.eni_rows.values()}
    assert set(rows) == set(totals)
    for eni, expected in totals.items():
        row = rows[eni]
        assert (row["flows"], row["bytes"]) == (expected["flows"], expected["bytes"])
        if name == "v5-text":  # flow-direction present
            assert row["bytes_sent"] == expected["bytes_sent"]
            assert row["bytes_received"] == expected["bytes_received"]
            assert row["bytes_sent"] + row["bytes_received"] == row["bytes"]
            assert row["peers"] == len(peers[eni])
        else:
            assert row["bytes_sent"] is None and row["peers"] is None
        assert isinstance(row["first_seen"], datetime)


def test_listening_ports_query_equals_the_inventory_view(analysed: Any) -> None:
    name, _, path, report = analysed
    out = run_local(QUERIES["eni_ports"], {}, str(path), today=END)
    from_sql: dict[str, Counter[str]] = defaultdict(Counter)
    for row in out.rows:
        eni, protocol, port, connections = row[0], row[1], row[2], row[3]
        from_sql[eni][f"{'tcp' if protocol == 6 else 'udp'}/{port}"] += connections
    from_python = {
        eni: Counter(
            {
                part.split(" ")[0]: int(part.split("(")[1].rstrip(")"))
                for part in text.split(", ")
                if "/" in part
            }
        )
        for eni, text in report.listening().items()
    }
    from_python = {eni: c for eni, c in from_python.items() if c}
    if name == "v5-text":
        assert from_sql == from_python
        web = default_topology().eni("a-web-1").id
        assert set(from_sql[web]) == {"tcp/443", "tcp/22"}
    else:  # no flow-direction: the query returns nothing, the inventory view still works
        assert out.rows == []
        assert from_python
