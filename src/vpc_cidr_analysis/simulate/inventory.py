"""The simulated network as the inventory `vpc-cidr-analysis inventory` would collect from it.

The simulator writes this inventory beside its flow logs (same ENI, group and rule ids), so the
usage analysis runs on simulated data exactly as on a real account's.
"""

from __future__ import annotations

import ipaddress

from vpc_cidr_analysis.simulate.topology import Topology, rule_id
from vpc_cidr_analysis.usage.inventory import (
    Instance,
    Inventory,
    NetworkInterface,
    SecurityGroup,
    SecurityGroupRule,
)

_INTERFACE_TYPES = {
    "instance": "interface",
    "load_balancer": "interface",
    "database": "interface",
    "ecs_task": "interface",
    "nat_gateway": "nat_gateway",
    "transit_gateway": "transit_gateway",
}


def availability_zone(region: str, az: int) -> str:
    """The zone name for a topology's AZ number: `us-east-1`, 1 → `us-east-1a`."""
    return f"{region}{chr(ord('a') + az - 1)}"


def inventory_from_topology(
    topology: Topology, account: str, region: str, collected_at: str = "1970-01-01T00:00:00Z"
) -> Inventory:
    """The inventory `collect` would return for the simulated network (same ids as its logs)."""
    enis = []
    instances = []
    for eni in topology.enis:
        subnet = topology.subnet(eni.subnet)
        enis.append(
            NetworkInterface(
                id=eni.id,
                region=region,
                vpc_id=topology.vpc(eni.vpc).id,
                subnet_id=subnet.id,
                availability_zone=availability_zone(region, subnet.az),
                interface_type=_INTERFACE_TYPES[eni.kind],
                status="in-use",
                description=eni.description,
                private_ipv4=(eni.ipv4,),
                ipv6=(eni.ipv6,) if eni.ipv6 else (),
                public_ipv4=(eni.public_ipv4,) if eni.public_ipv4 else (),
                instance_id=eni.instance_id,
                security_group_ids=tuple(
                    topology.security_group(g).id for g in eni.security_groups
                ),
                requester_managed=eni.kind != "instance",
                owner_id=account,
            )
        )
        if eni.instance_id:
            instances.append(Instance(eni.instance_id, region, "running", eni.name))
    groups = []
    rules = []
    for group in topology.security_groups:
        groups.append(
            SecurityGroup(
                group.id, group.name, topology.vpc(group.vpc).id, region, group.description, account
            )
        )
        for direction, group_rules in (("ingress", group.ingress), ("egress", group.egress)):
            for index, rule in enumerate(group_rules):
                tcp_udp = rule.protocol in (6, 17)
                ports = (rule.from_port, rule.to_port) if tcp_udp else (-1, -1)
                cidr = ipaddress.ip_network(rule.cidr) if rule.cidr else None
                rules.append(
                    SecurityGroupRule(
                        id=rule_id(group.id, direction, index),
                        group_id=group.id,
                        region=region,
                        direction=direction,
                        protocol=rule.protocol,
                        from_port=ports[0],
                        to_port=ports[1],
                        cidr_ipv4=str(cidr) if cidr and cidr.version == 4 else None,
                        cidr_ipv6=str(cidr) if cidr and cidr.version == 6 else None,
                        referenced_group_id=(
                            topology.security_group(rule.group).id if rule.group else None
                        ),
                        description=rule.description,
                    )
                )
    return Inventory(
        account=account,
        regions=(region,),
        collected_at=collected_at,
        network_interfaces=tuple(enis),
        security_groups=tuple(groups),
        rules=tuple(rules),
        instances=tuple(instances),
        source="simulator",
    )
