"""Named networks: the `networks.yaml` file that gives CIDR groups the names people use.

The file maps each name to its CIDR blocks, IPv4 and IPv6 (a JSON object is valid YAML too):

    vpc-a: [10.0.0.0/16, 100.64.0.0/20, 2600:1f18:aaaa:ab00::/56]
    vpc-b:
      - 10.1.0.0/16
    on-prem: [10.0.0.0/8, 192.168.0.0/16]

It is read and validated once (`load_networks`): every block through the one CIDR parser
(`cidr.parse_block`, so a block comes back canonical and host bits are refused with the right
block), names as `[A-Za-z0-9][A-Za-z0-9._-]*` (they become table values and `-p` words, and
`internet` and `aws:…` are the query's own labels), no block under two names. Blocks of different
networks may nest (`on-prem` 10.0.0.0/8 around `vpc-a` 10.0.0.0/16): an address belongs to the
most specific block (`Networks.network_of`, as `queries/network_matrix.sql` ranks them), and
`Networks.overlaps` lists each such nesting so the CLI can say so.

`expand_names` lets a name stand for its blocks in a CIDR parameter (`-p vpc_cidrs=vpc-a`,
`-p peer_cidrs=vpc-b,192.0.2.0/24`); `rows` are the `(network, cidr)` rows of the `networks`
table that the local engine and the stack's Glue table hold.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from vpc_cidr_analysis.cidr import CidrError, Network, parse_block
from vpc_cidr_analysis.errors import AnalysisError

#: What a network name may be: a word of letters, digits, `.`, `_` and `-`.
NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,62}")
#: Labels the matrix gives addresses outside every named network; no file may use them.
INTERNET = "internet"
AWS_PREFIX = "aws:"
#: Columns of the `networks` table (local engine, Glue table, the pushed CSV).
COLUMNS = ("network", "cidr")
EXAMPLE = "vpc-a: [10.0.0.0/16, 2600:1f18:aaaa:ab00::/56]"


class NetworksError(AnalysisError, ValueError):
    """The networks file, or a network name in a parameter, is wrong; said in one line."""


@dataclass(frozen=True)
class Overlap:
    """A block of one network inside a block of another (the inner one is more specific)."""

    inner_network: str
    inner: str
    outer_network: str
    outer: str

    def __str__(self) -> str:
        return (
            f"{self.inner} ({self.inner_network}) is inside {self.outer} ({self.outer_network}); "
            f"its addresses belong to {self.inner_network}, the more specific block"
        )


@dataclass(frozen=True)
class Networks:
    """Validated named networks: name -> canonical blocks, in the file's order."""

    blocks: Mapping[str, tuple[str, ...]]
    source: str = "networks"

    @property
    def names(self) -> list[str]:
        return list(self.blocks)

    def rows(self) -> list[tuple[str, str]]:
        """The `networks` table: one (network, cidr) row per block."""
        return [(name, cidr) for name, cidrs in self.blocks.items() for cidr in cidrs]

    @property
    def overlaps(self) -> list[Overlap]:
        """Every block of one network that lies inside a block of another network."""
        parsed = [(name, ipaddress.ip_network(cidr)) for name, cidr in self.rows()]
        found: list[Overlap] = []
        for inner_name, inner in parsed:
            for outer_name, outer in parsed:
                if (
                    inner_name != outer_name
                    and inner.version == outer.version
                    and inner != outer
                    and inner.subnet_of(outer)  # type: ignore[arg-type]
                ):
                    found.append(Overlap(inner_name, str(inner), outer_name, str(outer)))
        return found

    def network_of(self, address: str) -> str | None:
        """The network of the most specific block holding `address` (None: in none of them).

        Ties cannot happen (no block is under two names); the name order breaks them anyway,
        as the query does.
        """
        try:
            ip = ipaddress.ip_address(address)
        except ValueError:
            return None
        best: tuple[int, str] | None = None
        for name, cidr in self.rows():
            network = ipaddress.ip_network(cidr)
            if network.version == ip.version and ip in network:
                candidate = (-network.prefixlen, name)
                if best is None or candidate < best:
                    best = candidate
        return None if best is None else best[1]

    def expand_names(self, value: str) -> str:
        """A CIDR parameter with each network name replaced by its blocks (in order, once)."""
        parts: list[str] = []
        for part in (p.strip() for p in value.split(",")):
            if part in self.blocks:
                parts.extend(c for c in self.blocks[part] if c not in parts)
            elif part and "/" not in part and NAME.fullmatch(part) and not _is_address(part):
                raise NetworksError(
                    f"{part!r} is neither a CIDR block nor a network of {self.source}; "
                    f"its networks are {', '.join(self.names)}"
                )
            elif part not in parts:
                parts.append(part)
        return ",".join(parts)


def _is_address(text: str) -> bool:
    """An address written without its prefix length: left for the CIDR parser, which says so."""
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


def parse_networks(data: Any, source: str = "networks") -> Networks:
    """Validate a mapping read from a networks file (see the module docstring)."""
    if not isinstance(data, Mapping) or not data:
        raise NetworksError(
            f"{source}: expected a mapping of network names to CIDR lists, e.g. {EXAMPLE}"
        )
    blocks: dict[str, tuple[str, ...]] = {}
    owner: dict[str, str] = {}
    for name, value in data.items():
        if not isinstance(name, str) or not NAME.fullmatch(name):
            raise NetworksError(
                f"{source}: network name {name!r} must be letters, digits, '.', '_' or '-' "
                "(at most 63), starting with a letter or digit, e.g. vpc-a"
            )
        if name == INTERNET or name.startswith(AWS_PREFIX.rstrip(":")):
            raise NetworksError(
                f"{source}: {name!r} is a label the queries give addresses outside the named "
                "networks; choose another name"
            )
        cidrs = [value] if isinstance(value, str) else value
        if not isinstance(cidrs, list) or not cidrs:
            raise NetworksError(
                f"{source}: network {name!r} needs a list of CIDR blocks, e.g. {EXAMPLE}"
            )
        canonical: list[str] = []
        for text in cidrs:
            try:
                network: Network = parse_block(text)
            except CidrError as exc:
                raise NetworksError(f"{source}: network {name!r}: {exc}") from None
            block = str(network)
            if block in owner and owner[block] != name:
                raise NetworksError(
                    f"{source}: {block} is in both {owner[block]!r} and {name!r}; a block "
                    "belongs to one network (nest a more specific block instead)"
                )
            owner[block] = name
            if block not in canonical:
                canonical.append(block)
        blocks[name] = tuple(canonical)
    return Networks(blocks, source)


def load_networks(path: str | Path) -> Networks:
    """Read and validate a networks file (YAML, or JSON, which is YAML)."""
    import yaml

    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8")
    except OSError as exc:
        raise NetworksError(f"cannot read networks file {file}: {exc.strerror}") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or "not YAML"
        raise NetworksError(f"{file}{where}: {problem}; expected lines like {EXAMPLE}") from None
    return parse_networks(data, str(file))


def expand_parameters(
    values: Mapping[str, str], networks: Networks | None, cidr_params: Iterable[str]
) -> dict[str, str]:
    """Parameter values with network names in the CIDR parameters replaced by their blocks."""
    names = set(cidr_params)
    if networks is None:
        return dict(values)
    return {k: networks.expand_names(v) if k in names else v for k, v in values.items()}


def networks_csv(rows: Sequence[tuple[str, str]]) -> str:
    """The `networks` table as CSV with a header line (the stack's Glue table skips it)."""
    import csv
    import io

    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(COLUMNS)
    writer.writerows(rows)
    return buffer.getvalue()


#: The object `networks push` writes under the stack's NetworksLocation (the Glue table's folder).
NETWORKS_OBJECT = "networks.csv"


def push_networks(s3: Any, location: str, rows: Sequence[tuple[str, str]]) -> str:
    """Write the `networks` table's CSV as the one object of its S3 folder; its s3:// URL.

    One PutObject replaces the object whole, so Athena never reads half a table.
    """
    from vpc_cidr_analysis.s3url import parse_s3_url

    folder = parse_s3_url(location, what="NetworksLocation", folder=True)
    key = f"{folder.key}{NETWORKS_OBJECT}"
    s3.put_object(
        Bucket=folder.bucket,
        Key=key,
        Body=networks_csv(rows).encode("utf-8"),
        ContentType="text/csv",
    )
    return f"s3://{folder.bucket}/{key}"
