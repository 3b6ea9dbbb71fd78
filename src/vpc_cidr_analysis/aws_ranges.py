"""AWS's published address ranges (`ip-ranges.json`): which AWS service and region an address is.

The file (VPC User Guide, "AWS IP address ranges") holds `syncToken`, `createDate`,
`prefixes[]` (`ip_prefix`, `region`, `network_border_group`, `service`) and `ipv6_prefixes[]`
(`ipv6_prefix`, …). Every subset is also in `AMAZON`, and a prefix may be advertised in more
specific ranges, so an address is labelled by its longest prefix, and for one prefix a service
other than `AMAZON` wins (ties between other services: the first in name order, so the label is
the same on every run). Labels are `aws:<service>:<region>` (`aws:S3:us-east-1`), the names
`queries/network_matrix.sql` shows for addresses in no named network; `rows` are those labels
as rows of the `networks` table, after the named networks (which win over any AWS range).

`fetch` downloads the file from AWS's public URL, checks it, and replaces the saved copy
atomically. Standard library only.
"""

from __future__ import annotations

import ipaddress
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from vpc_cidr_analysis.cidr import CidrError, Network, parse_block
from vpc_cidr_analysis.errors import AnalysisError
from vpc_cidr_analysis.files import atomic_write

URL = "https://ip-ranges.amazonaws.com/ip-ranges.json"
AMAZON = "AMAZON"
LABEL_PREFIX = "aws:"


class AwsRangesError(AnalysisError, ValueError):
    """The ranges file is missing, not in AWS's format, or could not be downloaded."""


@dataclass(frozen=True)
class AwsRange:
    """One prefix with the service and region it is labelled by."""

    prefix: str
    service: str
    region: str
    network_border_group: str

    @property
    def label(self) -> str:
        return f"{LABEL_PREFIX}{self.service}:{self.region}"


@dataclass(frozen=True)
class AwsRanges:
    """The file's identity and one range per distinct prefix (the preferred subset)."""

    sync_token: str
    create_date: str
    ranges: tuple[AwsRange, ...]

    def rows(self) -> list[tuple[str, str]]:
        """(network, cidr) rows for the `networks` table: the label of each prefix."""
        return [(r.label, r.prefix) for r in self.ranges]

    def range_of(self, address: str) -> AwsRange | None:
        """The longest prefix holding `address` (None when AWS publishes none)."""
        try:
            ip = ipaddress.ip_address(address)
        except ValueError:
            return None
        best: tuple[int, AwsRange] | None = None
        for item in self.ranges:
            network = ipaddress.ip_network(item.prefix)
            longer = best is None or network.prefixlen > best[0]
            if network.version == ip.version and ip in network and longer:
                best = (network.prefixlen, item)
        return None if best is None else best[1]

    def label(self, address: str) -> str | None:
        found = self.range_of(address)
        return None if found is None else found.label


def _preferred(current: AwsRange | None, candidate: AwsRange) -> AwsRange:
    """Of two entries for one prefix: a subset other than AMAZON, then the first by name."""
    if current is None:
        return candidate

    def rank(item: AwsRange) -> tuple[bool, str, str]:
        return (item.service == AMAZON, item.service, item.region)

    return min(current, candidate, key=rank)


def parse_aws_ranges(data: Any, source: str = "ip-ranges.json") -> AwsRanges:
    """Validate the parsed JSON of an `ip-ranges.json` file."""
    if not isinstance(data, Mapping) or not isinstance(data.get("prefixes"), list):
        raise AwsRangesError(
            f"{source}: not AWS's ip-ranges.json (expected syncToken, createDate, prefixes[] "
            f"and ipv6_prefixes[]; download it with `vpc-cidr-analysis aws-ranges fetch`)"
        )
    chosen: dict[str, AwsRange] = {}
    entries = [("ip_prefix", e) for e in data["prefixes"]]
    entries += [("ipv6_prefix", e) for e in data.get("ipv6_prefixes") or []]
    for number, (key, entry) in enumerate(entries, start=1):
        fields = entry if isinstance(entry, Mapping) else {}
        text, service = fields.get(key), fields.get("service")
        if not isinstance(service, str) or not service:
            raise AwsRangesError(f"{source}: entry {number} ({entry!r}) has no service")
        try:
            network: Network = parse_block(text)
        except CidrError as exc:
            raise AwsRangesError(f"{source}: entry {number}: {exc}") from None
        item = AwsRange(
            str(network),
            service,
            str(fields.get("region") or "GLOBAL"),
            str(fields.get("network_border_group") or ""),
        )
        chosen[item.prefix] = _preferred(chosen.get(item.prefix), item)
    return AwsRanges(
        str(data.get("syncToken", "")), str(data.get("createDate", "")), tuple(chosen.values())
    )


def load_aws_ranges(path: str | Path) -> AwsRanges:
    """Read a saved `ip-ranges.json`."""
    file = Path(path)
    try:
        data = json.loads(file.read_text(encoding="utf-8"))
    except OSError as exc:
        raise AwsRangesError(
            f"cannot read AWS ranges file {file}: {exc.strerror}; download it with "
            "`vpc-cidr-analysis aws-ranges fetch --out FILE`"
        ) from None
    except json.JSONDecodeError as exc:
        raise AwsRangesError(f"{file} is not JSON ({exc.msg}, line {exc.lineno})") from None
    return parse_aws_ranges(data, str(file))


Opener = Callable[[str, float], bytes]


def _download(url: str, timeout: float) -> bytes:
    import urllib.request  # only to fetch: every command reading --aws-ranges or --help skips it

    with urllib.request.urlopen(url, timeout=timeout) as response:
        payload: bytes = response.read()
        return payload


def fetch(
    out: Path, url: str = URL, *, timeout: float = 30.0, opener: Opener = _download
) -> AwsRanges:
    """Download the ranges, check them, and replace `out` atomically (kept when anything fails)."""
    try:
        payload = opener(url, timeout)
    except OSError as exc:
        reason = getattr(exc, "reason", None) or exc
        raise AwsRangesError(
            f"cannot download {url}: {reason}; offline, pass a saved copy with --aws-ranges FILE"
        ) from None
    try:
        data = json.loads(payload)
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise AwsRangesError(f"{url} did not return JSON; {out} was left as it was") from None
    ranges = parse_aws_ranges(data, url)
    atomic_write(out, payload)
    return ranges
