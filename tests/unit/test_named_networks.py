"""The networks file: names, canonical blocks, nesting, the most specific block, -p names."""

from __future__ import annotations

from pathlib import Path

import pytest

from vpc_cidr_analysis.networks import (
    Networks,
    NetworksError,
    expand_parameters,
    load_networks,
    networks_csv,
    parse_networks,
)

FILE = """\
# the demo's networks
vpc-a: [10.0.0.0/16, 100.64.0.0/20, "2600:1F18:AAAA:AB00::/56"]
vpc-b:
  - 10.1.0.0/16
on-prem: [10.0.0.0/8, 192.168.0.0/16]
resolver: 10.0.0.2/32
"""


@pytest.fixture
def networks(tmp_path: Path) -> Networks:
    path = tmp_path / "networks.yaml"
    path.write_text(FILE)
    return load_networks(path)


def test_blocks_are_canonical_in_file_order(networks: Networks) -> None:
    assert networks.blocks == {
        "vpc-a": ("10.0.0.0/16", "100.64.0.0/20", "2600:1f18:aaaa:ab00::/56"),
        "vpc-b": ("10.1.0.0/16",),
        "on-prem": ("10.0.0.0/8", "192.168.0.0/16"),
        "resolver": ("10.0.0.2/32",),
    }
    assert networks.rows()[:3] == [
        ("vpc-a", "10.0.0.0/16"),
        ("vpc-a", "100.64.0.0/20"),
        ("vpc-a", "2600:1f18:aaaa:ab00::/56"),
    ]


def test_nested_blocks_are_reported_inner_first(networks: Networks) -> None:
    found = {(o.inner, o.outer) for o in networks.overlaps}
    assert found == {
        ("10.0.0.0/16", "10.0.0.0/8"),
        ("10.1.0.0/16", "10.0.0.0/8"),
        ("10.0.0.2/32", "10.0.0.0/8"),
        ("10.0.0.2/32", "10.0.0.0/16"),
    }
    text = str(next(o for o in networks.overlaps if o.inner == "10.0.0.2/32"))
    assert "belong to resolver" in text


@pytest.mark.parametrize(
    ("address", "network"),
    [
        ("10.0.0.2", "resolver"),
        ("10.0.0.3", "vpc-a"),
        ("10.1.2.3", "vpc-b"),
        ("10.9.9.9", "on-prem"),
        ("2600:1f18:aaaa:ab12::5", "vpc-a"),
        ("2600:1f18:aaaa:ac00::5", None),
        ("8.8.8.8", None),
        ("-", None),
    ],
)
def test_an_address_belongs_to_the_most_specific_block(
    networks: Networks, address: str, network: str | None
) -> None:
    assert networks.network_of(address) == network


def test_names_stand_for_their_blocks_in_cidr_parameters(networks: Networks) -> None:
    values = {"vpc_cidrs": "vpc-a", "peer_cidrs": "vpc-b, 192.0.2.0/24,vpc-b", "days": "7"}
    expanded = expand_parameters(values, networks, ["vpc_cidrs", "peer_cidrs"])
    assert expanded == {
        "vpc_cidrs": "10.0.0.0/16,100.64.0.0/20,2600:1f18:aaaa:ab00::/56",
        "peer_cidrs": "10.1.0.0/16,192.0.2.0/24",
        "days": "7",
    }
    assert expand_parameters(values, None, ["vpc_cidrs"]) == values


def test_an_unknown_name_lists_the_known_ones(networks: Networks) -> None:
    with pytest.raises(NetworksError, match=r"'vpc-x' is neither .* vpc-a, vpc-b, on-prem"):
        networks.expand_names("vpc-x")


def test_an_address_without_prefix_is_left_to_the_cidr_parser(networks: Networks) -> None:
    """`10.0.0.5` is no network name; the parameter's CIDR parser says to write /32."""
    assert networks.expand_names("vpc-b,10.0.0.5") == "10.1.0.0/16,10.0.0.5"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ([], "expected a mapping of network names"),
        ({}, "expected a mapping of network names"),
        ({"vpc a": ["10.0.0.0/16"]}, "network name 'vpc a' must be"),
        ({"internet": ["10.0.0.0/16"]}, "'internet' is a label"),
        ({"aws": ["10.0.0.0/16"]}, "'aws' is a label"),
        ({"vpc-a": []}, "needs a list of CIDR blocks"),
        ({"vpc-a": {"cidr": "10.0.0.0/16"}}, "needs a list of CIDR blocks"),
        ({"vpc-a": ["10.0.0.1/16"]}, "block that contains it is '10.0.0.0/16'"),
        ({"vpc-a": [16]}, "a CIDR must be a string"),
        ({"a": ["10.0.0.0/16"], "b": ["10.0.0.0/16"]}, "10.0.0.0/16 is in both 'a' and 'b'"),
    ],
)
def test_bad_files_are_refused_in_one_line(data: object, message: str) -> None:
    with pytest.raises(NetworksError, match=message) as caught:
        parse_networks(data, "networks.yaml")
    assert "\n" not in str(caught.value) and str(caught.value).startswith("networks.yaml")


def test_yaml_errors_name_the_line(tmp_path: Path) -> None:
    path = tmp_path / "networks.yaml"
    path.write_text("vpc-a: [10.0.0.0/16\nvpc-b: x\n")
    with pytest.raises(NetworksError, match=r"networks.yaml line \d+: .*expected lines like"):
        load_networks(path)
    with pytest.raises(NetworksError, match="cannot read networks file"):
        load_networks(tmp_path / "missing.yaml")


def test_json_is_a_networks_file_too(tmp_path: Path) -> None:
    path = tmp_path / "networks.json"
    path.write_text('{"vpc-a": ["10.0.0.0/16"]}')
    assert load_networks(path).rows() == [("vpc-a", "10.0.0.0/16")]


def test_csv_has_the_table_columns(networks: Networks) -> None:
    lines = networks_csv(networks.rows()).splitlines()
    assert lines[0] == "network,cidr"
    assert lines[1] == "vpc-a,10.0.0.0/16"
    assert len(lines) == 1 + len(networks.rows())
