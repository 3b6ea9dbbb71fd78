"""One CIDR block as a user writes it: the checks the query parameters and `--cidr` share."""

from __future__ import annotations

import ipaddress

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_block(text: str) -> Network:
    """The network a block names; ValueError starting with the text when it is not one.

    Refused: no prefix length, anything `ipaddress` cannot read, and host bits set (the error
    names the block that contains the address). Case and surrounding spaces are forgiven.
    """
    value = text.strip()
    if "/" not in value:
        raise ValueError(f"{text!r} has no prefix length; expected e.g. {value}/32 or 10.0.0.0/16")
    try:
        network = ipaddress.ip_network(value, strict=False)
    except ValueError:
        raise ValueError(
            f"{text!r} is not a CIDR block; expected e.g. 10.0.0.0/16 or 2600:1f18::/56"
        ) from None
    if ipaddress.ip_interface(value).ip != network.network_address:
        raise ValueError(f"{text!r} has host bits set; did you mean {network}?")
    return network
