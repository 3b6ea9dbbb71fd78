"""The one CIDR-block parser: query parameters, `--cidr`, `expand` and the CIDR Lambda use it.

`parse_block` reads a block as a person writes it and refuses, with the reason and the right
spelling, anything that is not exactly one block: no prefix length, an invalid address or
prefix, a zone index, host bits set (the error names the block that contains the address).
Users' values (`canonical=False`) may have surrounding spaces and upper-case IPv6 digits, and
come back canonical; the CIDR Lambda's events (`canonical=True`) must already be written as
`str(ipaddress.ip_network(text))`, because that text is what the `cidr` column holds and what
queries compare with. `expandable` adds what a block needs to be expanded into `cidrtable`.
Standard library only (ships to Lambda).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable
from typing import TypeAlias

from vpc_cidr_analysis.errors import AnalysisError
from vpc_cidr_analysis.settings import MAX_ADDRESSES

Network: TypeAlias = ipaddress.IPv4Network | ipaddress.IPv6Network
Address: TypeAlias = ipaddress.IPv4Address | ipaddress.IPv6Address

#: IPv4-mapped IPv6 addresses; flow logs record such traffic with IPv4 addresses.
IPV4_MAPPED = ipaddress.IPv6Network("::ffff:0:0/96")
#: One IPv4 /8: the largest block `cidrtable` expands by default. Bigger blocks belong in a
#: `contains()` query, not in a table of addresses.
DEFAULT_MAX_ADDRESSES = 1 << 24


class CidrError(AnalysisError, ValueError):
    """Not a CIDR block (or not one that can be used here); raised before anything is written."""


def parse_block(
    text: object, *, canonical: bool = False, max_addresses: int | None = None
) -> Network:
    """The network a CIDR block names; `CidrError` naming the text and the fix otherwise.

    With `max_addresses`, the block must also be `expandable` (checked before the spelling,
    so a block that could never be expanded is refused for that, not for its spelling).
    """
    if isinstance(text, bool) or not isinstance(text, str):
        raise CidrError(
            f"a CIDR must be a string like '10.0.0.0/16', got {type(text).__name__} {text!r}"
        )
    value = text if canonical else text.strip()
    if not value:
        raise CidrError("empty CIDR; write a block like '10.0.0.0/16'")
    if any(ch.isspace() for ch in value):
        raise CidrError(f"{text!r} contains whitespace; write it as {''.join(value.split())!r}")
    address_text, slash, prefix_text = value.partition("/")
    address = _parse_address(text, address_text)
    if not slash:
        raise CidrError(
            f"{text!r} has no prefix length; write the block, e.g. "
            f"'{address}/{address.max_prefixlen}' for this one address"
        )
    if not (prefix_text.isascii() and prefix_text.isdigit()):
        hint = _suggest(value)
        raise CidrError(
            f"{text!r}: prefix length {prefix_text!r} is not a number 0-{address.max_prefixlen}"
            + (f"; did you mean {hint!r}?" if hint else "")
        )
    if int(prefix_text) > address.max_prefixlen:
        raise CidrError(
            f"{text!r}: prefix length {int(prefix_text)} is out of range; "
            f"IPv{address.version} blocks take 0-{address.max_prefixlen}"
        )
    try:
        network: Network = ipaddress.ip_network(value)
    except ValueError:
        hint = _suggest(value)
        if hint is None:
            raise CidrError(f"{text!r} is not a CIDR block like '10.0.0.0/16'") from None
        raise CidrError(
            f"{text!r} has host bits set; the block that contains it is {hint!r}"
        ) from None
    if max_addresses is not None:
        expandable(network, max_addresses, text)
    if canonical and str(network) != text:
        raise CidrError(
            f"write {text!r} as {str(network)!r}: the cidr column holds the canonical form, "
            "and queries compare it as text"
        )
    return network


def expandable(
    network: Network, max_addresses: int = DEFAULT_MAX_ADDRESSES, text: str | None = None
) -> Network:
    """The block, if `cidrtable` can hold its addresses: at most `max_addresses` of them, and
    not IPv4-mapped IPv6 (flow logs write those addresses as IPv4). Errors name `text`, the
    block as the user wrote it, when given."""
    written = repr(text if text is not None else str(network))
    if network.num_addresses > max_addresses:
        raise CidrError(
            f"{written} has {network.num_addresses:,} addresses, more than the limit "
            f"{max_addresses:,} ({MAX_ADDRESSES}); a list that long cannot back "
            "`ip IN (SELECT ip FROM cidrtable ...)`. Query the block with "
            f"contains('{network}', TRY_CAST(srcaddr AS IPADDRESS)) instead"
        )
    if isinstance(network, ipaddress.IPv6Network) and network.overlaps(IPV4_MAPPED):
        mapped = ""
        if network.subnet_of(IPV4_MAPPED):
            low = int(network.network_address) & 0xFFFFFFFF
            mapped = f" {ipaddress.IPv4Network((low, network.prefixlen - 96))!s}"
        raise CidrError(
            f"{written} is IPv4-mapped IPv6 (::ffff:0:0/96); flow logs record those "
            f"addresses as IPv4, so expand the IPv4 block{mapped} instead"
        )
    return network


def _parse_address(text: str, address_text: str) -> Address:
    """The address part of a CIDR, with the standard library's reason when it is invalid."""
    parser: Callable[[str], Address]
    parser = ipaddress.IPv6Address if ":" in address_text else ipaddress.IPv4Address
    try:
        address = parser(address_text)
    except ValueError as exc:
        raise CidrError(
            f"{text!r} is not a valid CIDR: {exc} (IPv4 takes four octets 0-255 without "
            "leading zeros, e.g. '10.0.0.0/16'; IPv6 e.g. '2001:db8::/120')"
        ) from None
    if isinstance(address, ipaddress.IPv6Address) and address.scope_id is not None:
        raise CidrError(f"{text!r} has a zone index (%{address.scope_id}); drop it")
    return address


def _suggest(text: str) -> str | None:
    """The block `text` most likely meant (host bits cleared, netmask turned into a length)."""
    try:
        return str(ipaddress.ip_network(text, strict=False))
    except ValueError:
        return None
