"""Inventory: collected from EC2 (moto), paginated, credentials, JSON round trip, simulator."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber
from click.testing import CliRunner
from moto import mock_aws

from vpc_cidr_analysis.cli import cli
from vpc_cidr_analysis.simulate.inventory import inventory_from_topology
from vpc_cidr_analysis.simulate.topology import default_topology, rule_id
from vpc_cidr_analysis.usage.inventory import (
    Inventory,
    InventoryError,
    aws_session,
    collect,
    collect_region,
    protocol_number,
    read_inventory,
)

REGION = "us-east-1"


def _network(ec2: Any) -> dict[str, Any]:
    """A VPC with IPv6, two subnets, three groups (CIDR, IPv6, ICMP, group and prefix-list
    rules), an ENI with two groups, a secondary address, IPv6 and an Elastic IP attached to an
    instance, and seven more instances (more than a page of five)."""
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16", AmazonProvidedIpv6CidrBlock=True)["Vpc"]
    vpc_id = vpc["VpcId"]
    v6_block = ec2.describe_vpcs(VpcIds=[vpc_id])["Vpcs"][0]["Ipv6CidrBlockAssociationSet"][0][
        "Ipv6CidrBlock"
    ]
    v6_subnet = v6_block.replace("/56", "/64")
    subnet = ec2.create_subnet(
        VpcId=vpc_id,
        CidrBlock="10.0.1.0/24",
        Ipv6CidrBlock=v6_subnet,
        AvailabilityZone="us-east-1a",
    )["Subnet"]
    other = ec2.create_subnet(VpcId=vpc_id, CidrBlock="10.0.2.0/24", AvailabilityZone="us-east-1b")[
        "Subnet"
    ]
    web = ec2.create_security_group(GroupName="web", Description="public web", VpcId=vpc_id)
    app = ec2.create_security_group(GroupName="app", Description="app servers", VpcId=vpc_id)
    db = ec2.create_security_group(GroupName="db", Description="database", VpcId=vpc_id)
    office = ec2.create_managed_prefix_list(
        PrefixListName="office",
        MaxEntries=5,
        AddressFamily="IPv4",
        Entries=[{"Cidr": "198.51.100.0/24"}, {"Cidr": "203.0.113.0/24"}],
    )["PrefixList"]["PrefixListId"]
    ec2.authorize_security_group_ingress(
        GroupId=web["GroupId"],
        IpPermissions=[
            {
                "IpProtocol": "tcp",
                "FromPort": 443,
                "ToPort": 443,
                "IpRanges": [{"CidrIp": "0.0.0.0/0", "Description": "https"}],
                "Ipv6Ranges": [{"CidrIpv6": "::/0", "Description": "https v6"}],
            },
            {
                "IpProtocol": "icmp",
                "FromPort": 8,
                "ToPort": -1,
                "IpRanges": [{"CidrIp": "10.0.0.0/16", "Description": "echo from the VPC"}],
            },
        ],
    )
    ec2.authorize_security_group_ingress(
        GroupId=app["GroupId"],
        IpPermissions=[
            {
                "IpProtocol": "tcp",
                "FromPort": 8080,
                "ToPort": 8081,
                "UserIdGroupPairs": [{"GroupId": web["GroupId"]}],
            }
        ],
    )
    ec2.authorize_security_group_ingress(
        GroupId=db["GroupId"],
        IpPermissions=[
            {
                "IpProtocol": "tcp",
                "FromPort": 22,
                "ToPort": 22,
                "PrefixListIds": [{"PrefixListId": office}],
            }
        ],
    )
    image = ec2.describe_images(Owners=["amazon"])["Images"][0]["ImageId"]
    instance = ec2.run_instances(
        ImageId=image, MinCount=1, MaxCount=1, SubnetId=subnet["SubnetId"], InstanceType="t3.micro"
    )["Instances"][0]
    ec2.create_tags(Resources=[instance["InstanceId"]], Tags=[{"Key": "Name", "Value": "web-1"}])
    eni = ec2.create_network_interface(
        SubnetId=subnet["SubnetId"],
        Groups=[web["GroupId"], app["GroupId"]],
        PrivateIpAddress="10.0.1.50",
        Ipv6Addresses=[{"Ipv6Address": v6_subnet.replace("::/64", "::50")}],
        Description="web ENI",
    )["NetworkInterface"]
    ec2.assign_private_ip_addresses(
        NetworkInterfaceId=eni["NetworkInterfaceId"], PrivateIpAddresses=["10.0.1.51"]
    )
    ec2.attach_network_interface(
        NetworkInterfaceId=eni["NetworkInterfaceId"],
        InstanceId=instance["InstanceId"],
        DeviceIndex=1,
    )
    eip = ec2.allocate_address(Domain="vpc")
    ec2.associate_address(
        AllocationId=eip["AllocationId"],
        NetworkInterfaceId=eni["NetworkInterfaceId"],
        PrivateIpAddress="10.0.1.50",
    )
    spare = ec2.create_network_interface(SubnetId=other["SubnetId"], Groups=[db["GroupId"]])[
        "NetworkInterface"
    ]
    ec2.run_instances(
        ImageId=image, MinCount=7, MaxCount=7, SubnetId=other["SubnetId"], InstanceType="t3.nano"
    )
    return {
        "vpc": vpc_id,
        "subnet": subnet["SubnetId"],
        "web": web["GroupId"],
        "app": app["GroupId"],
        "db": db["GroupId"],
        "office": office,
        "instance": instance["InstanceId"],
        "eni": eni["NetworkInterfaceId"],
        "spare": spare["NetworkInterfaceId"],
        "ipv6": v6_subnet.replace("::/64", "::50"),
        "public_ip": eip["PublicIp"],
    }


@pytest.fixture(scope="module")
def collected(module_aws_credentials: None) -> Any:
    """The network's ids and its inventory, collected once for the tests that read them (both
    plain values: nothing stays mocked after)."""
    with mock_aws():
        ec2 = boto3.client("ec2", region_name=REGION)
        ids = _network(ec2)
        inventory = collect(boto3.Session(region_name=REGION), [REGION], page_size=5)
    return ids, inventory


def test_network_interface_values_are_collected_exactly(collected: Any) -> None:
    ids, inventory = collected
    eni = inventory.interface(ids["eni"])
    assert eni is not None
    assert eni.region == REGION
    assert eni.vpc_id == ids["vpc"] and eni.subnet_id == ids["subnet"]
    assert eni.availability_zone == "us-east-1a"
    assert eni.private_ipv4 == ("10.0.1.50", "10.0.1.51")  # primary first
    assert eni.ipv6 == (ids["ipv6"],)
    assert eni.public_ipv4 == (ids["public_ip"],)
    assert eni.instance_id == ids["instance"]
    assert eni.security_group_ids == (ids["web"], ids["app"])  # every group, in order
    assert eni.description == "web ENI" and eni.interface_type == "interface"
    assert eni.addresses == ("10.0.1.50", "10.0.1.51", ids["ipv6"])
    spare = inventory.interface(ids["spare"])
    assert spare is not None
    assert spare.security_group_ids == (ids["db"],)
    assert spare.instance_id is None and spare.public_ipv4 == () and not spare.public


def test_rules_of_every_kind_are_collected_exactly(collected: Any) -> None:
    ids, inventory = collected

    def rules(group: str, direction: str) -> set[tuple[Any, ...]]:
        return {
            (r.protocol, r.from_port, r.to_port, r.peer, r.description)
            for r in inventory.rules
            if r.group_id == ids[group] and r.direction == direction
        }

    assert rules("web", "ingress") == {
        (6, 443, 443, "0.0.0.0/0", "https"),
        (6, 443, 443, "::/0", "https v6"),
        (1, 8, -1, "10.0.0.0/16", "echo from the VPC"),
    }
    assert rules("app", "ingress") == {(6, 8080, 8081, ids["web"], "")}
    assert rules("db", "ingress") == {(6, 22, 22, ids["office"], "")}
    # the default egress rules (moto adds ::/0 as a VPC with IPv6 gets)
    assert rules("web", "egress") == {(-1, -1, -1, "0.0.0.0/0", ""), (-1, -1, -1, "::/0", "")}
    by_peer = {r.peer: r for r in inventory.rules if r.group_id == ids["web"]}
    assert by_peer["::/0"].cidr_ipv6 == "::/0" and by_peer["::/0"].cidr_ipv4 is None
    assert by_peer["10.0.0.0/16"].ports == "type 8 code any"
    app_rule = next(r for r in inventory.rules if r.group_id == ids["app"] and r.from_port == 8080)
    assert app_rule.referenced_group_id == ids["web"] and app_rule.ports == "8080-8081"
    assert all(r.id.startswith("sgr-") for r in inventory.rules)
    office = inventory.prefix_list(ids["office"])
    assert office is not None and office.name == "office"
    assert office.cidrs == ("198.51.100.0/24", "203.0.113.0/24")
    names = {g.name for g in inventory.security_groups if g.vpc_id == ids["vpc"]}
    assert names == {"default", "web", "app", "db"}


def test_instances_are_read_through_several_pages(collected: Any) -> None:
    ids, inventory = collected
    assert len(inventory.instances) == 8  # 1 + 7, with pages of 5
    web = inventory.instance(ids["instance"])
    assert web is not None and web.name == "web-1" and web.state == "running"
    assert web.instance_type == "t3.micro"
    assert inventory.account == "123456789012" and inventory.regions == (REGION,)


def test_every_call_follows_next_token() -> None:
    """moto returns these calls in one page; a stubbed client proves NextToken is followed."""
    ec2 = boto3.client("ec2", region_name=REGION)
    stub = Stubber(ec2)

    def eni(n: int) -> dict[str, Any]:
        return {
            "NetworkInterfaceId": f"eni-{n:017x}",
            "VpcId": "vpc-1",
            "SubnetId": "subnet-1",
            "PrivateIpAddress": f"10.0.0.{n}",
            "Groups": [{"GroupId": "sg-1", "GroupName": "a"}, {"GroupId": "sg-2"}],
        }

    pages = [
        ("describe_network_interfaces", "NetworkInterfaces", [eni(1), eni(2)], [eni(3)]),
        (
            "describe_security_groups",
            "SecurityGroups",
            [{"GroupId": "sg-1"}],
            [{"GroupId": "sg-2"}],
        ),
        (
            "describe_security_group_rules",
            "SecurityGroupRules",
            [{"SecurityGroupRuleId": "sgr-1", "GroupId": "sg-1", "IpProtocol": "udp"}],
            [{"SecurityGroupRuleId": "sgr-2", "GroupId": "sg-2", "IpProtocol": "50"}],
        ),
        ("describe_instances", "Reservations", [], []),
    ]
    for operation, key, first, second in pages:
        stub.add_response(operation, {key: first, "NextToken": "next"}, {"MaxResults": 5})
        stub.add_response(operation, {key: second}, {"MaxResults": 5, "NextToken": "next"})
    with stub:
        parts = collect_region(ec2, REGION, page_size=5)
    stub.assert_no_pending_responses()
    assert [e.id for e in parts.enis] == [eni(n)["NetworkInterfaceId"] for n in (1, 2, 3)]
    assert parts.enis[0].security_group_ids == ("sg-1", "sg-2")
    assert parts.enis[0].private_ipv4 == ("10.0.0.1",)
    assert [g.id for g in parts.groups] == ["sg-1", "sg-2"]
    assert [(r.id, r.protocol, r.direction) for r in parts.rules] == [
        ("sgr-1", 17, "ingress"),
        ("sgr-2", 50, "ingress"),
    ]


def test_json_round_trip_and_cli(tmp_path: Path) -> None:
    with mock_aws():
        _network(boto3.client("ec2", region_name=REGION))
        out = tmp_path / "inv.json"
        result = CliRunner().invoke(cli, ["inventory", "--out", str(out), "--region", REGION])
        assert result.exit_code == 0, result.output
        assert "10 network interfaces" in result.output  # 8 instances, ours, the spare
        assert "8 instances" in result.output and "account 123456789012" in result.output
        loaded = read_inventory(out)
        assert Inventory.from_dict(loaded.to_dict()) == loaded
        assert json.loads(out.read_text())["format"] == "vpc-cidr-analysis/inventory/1"


def test_assume_role_uses_the_session_name() -> None:
    with mock_aws():
        session = aws_session(
            role_arn="arn:aws:iam::210987654321:role/NetworkAudit",
            session_name="audit-run",
            region=REGION,
        )
        arn = session.client("sts").get_caller_identity()["Arn"]
    assert arn == "arn:aws:sts::210987654321:assumed-role/NetworkAudit/audit-run"


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"role_arn": "NetworkAudit"}, "is not a role ARN"),
        ({"role_arn": "arn:aws:iam::1234:role/x"}, "is not a role ARN"),
        ({"role_arn": "arn:aws:iam::123456789012:role/x", "session_name": "a b"}, "session name"),
    ],
)
def test_bad_credentials_options_are_named(kwargs: dict[str, str], message: str) -> None:
    with pytest.raises(InventoryError, match=message):
        aws_session(**kwargs)


def test_cli_errors_are_clear(tmp_path: Path) -> None:
    runner = CliRunner()
    out = str(tmp_path / "x.json")
    bad_role = runner.invoke(cli, ["inventory", "--out", out, "--role-arn", "nope"])
    assert bad_role.exit_code == 2 and "is not a role ARN" in bad_role.output
    profile = runner.invoke(cli, ["inventory", "--out", out, "--profile", "missing"])
    assert profile.exit_code == 1 and "missing" in profile.output


def test_read_inventory_errors(tmp_path: Path) -> None:
    with pytest.raises(InventoryError, match="cannot read inventory"):
        read_inventory(tmp_path / "none.json")
    (tmp_path / "bad.json").write_text("{")
    with pytest.raises(InventoryError, match="not valid JSON"):
        read_inventory(tmp_path / "bad.json")
    (tmp_path / "other.json").write_text('{"format": "x"}')
    with pytest.raises(InventoryError, match="not an inventory"):
        read_inventory(tmp_path / "other.json")


def test_protocol_numbers() -> None:
    assert [protocol_number(p) for p in ("tcp", "UDP", "icmp", "icmpv6", "-1", "50")] == [
        6,
        17,
        1,
        58,
        -1,
        50,
    ]
    with pytest.raises(InventoryError, match="unknown protocol 'sctp'"):
        protocol_number("sctp")
    with pytest.raises(InventoryError, match=r"outside -1\.\.255"):
        protocol_number("300")


def test_simulated_inventory_matches_the_topology() -> None:
    topology = default_topology()
    inventory = inventory_from_topology(topology, "123456789012", REGION)
    assert len(inventory.network_interfaces) == len(topology.enis)
    bastion = inventory.interface(topology.eni("a-bastion-1").id)
    assert bastion is not None
    assert bastion.security_group_ids == (
        topology.security_group("a-bastion").id,
        topology.security_group("a-admin").id,
    )
    assert bastion.public_ipv4 == ("3.80.20.175",) and bastion.availability_zone == "us-east-1a"
    nat = inventory.interface(topology.eni("a-nat-1").id)
    assert nat is not None and nat.interface_type == "nat_gateway"
    assert nat.security_group_ids == () and nat.requester_managed
    web = topology.security_group("a-web")
    ssh = next(r for r in inventory.rules if r.id == rule_id(web.id, "ingress", 2))
    assert ssh.referenced_group_id == topology.security_group("a-bastion").id
    assert (ssh.protocol, ssh.from_port, ssh.to_port) == (6, 22, 22)
    icmpv6 = next(r for r in inventory.rules if r.id == rule_id(web.id, "ingress", 3))
    assert (icmpv6.protocol, icmpv6.cidr_ipv6, icmpv6.ports) == (58, "::/0", "all")
    count = sum(len(g.ingress) + len(g.egress) for g in topology.security_groups)
    assert len(inventory.rules) == count == len({r.id for r in inventory.rules})


def test_sample_ground_truth_carries_the_inventory(small_sample: Any) -> None:
    inventory = read_inventory(small_sample.path)
    assert inventory.source == "simulator"
    end = small_sample.config.end_date
    assert inventory.collected_at == f"{end + timedelta(days=1):%Y-%m-%d}T00:00:00Z"
    assert inventory == inventory_from_topology(
        default_topology(),
        small_sample.config.account,
        small_sample.config.region,
        collected_at=inventory.collected_at,
    )


def test_several_regions_are_collected_into_one_inventory() -> None:
    with mock_aws():
        for region in ("us-east-1", "eu-west-1"):
            ec2 = boto3.client("ec2", region_name=region)
            vpc = ec2.create_vpc(CidrBlock="10.9.0.0/16")["Vpc"]["VpcId"]
            ec2.create_security_group(GroupName=f"g-{region}", Description="x", VpcId=vpc)
        inventory = collect(boto3.Session(), ["us-east-1", "eu-west-1", "us-east-1"])
    assert inventory.regions == ("us-east-1", "eu-west-1")
    named = {g.name: g.region for g in inventory.security_groups if g.name.startswith("g-")}
    assert named == {"g-us-east-1": "us-east-1", "g-eu-west-1": "eu-west-1"}
    with pytest.raises(InventoryError, match="no region"):
        collect(boto3.Session(), [])
