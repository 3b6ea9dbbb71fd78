"""Golden: `aws_services` equals the simulator's ground truth at connection level: the AWS
endpoints it generated (pools with an AWS service, written in pkt-*-aws-service), the
addresses an ip-ranges file labels, and the connections that went through the NAT gateway."""

from __future__ import annotations

import ipaddress
import json
from datetime import UTC, date
from pathlib import Path
from typing import Any

import pytest

from vpc_cidr_analysis.aws_ranges import AwsRanges, parse_aws_ranges
from vpc_cidr_analysis.pack.queries import load_queries
from vpc_cidr_analysis.pack.runner import run_local
from vpc_cidr_analysis.simulate.simulator import (
    CONNECTION_KEY,
    SampleConfig,
    connection_truth,
    read_ground_truth,
    write_sample,
)

END = date(2026, 11, 27)
QUERY = load_queries()["aws_services"]
FIXTURE = Path(__file__).resolve().parents[2] / "fixtures" / "ip-ranges.json"


def ranges_with_saas(topology: dict[str, Any]) -> AwsRanges:
    """The fixture's ranges, plus the simulated third-party APIs' IPv4 blocks as CLOUDFRONT
    (reached through the NAT gateway, so the NAT share shows)."""
    data = json.loads(FIXTURE.read_text())
    saas = next(p for p in topology["pools"] if p["name"] == "saas-apis")
    for cidr in saas["cidrs"]:
        if ":" not in cidr:
            data["prefixes"].append(
                {"ip_prefix": cidr, "region": "GLOBAL", "service": "CLOUDFRONT",
                 "network_border_group": "GLOBAL"}
            )  # fmt: skip
    return parse_aws_ranges(data)


@pytest.fixture(scope="module")
def dataset(tmp_path_factory: pytest.TempPathFactory) -> Any:
    config = SampleConfig(records=4000, days=13, end_date=END, seed=7)
    path = tmp_path_factory.mktemp("aws")
    write_sample(config, path)
    return path, config, read_ground_truth(path)["topology"]


def _pkt_service(topology: dict[str, Any]) -> Any:
    pools = [
        ([ipaddress.ip_network(c) for c in p["cidrs"]], p["aws_service"])
        for p in topology["pools"]
        if p.get("aws_service")
    ]

    def service(address: str) -> str | None:
        ip = ipaddress.ip_address(address)
        for blocks, name in pools:
            if any(ip.version == b.version and ip in b for b in blocks):
                return str(name)
        return None

    return service


def expected(config: SampleConfig, topology: dict[str, Any], ranges: AwsRanges | None) -> list:
    truth = connection_truth(config, "2026/11/18", "2026/11/27", pkt=True)
    pkt = _pkt_service(topology)

    def label(address: str) -> tuple[str, str | None, str] | None:
        found = ranges.range_of(address) if ranges is not None else None
        named = pkt(address)
        if named is not None:
            region = found.region if found is not None and found.service == named else None
            return named, region, "pkt-aws-service"
        return (found.service, found.region, "ip-ranges") if found is not None else None

    cells: dict[tuple[Any, ...], dict[str, Any]] = {}
    for row in truth.rows:
        server, client = label(row["server"]), label(row["client"])
        if server is None and client is None:
            continue
        at_server = server is not None
        key = server if at_server else client
        assert key is not None
        cell = cells.setdefault(
            key,
            {"service": key[0], "region": key[1], "labelled_by": key[2], "connections": 0,
             "peers": set(), "service_addresses": set(), "bytes_to_service": 0,
             "bytes_from_service": 0, "nat_connections": 0, "nat_bytes": 0,
             "first_seen": row["first_seen"], "last_seen": row["last_seen"]},
        )  # fmt: skip
        sent, received = row["client_bytes"], row["server_bytes"]
        cell["connections"] += row["connections"]
        cell["peers"].add(row["client"] if at_server else row["server"])
        cell["service_addresses"].add(row["server"] if at_server else row["client"])
        cell["bytes_to_service"] += sent if at_server else received
        cell["bytes_from_service"] += received if at_server else sent
        if tuple(row[k] for k in CONNECTION_KEY) in truth.via_keys:
            cell["nat_connections"] += row["connections"]
            cell["nat_bytes"] += sent + received
        cell["first_seen"] = min(cell["first_seen"], row["first_seen"])
        cell["last_seen"] = max(cell["last_seen"], row["last_seen"])
    for cell in cells.values():
        cell["peers"], cell["service_addresses"] = (
            len(cell["peers"]),
            len(cell["service_addresses"]),
        )
        total = cell["bytes_to_service"] + cell["bytes_from_service"]
        cell["nat_share"] = cell["nat_bytes"] / total if total else None
    return sorted(cells.values(), key=lambda c: (c["service"], str(c["region"])))


def got(out: Any) -> list[dict[str, Any]]:
    rows = []
    for row in out.rows:
        item = dict(zip(out.columns, row, strict=True))
        for name in ("first_seen", "last_seen"):
            item[name] = int(item[name].astimezone(UTC).timestamp())
        rows.append(item)
    return sorted(rows, key=lambda c: (c["service"], str(c["region"])))


def test_services_named_in_the_records(dataset: Any) -> None:
    """Without AWS ranges: S3 and DynamoDB from pkt-dst-aws-service, no region, no NAT (the
    simulated VPC reaches them through gateway endpoints)."""
    path, config, topology = dataset
    rows = got(run_local(QUERY, {}, str(path), today=END))
    assert rows == expected(config, topology, None)
    assert {r["service"] for r in rows} == {"S3", "DYNAMODB"}
    assert all(r["nat_connections"] == 0 and r["region"] is None for r in rows)


def test_services_from_ip_ranges_and_the_nat_share(dataset: Any) -> None:
    path, config, topology = dataset
    ranges = ranges_with_saas(topology)
    rows = got(run_local(QUERY, {}, str(path), today=END, networks=ranges.rows()))
    assert rows == expected(config, topology, ranges)
    cloudfront = next(r for r in rows if r["service"] == "CLOUDFRONT")
    assert cloudfront["labelled_by"] == "ip-ranges" and cloudfront["region"] == "GLOBAL"
    assert cloudfront["nat_connections"] > 0 and 0 < cloudfront["nat_share"] <= 1
    s3 = next(r for r in rows if r["service"] == "S3")
    assert s3["region"] == "us-east-1" and s3["labelled_by"] == "pkt-aws-service"
