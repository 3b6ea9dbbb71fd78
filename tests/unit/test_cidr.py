"""The one CIDR parser (`vpc_cidr_analysis.cidr`): users' values and the Lambda's events."""

from __future__ import annotations

import ipaddress

import pytest

from vpc_cidr_analysis.cidr import CidrError, expandable, parse_block
from vpc_cidr_analysis.cidrtable.expand import parse_cidr

# --------------------------------------------------------------------------- parse_cidr


@pytest.mark.parametrize(
    ("text", "canonical"),
    [
        ("10.0.0.0/16", "10.0.0.0/16"),
        ("10.0.0.5/32", "10.0.0.5/32"),
        ("0.0.0.0/8", "0.0.0.0/8"),
        ("2001:db8::/126", "2001:db8::/126"),
        ("2001:db8::/104", "2001:db8::/104"),
        ("::/128", "::/128"),
    ],
)
def test_parse_cidr_accepts_canonical_blocks(text: str, canonical: str) -> None:
    assert str(parse_cidr(text)) == canonical


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("10.0.0.1/16", "has host bits set; the block that contains it is '10.0.0.0/16'"),
        ("10.0.0.0/16 ", "contains whitespace; write it as '10.0.0.0/16'"),
        (" 10.0.0.0/16", "contains whitespace; write it as '10.0.0.0/16'"),
        ("10.0.0.0/\t16", "contains whitespace; write it as '10.0.0.0/16'"),
        ("10.0.0.256/24", "Octet 256 (> 255) not permitted"),
        ("10.0.0/24", "Expected 4 octets"),
        ("010.0.0.0/8", "Leading zeros are not permitted"),
        ("10.0.0.0/33", "prefix length 33 is out of range; IPv4 blocks take 0-32"),
        ("2001:db8::/129", "prefix length 129 is out of range; IPv6 blocks take 0-128"),
        ("10.0.0.0/-1", "prefix length '-1' is not a number 0-32"),
        ("10.0.0.0/", "prefix length '' is not a number 0-32"),
        ("10.0.0.0/255.255.0.0", "did you mean '10.0.0.0/16'?"),
        ("10.0.0.0/016", "write '10.0.0.0/016' as '10.0.0.0/16'"),
        ("2001:DB8::/126", "write '2001:DB8::/126' as '2001:db8::/126'"),
        ("2001:db8:0::/126", "as '2001:db8::/126'"),
        ("10.0.0.5", "has no prefix length; write the block, e.g. '10.0.0.5/32'"),
        ("2001:db8::1", "e.g. '2001:db8::1/128'"),
        ("fe80::%eth0/64", "zone index"),
        ("::ffff:10.0.0.0/120", "IPv4-mapped IPv6 (::ffff:0:0/96)"),
        ("::ffff:a00:0/120", "expand the IPv4 block 10.0.0.0/24 instead"),
        ("::ffff:0:0/112", "expand the IPv4 block 0.0.0.0/16 instead"),
        ("", "empty CIDR"),
        ("vpc-a", "is not a valid CIDR"),
        ("10.0.0.0/7", "33,554,432 addresses, more than the limit 16,777,216"),
        ("2001:db8::/56", "contains('2001:db8::/56', TRY_CAST(srcaddr AS IPADDRESS))"),
        (16, "must be a string like '10.0.0.0/16', got int 16"),
        (None, "got NoneType None"),
        (True, "got bool True"),
        (["10.0.0.0/16"], "got list"),
    ],
)
def test_parse_cidr_refuses_with_the_fix(value: object, message: str) -> None:
    with pytest.raises(CidrError) as caught:
        parse_cidr(value)
    assert message in str(caught.value)


def test_parse_cidr_limit_is_inclusive() -> None:
    assert parse_cidr("10.0.0.0/25", max_addresses=128).num_addresses == 128
    with pytest.raises(CidrError, match="128 addresses, more than the limit 127"):
        parse_cidr("10.0.0.0/25", max_addresses=127)


def test_blocks_overlapping_ipv4_mapped_space_are_refused() -> None:
    with pytest.raises(CidrError, match=r"\(::ffff:0:0/96\); flow logs .* IPv4 block instead"):
        parse_cidr("::/64", max_addresses=2**64)


def test_ipv6_slash_56_is_refused_without_enumerating() -> None:
    # num_addresses is arithmetic: the refusal is immediate whatever the size, even /0.
    with pytest.raises(CidrError, match="340,282,366,920,938,463,463,374,607,431,768,211,456"):
        parse_cidr("::/0")


@pytest.mark.parametrize(
    ("text", "canonical"),
    [
        ("10.0.0.0/16", "10.0.0.0/16"),
        (" 10.0.0.0/16 ", "10.0.0.0/16"),
        ("2600:1F18:AAAA:AB00::/56", "2600:1f18:aaaa:ab00::/56"),
        ("2001:db8:0::/126", "2001:db8::/126"),
        ("::/96", "::/96"),
    ],
)
def test_users_values_are_forgiven_case_and_spaces_and_come_back_canonical(
    text: str, canonical: str
) -> None:
    assert str(parse_block(text)) == canonical


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (
            "10.0.0.1/16",
            "'10.0.0.1/16' has host bits set; the block that contains it is '10.0.0.0/16'",
        ),
        ("10.0.0.0", "'10.0.0.0' has no prefix length; write the block, e.g. '10.0.0.0/32'"),
        ("abc", "'abc' is not a valid CIDR: Expected 4 octets in 'abc'"),
        ("10.0.0.256/24", "Octet 256 (> 255) not permitted"),
        ("10.0.0.0/33", "prefix length 33 is out of range; IPv4 blocks take 0-32"),
        ("' OR 1=1 --", "contains whitespace"),
        ("10.0.0.0/16'; DROP TABLE x; --", "contains whitespace"),
        ("10.0.0.0/16';DROP", 'prefix length "16\';DROP" is not a number 0-32'),
    ],
)
def test_users_values_get_the_same_refusals(value: str, message: str) -> None:
    with pytest.raises(CidrError) as caught:
        parse_block(value)
    assert message in str(caught.value)


def test_only_the_lambdas_events_must_be_canonical() -> None:
    assert str(parse_block("2001:DB8::/126")) == "2001:db8::/126"
    with pytest.raises(CidrError, match="write '2001:DB8::/126' as '2001:db8::/126'"):
        parse_block("2001:DB8::/126", canonical=True)


def test_expandable_blocks() -> None:
    network = ipaddress.ip_network("10.0.0.0/8")
    assert expandable(network) is network
    with pytest.raises(CidrError, match="33,554,432 addresses, more than the limit 16,777,216"):
        expandable(ipaddress.ip_network("10.0.0.0/7"))
    with pytest.raises(CidrError, match="IPv4-mapped IPv6"):
        expandable(ipaddress.ip_network("::ffff:0:0/120"))
    assert str(expandable(ipaddress.ip_network("::/120"))) == "::/120"


def test_cidr_errors_are_known_errors_and_value_errors() -> None:
    from vpc_cidr_analysis.errors import AnalysisError

    assert issubclass(CidrError, AnalysisError) and issubclass(CidrError, ValueError)
