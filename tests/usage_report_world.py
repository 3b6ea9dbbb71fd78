"""A small known account for the scheduled usage report's tests (moto EC2, Athena, SNS).

One VPC with a `web` group (https from anywhere, ssh from the VPC, moto's default allow-all
egress) on two ENIs, one of which had no traffic, and a `spare` group on no ENI. Athena's
answers to the two usage queries are queued in moto: one ENI saw 5 https connections start.
Imported by tests/integration/stack/test_usage_report_stack.py and
tests/functional/test_usage_report_lambda.py
(pytest puts tests/ on sys.path for its conftest.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from moto.athena.models import QueryResults, athena_backends
from moto.core import DEFAULT_ACCOUNT_ID

REGION = "us-east-1"
ACCOUNT = DEFAULT_ACCOUNT_ID
CLIENT = "198.51.100.7"


@dataclass(frozen=True)
class World:
    """The ids moto gave the known account's resources."""

    vpc_id: str
    web_group: str
    spare_group: str
    https_rule: str
    ssh_rule: str
    web_egress_rule: str
    busy_eni: str
    idle_eni: str


def _rule_id(ec2: Any, group_id: str, **match: Any) -> str:
    rules = ec2.describe_security_group_rules(Filters=[{"Name": "group-id", "Values": [group_id]}])
    found = [
        r["SecurityGroupRuleId"]
        for r in rules["SecurityGroupRules"]
        if all(r.get(k) == v for k, v in match.items())
    ]
    assert len(found) == 1, (group_id, match, rules)
    return str(found[0])


def build_network(ec2: Any) -> World:
    """Create the known account's VPC, groups, rules and ENIs in moto."""
    vpc_id = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc_id, CidrBlock="10.0.1.0/24")["Subnet"]["SubnetId"]
    web = ec2.create_security_group(GroupName="web", Description="web", VpcId=vpc_id)["GroupId"]
    spare = ec2.create_security_group(GroupName="spare", Description="spare", VpcId=vpc_id)[
        "GroupId"
    ]
    ec2.authorize_security_group_ingress(
        GroupId=web,
        IpPermissions=[
            {
                "IpProtocol": "tcp",
                "FromPort": 443,
                "ToPort": 443,
                "IpRanges": [{"CidrIp": "0.0.0.0/0", "Description": "https"}],
            },
            {
                "IpProtocol": "tcp",
                "FromPort": 22,
                "ToPort": 22,
                "IpRanges": [{"CidrIp": "10.0.0.0/16", "Description": "ssh from the VPC"}],
            },
        ],
    )
    ec2.authorize_security_group_ingress(
        GroupId=spare,
        IpPermissions=[
            {
                "IpProtocol": "tcp",
                "FromPort": 5432,
                "ToPort": 5432,
                "IpRanges": [{"CidrIp": "10.0.0.0/16"}],
            }
        ],
    )
    busy = ec2.create_network_interface(
        SubnetId=subnet, PrivateIpAddress="10.0.1.10", Groups=[web], Description="web server"
    )["NetworkInterface"]["NetworkInterfaceId"]
    idle = ec2.create_network_interface(
        SubnetId=subnet, PrivateIpAddress="10.0.1.20", Groups=[web], Description="spare web"
    )["NetworkInterface"]["NetworkInterfaceId"]
    return World(
        vpc_id=vpc_id,
        web_group=web,
        spare_group=spare,
        https_rule=_rule_id(ec2, web, FromPort=443),
        ssh_rule=_rule_id(ec2, web, FromPort=22),
        web_egress_rule=_rule_id(ec2, web, IsEgress=True),
        busy_eni=busy,
        idle_eni=idle,
    )


def _queue(rows: list[list[str]], types: list[str]) -> None:
    athena_backends[ACCOUNT][REGION].query_results_queue.append(
        QueryResults(
            rows=[{"Data": [{"VarCharValue": v} for v in row]} for row in rows],
            column_info=[{"Name": n, "Type": t} for n, t in zip(rows[0], types, strict=True)],
        )
    )


def queue_usage_results(world: World, day: date) -> None:
    """Athena's answers, in the order the report asks: sg_connections, then eni_usage."""
    partition = f"{day:%Y/%m/%d}"
    _queue(
        [
            [
                "interface_id",
                "day",
                "flow_direction",
                "srcaddr",
                "dstaddr",
                "protocol",
                "dstport",
                "evidence",
                "connections",
                "first_seen",
                "last_seen",
            ],
            [
                world.busy_eni,
                partition,
                "ingress",
                CLIENT,
                "10.0.1.10",
                "6",
                "443",
                "syn",
                "5",
                f"{day:%Y-%m-%d} 06:00:00.000",
                f"{day:%Y-%m-%d} 06:10:00.000",
            ],
        ],
        [
            "varchar",
            "varchar",
            "varchar",
            "varchar",
            "varchar",
            "bigint",
            "integer",
            "varchar",
            "bigint",
            "timestamp",
            "timestamp",
        ],
    )
    _queue(
        [
            ["interface_id", "vpc_id", "flows", "bytes", "first_seen", "last_seen"],
            [
                world.busy_eni,
                world.vpc_id,
                "10",
                "52000",
                f"{day:%Y-%m-%d} 06:00:00.000",
                f"{day:%Y-%m-%d} 06:10:00.000",
            ],
        ],
        ["varchar", "varchar", "bigint", "bigint", "timestamp", "timestamp"],
    )


def executions() -> list[Any]:
    """moto's record of the queries started, oldest first."""
    return list(athena_backends[ACCOUNT][REGION].executions.values())


def window(today: date, days: int) -> tuple[str, str]:
    """First and last partition day of a `days`-day window ending today."""
    first = date.fromordinal(today.toordinal() - (days - 1))
    return f"{first:%Y/%m/%d}", f"{today:%Y/%m/%d}"


def expected_subject(today: date, days: int = 7, stack: str = "vca") -> str:
    first, last = window(today, days)
    return f"{stack}: 2 never-used rules, 1 unused ENIs, {first} to {last}"


def expected_message(
    world: World, today: date, days: int = 7, stack: str = "vca", workgroup: str = "vca"
) -> str:
    """The summary of the known account, written out by hand.

    Seven rules: web's https (used by the 5 connections), ssh and moto's allow-all egress
    (never used: web is on two ENIs), and two each in `spare` and the VPC's default group,
    which are on no ENI. The idle ENI had no accepted traffic.
    """
    first, last = window(today, days)
    return (
        f"Usage of security-group rules and network interfaces, {first} to {last} "
        f"(last {days} days, UTC).\n"
        f"Account {ACCOUNT}, region {REGION}; flow logs from Athena workgroup {workgroup}, "
        "database vpcflowlogscidrdb.\n"
        "\n"
        "Security-group rules: 7\n"
        "  used                            1\n"
        "  never used                      2\n"
        "  maybe used (ICMP)               0\n"
        "  in groups on no interface       4\n"
        "Network interfaces: 2\n"
        "  without accepted traffic        1\n"
        "\n"
        "Never-used rules (first 2 of 2):\n"  # egress before ingress within a group
        f"  {world.web_egress_rule}  {world.web_group} (web)  egress all traffic to 0.0.0.0/0\n"
        f"  {world.ssh_rule}  {world.web_group} (web)  ingress tcp 22 from 10.0.0.0/16"
        '  "ssh from the VPC"\n'
        "\n"
        "Network interfaces without accepted traffic (first 1 of 1):\n"
        f'  {world.idle_eni}  {world.vpc_id}  interface  "spare web"\n'
        "\n"
        "The full report (rule-by-day heatmap, HTML, CSV, JSON):\n"
        f"  vpc-cidr-analysis inventory --out inventory.json --region {REGION}\n"
        "  vpc-cidr-analysis usage report --inventory inventory.json --engine athena "
        f"--stack {stack} --days {days} --html report.html\n"
    )
