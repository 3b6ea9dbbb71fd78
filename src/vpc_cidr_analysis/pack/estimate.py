"""What a query's window would scan on Athena, before running it: the sizes of its partitions.

`estimate_scan` lists the S3 prefixes of the window's partitions (accounts and regions found
under `AWSLogs/`, or given) and sums their objects' sizes: the most a query can scan.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from vpc_cidr_analysis.layout import LAYOUTS, Layout, day_prefix
from vpc_cidr_analysis.s3url import parse_s3_url


@dataclass(frozen=True)
class PrefixSize:
    """Bytes stored under one partition prefix."""

    prefix: str
    objects: int
    bytes: int


def _common_prefixes(s3: Any, bucket: str, prefix: str) -> list[str]:
    paginator = s3.get_paginator("list_objects_v2")
    found: list[str] = []
    for page in paginator.paginate(Bucket=bucket, Prefix=prefix, Delimiter="/"):
        found.extend(p["Prefix"] for p in page.get("CommonPrefixes", []))
    return found


def discover_sources(s3: Any, bucket: str, prefix: str, layout: Layout) -> list[tuple[str, str]]:
    """(account, region) pairs that have flow logs under `prefix` in the given layout."""
    if layout not in LAYOUTS:
        raise ValueError(f"unknown layout {layout!r}: expected one of {', '.join(LAYOUTS)}")
    base = (prefix.strip("/") + "/" if prefix.strip("/") else "") + "AWSLogs/"
    pairs: list[tuple[str, str]] = []
    for account_prefix in _common_prefixes(s3, bucket, base):
        account = account_prefix[len(base) :].strip("/").removeprefix("aws-account-id=")
        service = (
            account_prefix + "vpcflowlogs/"
            if layout == "default"
            else account_prefix + "aws-service=vpcflowlogs/"
        )
        for region_prefix in _common_prefixes(s3, bucket, service):
            region = region_prefix[len(service) :].strip("/").removeprefix("aws-region=")
            pairs.append((account, region))
    return pairs


def estimate_scan(
    s3: Any,
    logs_url: str,
    layout: Layout,
    days: Sequence[date],
    sources: Sequence[tuple[str, str]] | None = None,
) -> list[PrefixSize]:
    """Sizes of the partition prefixes a query window reads (paginated listing)."""
    url = parse_s3_url(logs_url, what="--logs", folder=True)
    bucket, prefix = url.bucket, url.key
    pairs = list(sources) if sources else discover_sources(s3, bucket, prefix, layout)
    paginator = s3.get_paginator("list_objects_v2")
    sizes: list[PrefixSize] = []
    for account, region in pairs:
        for day in days:
            key_prefix = day_prefix(prefix, layout, account, region, day)
            objects = total = 0
            for page in paginator.paginate(Bucket=bucket, Prefix=key_prefix):
                for obj in page.get("Contents", []):
                    objects += 1
                    total += int(obj["Size"])
            sizes.append(PrefixSize(f"s3://{bucket}/{key_prefix}", objects, total))
    return sizes
