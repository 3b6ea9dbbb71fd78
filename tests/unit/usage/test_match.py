"""Rule matching, direction and initiator resolution, exposure: small hand-made inventories."""

from __future__ import annotations

import ipaddress
from datetime import UTC, datetime
from typing import Any

import pytest

from vpc_cidr_analysis.usage.inventory import (
    Inventory,
    NetworkInterface,
    PrefixList,
    SecurityGroup,
    SecurityGroupRule,
)
from vpc_cidr_analysis.usage.match import (
    ConnectionRow,
    RuleMatcher,
    UsageError,
    analyse,
    connection_rows,
    eni_usage_records,
    resolve,
)

DAY = "2026/11/27"


def _eni(eni_id: str, ips: tuple[str, ...], groups: tuple[str, ...], **kw: Any) -> NetworkInterface:
    v4 = tuple(a for a in ips if ":" not in a)
    v6 = tuple(a for a in ips if ":" in a)
    values: dict[str, Any] = {
        "id": eni_id,
        "region": "us-east-1",
        "vpc_id": "vpc-1",
        "subnet_id": "subnet-1",
        "availability_zone": "us-east-1a",
        "interface_type": "interface",
        "status": "in-use",
        "description": "",
        "private_ipv4": v4,
        "ipv6": v6,
        "public_ipv4": (),
        "instance_id": None,
        "security_group_ids": groups,
    }
    return NetworkInterface(**(values | kw))


def _rule(
    rid: str, group: str, direction: str, protocol: int, ports: tuple[int, int], **peer: str
) -> SecurityGroupRule:
    return SecurityGroupRule(rid, group, "us-east-1", direction, protocol, *ports, **peer)  # type: ignore[arg-type]


ALL = (-1, -1)
INVENTORY = Inventory(
    account="123456789012",
    regions=("us-east-1",),
    collected_at="2026-11-27T00:00:00Z",
    network_interfaces=(
        _eni("eni-web", ("10.0.0.10", "2600:1f18::10"), ("sg-web", "sg-admin"),
             public_ipv4=("3.3.3.3",)),
        _eni("eni-app", ("10.0.1.10",), ("sg-app",)),
        _eni("eni-app2", ("10.0.1.11",), ("sg-app",)),
        _eni("eni-client", ("10.0.2.10",), ("sg-client",)),
        _eni("eni-nat", ("10.0.0.5",), (), interface_type="nat_gateway"),
    ),
    security_groups=tuple(
        SecurityGroup(g, g.removeprefix("sg-"), "vpc-1", "us-east-1")
        for g in ("sg-web", "sg-admin", "sg-app", "sg-client", "sg-unused")
    ),
    rules=(
        _rule("sgr-https4", "sg-web", "ingress", 6, (443, 443), cidr_ipv4="0.0.0.0/0"),
        _rule("sgr-https6", "sg-web", "ingress", 6, (443, 443), cidr_ipv6="::/0"),
        _rule("sgr-range", "sg-web", "ingress", 6, (8000, 8099), cidr_ipv4="10.0.0.0/16"),
        _rule("sgr-icmp-echo", "sg-web", "ingress", 1, (8, -1), cidr_ipv4="0.0.0.0/0"),
        _rule("sgr-office", "sg-admin", "ingress", 6, (22, 22), prefix_list_id="pl-office"),
        _rule("sgr-gone", "sg-admin", "ingress", 6, (23, 23), prefix_list_id="pl-missing"),
        _rule("sgr-web-out", "sg-web", "egress", -1, ALL, cidr_ipv4="0.0.0.0/0"),
        _rule("sgr-from-web", "sg-app", "ingress", 6, (8080, 8080), referenced_group_id="sg-web"),
        _rule("sgr-app-icmp", "sg-app", "ingress", 1, ALL, cidr_ipv4="10.0.0.0/16"),
        _rule("sgr-app-out", "sg-app", "egress", -1, ALL, cidr_ipv4="0.0.0.0/0"),
        _rule("sgr-client-out", "sg-client", "egress", -1, ALL, cidr_ipv4="0.0.0.0/0"),
        _rule("sgr-udp", "sg-unused", "ingress", 17, (53, 53), cidr_ipv4="10.0.0.0/8"),
    ),
    prefix_lists=(PrefixList("pl-office", "office", "us-east-1", ("198.51.100.0/24",)),),
)  # fmt: skip


def _row(
    eni: str, src: str, dst: str, proto: int, port: int, evidence: str = "syn", **kw: Any
) -> ConnectionRow:
    values: dict[str, Any] = {
        "interface_id": eni,
        "day": DAY,
        "flow_direction": None,
        "srcaddr": src,
        "dstaddr": dst,
        "protocol": proto,
        "dstport": port,
        "evidence": evidence,
        "connections": 1,
        "first_seen": 1000,
        "last_seen": 1010,
    }
    return ConnectionRow(**(values | kw))


@pytest.mark.parametrize(
    ("eni", "direction", "peer", "proto", "port", "expected"),
    [
        ("eni-web", "ingress", "203.0.113.7", 6, 443, ("sgr-https4",)),
        ("eni-web", "ingress", "2001:db8::7", 6, 443, ("sgr-https6",)),  # v6 CIDR, v6 peer only
        ("eni-web", "ingress", "203.0.113.7", 17, 443, ()),  # protocol differs
        ("eni-web", "ingress", "10.0.5.5", 6, 8000, ("sgr-range",)),  # range, low edge
        ("eni-web", "ingress", "10.0.5.5", 6, 8099, ("sgr-range",)),  # high edge
        ("eni-web", "ingress", "10.0.5.5", 6, 8100, ()),
        ("eni-web", "ingress", "10.1.5.5", 6, 8050, ()),  # outside the CIDR
        ("eni-web", "ingress", "203.0.113.7", 1, 0, ("sgr-icmp-echo",)),  # type not in logs
        ("eni-web", "ingress", "2001:db8::7", 58, 0, ()),  # icmp (1) is not icmpv6 (58)
        ("eni-web", "ingress", "198.51.100.9", 6, 22, ("sgr-office",)),  # prefix list, 2nd group
        ("eni-web", "ingress", "198.51.100.9", 6, 23, ()),  # unknown prefix list
        ("eni-web", "egress", "8.8.8.8", 17, 53, ("sgr-web-out",)),  # -1 admits all protocols
        ("eni-web", "egress", "2001:db8::7", 6, 443, ()),  # the -1 rule is IPv4 only
        ("eni-app", "ingress", "10.0.0.10", 6, 8080, ("sgr-from-web",)),  # member of sg-web
        ("eni-app", "ingress", "2600:1f18::10", 6, 8080, ("sgr-from-web",)),  # its IPv6 too
        ("eni-app", "ingress", "3.3.3.3", 6, 8080, ()),  # not its public address
        ("eni-app", "ingress", "10.0.1.11", 6, 8080, ()),  # not a member
        ("eni-app", "ingress", "not-an-address", 6, 8080, ()),
    ],
)
def test_rule_matching(
    eni: str, direction: str, peer: str, proto: int, port: int, expected: Any
) -> None:
    matcher = RuleMatcher(INVENTORY)
    interface = INVENTORY.interface(eni)
    assert interface is not None
    assert matcher.match(interface, direction, peer, proto, port) == expected


def test_unknown_prefix_list_is_remembered() -> None:
    matcher = RuleMatcher(INVENTORY)
    web = INVENTORY.interface("eni-web")
    assert web is not None
    matcher.match(web, "ingress", "198.51.100.9", 6, 23)
    assert matcher.unknown_prefix_lists == {"pl-missing"}


def test_direction_comes_from_the_logs_or_the_inventory() -> None:
    rows = [
        _row("eni-web", "203.0.113.7", "10.0.0.10", 6, 443),  # no flow-direction: inventory
        _row("eni-web", "10.0.0.10", "8.8.8.8", 17, 53, "port"),
        _row("eni-web", "1.1.1.1", "2.2.2.2", 6, 443, flow_direction="ingress"),
        _row("eni-web", "1.1.1.1", "2.2.2.2", 6, 443),  # neither address is the ENI's
        _row("eni-gone", "1.1.1.1", "10.9.9.9", 6, 443, connections=4),
    ]
    result = resolve(INVENTORY, rows)
    assert [(s.direction, s.peer, s.local) for s in result.starts] == [
        ("ingress", "203.0.113.7", "10.0.0.10"),
        ("egress", "8.8.8.8", "10.0.0.10"),
        ("ingress", "1.1.1.1", "2.2.2.2"),
    ]
    assert result.skipped == {
        "direction unknown (no flow-direction, address not the ENI's)": 1,
        "ENI not in the inventory": 4,
    }


def _pair(eni: str, local: str, peer: str, proto: int = 1, **times: int) -> list[ConnectionRow]:
    return [
        _row(eni, peer, local, proto, 0, "pair", first_seen=times.get("ingress", 1000)),
        _row(eni, local, peer, proto, 0, "pair", first_seen=times.get("egress", 1000)),
    ]


def test_the_earlier_of_two_portless_flows_started() -> None:
    result = resolve(INVENTORY, _pair("eni-app", "10.0.1.10", "10.0.1.11", ingress=999))
    assert [(s.direction, s.peer) for s in result.starts] == [("ingress", "10.0.1.11")]
    result = resolve(INVENTORY, _pair("eni-app", "10.0.1.10", "10.0.1.11", egress=999))
    assert [s.direction for s in result.starts] == ["egress"]


def test_a_lone_portless_flow_is_its_own_start() -> None:
    result = resolve(INVENTORY, _pair("eni-app", "10.0.1.10", "10.0.1.11")[:1])
    assert [s.direction for s in result.starts] == ["ingress"] and not result.ambiguous


def test_rules_decide_who_pinged() -> None:
    # the client has no ingress rule: only its egress could have started the exchange
    result = resolve(INVENTORY, _pair("eni-client", "10.0.2.10", "10.0.1.10"))
    assert [s.direction for s in result.starts] == ["egress"]
    # eni-app allows both ways; its peer eni-client could only have sent, so it pinged eni-app
    result = resolve(INVENTORY, _pair("eni-app", "10.0.1.10", "10.0.2.10"))
    assert [s.direction for s in result.starts] == ["ingress"]
    # an outside peer: the ICMP-specific inbound rule beats the all-traffic outbound rule
    result = resolve(INVENTORY, _pair("eni-web", "10.0.0.10", "203.0.113.7"))
    assert [s.direction for s in result.starts] == ["ingress"]


def test_symmetric_pings_between_own_enis_are_ambiguous() -> None:
    rows = _pair("eni-app", "10.0.1.10", "10.0.1.11") + _pair("eni-app2", "10.0.1.11", "10.0.1.10")
    report = analyse(INVENTORY, rows, [], [DAY])
    assert len(report.resolution.ambiguous) == 2 and not report.resolution.starts
    assert report.rules["sgr-app-icmp"].ambiguous == 2
    assert report.rules["sgr-app-out"].ambiguous == 2
    assert report.rules["sgr-app-icmp"].connections == 0
    statuses = {row[0]: row[-1] for row in report.rule_rows()}
    assert statuses["sgr-app-icmp"] == statuses["sgr-app-out"] == "maybe used"


def test_overlaps_unexplained_and_statuses() -> None:
    rows = [
        _row("eni-web", "10.0.0.10", "10.0.1.10", 6, 8080, flow_direction="egress"),
        _row("eni-app", "10.0.0.10", "10.0.1.10", 6, 8080, connections=3),
        _row("eni-app", "172.16.0.9", "10.0.1.10", 6, 9999),  # no rule admits it
        _row("eni-nat", "10.0.1.10", "8.8.8.8", 6, 443, connections=7, flow_direction="ingress"),
    ]
    report = analyse(INVENTORY, rows, [], [DAY])
    assert report.rules["sgr-web-out"].connections == 1
    assert report.rules["sgr-from-web"].connections == 3
    assert report.unexplained_rows() == [("eni-app", "ingress", "172.16.0.9", "tcp", 9999, 1)]
    assert report.resolution.skipped == {"ENI without security groups (NAT, transit gateway…)": 7}
    statuses = {row[0]: row[-1] for row in report.rule_rows()}
    assert statuses["sgr-udp"] == "group unattached" and statuses["sgr-https4"] == "never used"
    first = report.rule_rows()[0]
    assert first[0] == "sgr-from-web" and first[6] == "sg-web (web)"
    assert first[10] == datetime.fromtimestamp(1000, UTC)
    overlap = analyse(INVENTORY, [_row("eni-web", "10.0.1.5", "10.0.0.10", 6, 8080)], [], [DAY])
    assert overlap.rules["sgr-range"].overlapping == 0  # one rule only


def test_exposure_lists_public_enis_and_their_open_rules() -> None:
    rows = [_row("eni-web", "203.0.113.7", "10.0.0.10", 6, 443, connections=5)]
    report = analyse(INVENTORY, rows, [], [DAY])
    exposed = {(r[0], r[4]): r[8] for r in report.exposure_rows()}
    # the range and ICMP rules are private or open; the office list is public addresses
    assert exposed == {
        ("eni-web", "sgr-https4"): 5,
        ("eni-web", "sgr-https6"): 0,
        ("eni-web", "sgr-icmp-echo"): 0,
        ("eni-web", "sgr-office"): 0,
    }


def test_unused_enis_note_vpcs_without_records() -> None:
    usage = [{"interface_id": "eni-app", "flows": 3, "first_seen": None, "last_seen": None}]
    report = analyse(INVENTORY, [], usage, [DAY])
    unused = {row[0]: row[-1] for row in report.unused_rows()}
    assert set(unused) == {"eni-web", "eni-app2", "eni-client", "eni-nat"}
    assert set(unused.values()) == {""}  # the VPC has records (eni-app's)
    alone = analyse(INVENTORY, [], [], [DAY])
    assert all("flow log" in row[-1] for row in alone.unused_rows())
    with_ghost = analyse(INVENTORY, [], [*usage, {"interface_id": "eni-x", "flows": 1}], [DAY])
    assert {r[0]: r[-1] for r in with_ghost.eni_table()}["eni-x"] == "not in inventory"


def test_query_output_is_checked() -> None:
    with pytest.raises(UsageError, match="lacks column"):
        connection_rows(["interface_id"], [("eni-1",)])
    with pytest.raises(UsageError, match="lacks column"):
        eni_usage_records(["interface_id", "flows"], [])
    columns = list(ConnectionRow._fields)
    row = ["eni-1", DAY, "-", "10.0.0.1", "10.0.0.2", 6, None, "port", 2,
           "2026-11-27 10:00:00.000 UTC", datetime(2026, 11, 27, 10, 1)]  # fmt: skip
    parsed = connection_rows(columns, [row])[0]
    assert parsed.flow_direction is None and parsed.dstport == 0
    assert parsed.first_seen == int(datetime(2026, 11, 27, 10, tzinfo=UTC).timestamp())
    assert parsed.last_seen == parsed.first_seen + 60
    with pytest.raises(UsageError, match="not a timestamp"):
        connection_rows(columns, [[*row[:9], "yesterday", None]])
    with pytest.raises(UsageError, match="10 values for 11 columns"):
        connection_rows(columns, [row[:10]])
    # Columns are found by name, in whatever order the query gave them.
    shuffled = connection_rows(columns[::-1], [row[::-1]])[0]
    assert shuffled == parsed


def test_internal_ranges_are_not_exposure() -> None:
    assert ipaddress.ip_network("100.64.0.0/20").subnet_of(ipaddress.ip_network("100.64.0.0/10"))
    private = Inventory(
        account="1",
        regions=("us-east-1",),
        collected_at="x",
        network_interfaces=(_eni("eni-p", ("10.0.0.1",), ("sg-p",), public_ipv4=("3.3.3.4",)),),
        rules=(_rule("sgr-p", "sg-p", "ingress", -1, ALL, cidr_ipv4="100.64.0.0/20"),),
    )
    assert analyse(private, [], [], [DAY]).exposure_rows() == []
