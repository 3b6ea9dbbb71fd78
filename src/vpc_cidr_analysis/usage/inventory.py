"""Network interfaces, security groups and their rules, collected from EC2.

`collect(session, regions)` reads, per region and with boto3 paginators, every network interface
(`describe_network_interfaces`: VPC, subnet, private IPv4 and IPv6 addresses, public IPv4
addresses, attached instance, all its security groups), every security group and every rule
(`describe_security_group_rules`: protocol including -1, port range or ICMP type/code, IPv4 or
IPv6 CIDR, prefix list, referenced group), the entries of the prefix lists those rules name,
and the instances (state and Name tag). `aws_session` follows AWS conventions for credentials:
a profile (or `AWS_PROFILE`), optionally a role to assume.

The simulator makes the same inventory for its network (`simulate.inventory`).

The JSON form (`Inventory.to_dict`, `write`, `read_inventory`) is what `vpc-cidr-analysis
inventory --out FILE` writes and what `usage` reads.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from vpc_cidr_analysis.errors import AnalysisError
from vpc_cidr_analysis.files import atomic_write

INVENTORY_FORMAT = "vpc-cidr-analysis/inventory/1"
#: IpProtocol names as EC2 returns them, and the IANA numbers flow logs carry.
PROTOCOL_NUMBERS: dict[str, int] = {
    "-1": -1,
    "all": -1,
    "icmp": 1,
    "tcp": 6,
    "udp": 17,
    "icmpv6": 58,
}
PROTOCOL_NAMES: dict[int, str] = {-1: "all", 1: "icmp", 6: "tcp", 17: "udp", 58: "icmpv6"}
DEFAULT_SESSION_NAME = "vpc-cidr-analysis"
_ROLE_ARN = re.compile(r"arn:aws[a-z-]*:iam::\d{12}:role/[\w+=,.@/-]{1,512}")
_SESSION_NAME = re.compile(r"[\w+=,.@-]{2,64}")


class InventoryError(AnalysisError, ValueError):
    """An inventory file or an option for collecting one is invalid; the message says why."""


def protocol_number(value: str | int) -> int:
    """EC2's IpProtocol (`tcp`, `udp`, `icmp`, `icmpv6`, `-1`, or a number) as a number."""
    text = str(value).strip().lower()
    if text in PROTOCOL_NUMBERS:
        return PROTOCOL_NUMBERS[text]
    try:
        number = int(text)
    except ValueError:
        raise InventoryError(
            f"unknown protocol {value!r}: expected tcp, udp, icmp, icmpv6, -1 or 0..255"
        ) from None
    if not -1 <= number <= 255:
        raise InventoryError(f"protocol {number} is outside -1..255")
    return number


def protocol_name(number: int) -> str:
    """`tcp`, `udp`, `icmp`, `icmpv6`, `all`, or the number as text."""
    return PROTOCOL_NAMES.get(number, str(number))


@dataclass(frozen=True)
class NetworkInterface:
    """One ENI as `describe_network_interfaces` describes it (the fields usage analysis needs)."""

    id: str
    region: str
    vpc_id: str
    subnet_id: str
    availability_zone: str
    interface_type: str
    status: str
    description: str
    private_ipv4: tuple[str, ...]  # primary first
    ipv6: tuple[str, ...]
    public_ipv4: tuple[str, ...]
    instance_id: str | None
    security_group_ids: tuple[str, ...]
    requester_managed: bool = False
    owner_id: str = ""

    @property
    def addresses(self) -> tuple[str, ...]:
        """The addresses flow logs show for this ENI: private IPv4 and IPv6."""
        return self.private_ipv4 + self.ipv6

    @property
    def public(self) -> bool:
        """Reachable from the internet by address: a public IPv4 or an IPv6 address."""
        return bool(self.public_ipv4 or self.ipv6)


@dataclass(frozen=True)
class SecurityGroup:
    """A security group (its rules are `SecurityGroupRule`s naming it)."""

    id: str
    name: str
    vpc_id: str
    region: str
    description: str = ""
    owner_id: str = ""


@dataclass(frozen=True)
class SecurityGroupRule:
    """One rule of `describe_security_group_rules`: exactly one peer (CIDR, prefix list, group).

    `from_port`/`to_port` are the port range for TCP and UDP, the ICMP type and code for ICMP
    (-1 = any), and -1 for all protocols.
    """

    id: str
    group_id: str
    region: str
    direction: str  # ingress or egress
    protocol: int  # IANA number, -1 = all
    from_port: int
    to_port: int
    cidr_ipv4: str | None = None
    cidr_ipv6: str | None = None
    prefix_list_id: str | None = None
    referenced_group_id: str | None = None
    description: str = ""

    @property
    def peer(self) -> str:
        """The rule's source (ingress) or destination (egress) as text."""
        return (
            self.cidr_ipv4
            or self.cidr_ipv6
            or self.prefix_list_id
            or self.referenced_group_id
            or "(none)"
        )

    @property
    def ports(self) -> str:
        """`all`, `443`, `5430-5432`, or `type 8 code 0` for ICMP."""
        if self.protocol in (1, 58):
            if self.from_port == -1:
                return "all"
            code = "any" if self.to_port == -1 else str(self.to_port)
            return f"type {self.from_port} code {code}"
        if self.protocol not in (6, 17) or (self.from_port, self.to_port) in ((-1, -1), (0, 65535)):
            return "all"
        if self.from_port == self.to_port:
            return str(self.from_port)
        return f"{self.from_port}-{self.to_port}"


@dataclass(frozen=True)
class PrefixList:
    """A managed prefix list a rule names, with its CIDR entries."""

    id: str
    name: str
    region: str
    cidrs: tuple[str, ...]


@dataclass(frozen=True)
class Instance:
    """An EC2 instance an ENI is attached to: its state and Name tag."""

    id: str
    region: str
    state: str
    name: str = ""
    instance_type: str = ""


@dataclass(frozen=True)
class Inventory:
    """Everything collected, for one account and one or more regions."""

    account: str
    regions: tuple[str, ...]
    collected_at: str
    network_interfaces: tuple[NetworkInterface, ...] = ()
    security_groups: tuple[SecurityGroup, ...] = ()
    rules: tuple[SecurityGroupRule, ...] = ()
    prefix_lists: tuple[PrefixList, ...] = ()
    instances: tuple[Instance, ...] = ()
    source: str = "ec2"
    _index: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    # -- lookups -----------------------------------------------------------------------------
    def interface(self, eni_id: str) -> NetworkInterface | None:
        return self._lookup("enis", self.network_interfaces).get(eni_id)

    def group(self, group_id: str) -> SecurityGroup | None:
        return self._lookup("groups", self.security_groups).get(group_id)

    def instance(self, instance_id: str) -> Instance | None:
        return self._lookup("instances", self.instances).get(instance_id)

    def prefix_list(self, prefix_list_id: str) -> PrefixList | None:
        return self._lookup("prefix_lists", self.prefix_lists).get(prefix_list_id)

    def _lookup(self, name: str, items: Iterable[Any]) -> dict[str, Any]:
        if name not in self._index:
            self._index[name] = {item.id: item for item in items}
        table: dict[str, Any] = self._index[name]
        return table

    # -- JSON --------------------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form; `Inventory.from_dict(i.to_dict()) == i`."""
        return {
            "format": INVENTORY_FORMAT,
            "source": self.source,
            "account": self.account,
            "regions": list(self.regions),
            "collected_at": self.collected_at,
            "network_interfaces": [_plain(asdict(e)) for e in self.network_interfaces],
            "security_groups": [asdict(g) for g in self.security_groups],
            "security_group_rules": [asdict(r) for r in self.rules],
            "prefix_lists": [_plain(asdict(p)) for p in self.prefix_lists],
            "instances": [asdict(i) for i in self.instances],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Inventory:
        """Read the JSON form back, with an error naming what is wrong."""
        if data.get("format") != INVENTORY_FORMAT:
            raise InventoryError(
                f"not an inventory: format is {data.get('format')!r}, expected "
                f"{INVENTORY_FORMAT!r} (write one with `vpc-cidr-analysis inventory --out FILE`)"
            )
        try:
            return cls(
                account=str(data["account"]),
                regions=tuple(data["regions"]),
                collected_at=str(data["collected_at"]),
                source=str(data.get("source", "ec2")),
                network_interfaces=tuple(_eni_from_dict(e) for e in data["network_interfaces"]),
                security_groups=tuple(SecurityGroup(**g) for g in data["security_groups"]),
                rules=tuple(SecurityGroupRule(**r) for r in data["security_group_rules"]),
                prefix_lists=tuple(
                    PrefixList(**{**p, "cidrs": tuple(p["cidrs"])})
                    for p in data.get("prefix_lists", ())
                ),
                instances=tuple(Instance(**i) for i in data.get("instances", ())),
            )
        except (KeyError, TypeError) as exc:
            raise InventoryError(f"inventory is missing or has a bad field: {exc}") from exc

    def write(self, path: str | Path) -> Path:
        """Write the JSON form (indented, stable order)."""
        return atomic_write(Path(path), json.dumps(self.to_dict(), indent=2) + "\n")


def _eni_from_dict(data: Mapping[str, Any]) -> NetworkInterface:
    values: dict[str, Any] = {k: tuple(v) if isinstance(v, list) else v for k, v in data.items()}
    return NetworkInterface(**values)


def _plain(data: dict[str, Any]) -> dict[str, Any]:
    return {k: list(v) if isinstance(v, tuple) else v for k, v in data.items()}


def read_inventory(path: str | Path) -> Inventory:
    """An inventory from its JSON file, or from a simulated sample (its ground_truth.json or
    the folder holding it, which carry the inventory of the simulated network)."""
    p = Path(path)
    if p.is_dir():
        p = p / "ground_truth.json"
    try:
        data = json.loads(p.read_text(encoding="utf-8"))
    except OSError as exc:
        raise InventoryError(f"cannot read inventory {str(path)!r}: {exc.strerror}") from None
    except json.JSONDecodeError as exc:
        raise InventoryError(f"inventory {str(path)!r} is not valid JSON: {exc}") from None
    if isinstance(data, dict) and "inventory" in data and "format" not in data:
        data = data["inventory"]
    if not isinstance(data, dict):
        raise InventoryError(f"inventory {str(path)!r} must hold a JSON object")
    return Inventory.from_dict(data)


# ---------------------------------------------------------------------------------------------
# Credentials.


def aws_session(
    *,
    profile: str | None = None,
    role_arn: str | None = None,
    session_name: str | None = None,
    external_id: str | None = None,
    region: str | None = None,
) -> Any:
    """A boto3 session: the profile (else AWS_PROFILE, else the default chain), then, with
    `role_arn`, that role assumed from it (the seed's ASSUME_RULE_PROFILE case)."""
    import boto3

    name = session_name or DEFAULT_SESSION_NAME
    if role_arn is not None and not _ROLE_ARN.fullmatch(role_arn):
        raise InventoryError(
            f"--role-arn {role_arn!r} is not a role ARN: expected "
            "arn:aws:iam::123456789012:role/NAME"
        )
    if not _SESSION_NAME.fullmatch(name):
        raise InventoryError(
            f"role session name {name!r} must be 2-64 characters of letters, digits and =,.@_-"
        )
    base = boto3.Session(profile_name=profile, region_name=region)
    if role_arn is None:
        return base
    sts: Any = base.client("sts")
    params = {"RoleArn": role_arn, "RoleSessionName": name}
    if external_id:
        params["ExternalId"] = external_id
    credentials = sts.assume_role(**params)["Credentials"]
    return boto3.Session(
        aws_access_key_id=credentials["AccessKeyId"],
        aws_secret_access_key=credentials["SecretAccessKey"],
        aws_session_token=credentials["SessionToken"],
        region_name=region or base.region_name,
    )


# ---------------------------------------------------------------------------------------------
# Collection.


def _paginate(
    client: Any, operation: str, key: str, page_size: int | None, **params: Any
) -> Iterator[dict[str, Any]]:
    """Every item of a paginated EC2 call (following NextToken), `page_size` items per call."""
    config = {"PageSize": page_size} if page_size else {}
    for page in client.get_paginator(operation).paginate(PaginationConfig=config, **params):
        yield from page.get(key, [])


def _tag(tags: Sequence[Mapping[str, str]] | None, key: str) -> str:
    return next((t["Value"] for t in tags or () if t.get("Key") == key), "")


def _interface(item: Mapping[str, Any], region: str) -> NetworkInterface:
    private = sorted(
        item.get("PrivateIpAddresses") or [],
        key=lambda a: not a.get("Primary", False),
    )
    addresses = [a["PrivateIpAddress"] for a in private if a.get("PrivateIpAddress")]
    if not addresses and item.get("PrivateIpAddress"):
        addresses = [item["PrivateIpAddress"]]
    public = [
        a["Association"]["PublicIp"] for a in private if a.get("Association", {}).get("PublicIp")
    ]
    if not public and item.get("Association", {}).get("PublicIp"):
        public = [item["Association"]["PublicIp"]]
    attachment = item.get("Attachment") or {}
    return NetworkInterface(
        id=item["NetworkInterfaceId"],
        region=region,
        vpc_id=item.get("VpcId", ""),
        subnet_id=item.get("SubnetId", ""),
        availability_zone=item.get("AvailabilityZone", ""),
        interface_type=item.get("InterfaceType", "interface"),
        status=item.get("Status", ""),
        description=item.get("Description", ""),
        private_ipv4=tuple(addresses),
        ipv6=tuple(a["Ipv6Address"] for a in item.get("Ipv6Addresses") or []),
        public_ipv4=tuple(dict.fromkeys(public)),
        instance_id=attachment.get("InstanceId"),
        security_group_ids=tuple(g["GroupId"] for g in item.get("Groups") or []),
        requester_managed=bool(item.get("RequesterManaged", False)),
        owner_id=item.get("OwnerId", ""),
    )


def _rule(item: Mapping[str, Any], region: str) -> SecurityGroupRule:
    referenced = item.get("ReferencedGroupInfo") or {}
    return SecurityGroupRule(
        id=item["SecurityGroupRuleId"],
        group_id=item["GroupId"],
        region=region,
        direction="egress" if item.get("IsEgress") else "ingress",
        protocol=protocol_number(item.get("IpProtocol", "-1")),
        from_port=int(item.get("FromPort", -1)),
        to_port=int(item.get("ToPort", -1)),
        cidr_ipv4=item.get("CidrIpv4"),
        cidr_ipv6=item.get("CidrIpv6"),
        prefix_list_id=item.get("PrefixListId"),
        referenced_group_id=referenced.get("GroupId"),
        description=item.get("Description", ""),
    )


@dataclass
class _RegionParts:
    enis: list[NetworkInterface]
    groups: list[SecurityGroup]
    rules: list[SecurityGroupRule]
    prefix_lists: list[PrefixList]
    instances: list[Instance]


def collect_region(ec2: Any, region: str, page_size: int | None = None) -> _RegionParts:
    """One region's interfaces, groups, rules, referenced prefix lists and instances."""
    enis = [
        _interface(item, region)
        for item in _paginate(ec2, "describe_network_interfaces", "NetworkInterfaces", page_size)
    ]
    groups = [
        SecurityGroup(
            id=g["GroupId"],
            name=g.get("GroupName", ""),
            vpc_id=g.get("VpcId", ""),
            region=region,
            description=g.get("Description", ""),
            owner_id=g.get("OwnerId", ""),
        )
        for g in _paginate(ec2, "describe_security_groups", "SecurityGroups", page_size)
    ]
    rules = [
        _rule(item, region)
        for item in _paginate(ec2, "describe_security_group_rules", "SecurityGroupRules", page_size)
    ]
    prefix_lists: list[PrefixList] = []
    wanted = sorted({r.prefix_list_id for r in rules if r.prefix_list_id})
    if wanted:
        names = {
            p["PrefixListId"]: p.get("PrefixListName", "")
            for p in _paginate(
                ec2, "describe_managed_prefix_lists", "PrefixLists", None, PrefixListIds=wanted
            )
        }
        for prefix_list_id in wanted:
            entries = _paginate(
                ec2,
                "get_managed_prefix_list_entries",
                "Entries",
                page_size,
                PrefixListId=prefix_list_id,
            )
            prefix_lists.append(
                PrefixList(
                    id=prefix_list_id,
                    name=names.get(prefix_list_id, ""),
                    region=region,
                    cidrs=tuple(e["Cidr"] for e in entries),
                )
            )
    instances = [
        Instance(
            id=i["InstanceId"],
            region=region,
            state=i.get("State", {}).get("Name", ""),
            name=_tag(i.get("Tags"), "Name"),
            instance_type=i.get("InstanceType", ""),
        )
        for reservation in _paginate(ec2, "describe_instances", "Reservations", page_size)
        for i in reservation.get("Instances", [])
    ]
    return _RegionParts(enis, groups, rules, prefix_lists, instances)


def collect(session: Any, regions: Sequence[str], page_size: int | None = None) -> Inventory:
    """Collect every region into one inventory (the account from STS)."""
    if not regions:
        raise InventoryError("no region: pass --region (repeatable) or set AWS_DEFAULT_REGION")
    account = session.client("sts", region_name=regions[0]).get_caller_identity()["Account"]
    parts = [
        collect_region(session.client("ec2", region_name=r), r, page_size)
        for r in dict.fromkeys(regions)
    ]
    return Inventory(
        account=account,
        regions=tuple(dict.fromkeys(regions)),
        collected_at=datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        network_interfaces=tuple(e for p in parts for e in p.enis),
        security_groups=tuple(g for p in parts for g in p.groups),
        rules=tuple(r for p in parts for r in p.rules),
        prefix_lists=tuple(pl for p in parts for pl in p.prefix_lists),
        instances=tuple(i for p in parts for i in p.instances),
    )
