"""The two CIDR forms of every query return identical results, for random CIDR parameters."""

from __future__ import annotations

import ipaddress
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sql_variants import reformatted

from vpc_cidr_analysis.pack.queries import load_queries
from vpc_cidr_analysis.pack.runner import run_local

QUERIES = load_queries()


@st.composite
def blocks(draw: st.DrawFn) -> str:
    """A CIDR block somewhere the simulated traffic lives (A, B, C, internet, IPv6)."""
    base = draw(
        st.sampled_from(
            ["10.0.0.0/16", "10.1.0.0/16", "10.2.0.0/16", "100.64.0.0/20", "3.5.0.0/16",
             "2600:1f18:aaaa:ab00::/56"]
        )
    )  # fmt: skip
    network = ipaddress.ip_network(base)
    low = 16 if network.version == 4 else 112
    prefix = draw(
        st.integers(min_value=max(low, network.prefixlen), max_value=network.max_prefixlen)
    )
    offset = draw(st.integers(min_value=0, max_value=min(network.num_addresses - 1, 2**20)))
    address = network.network_address + offset
    return str(ipaddress.ip_network(f"{address}/{prefix}", strict=False))


cidr_lists = st.lists(blocks(), min_size=1, max_size=3, unique=True).map(",".join)


@settings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(vpc=cidr_lists, peer=cidr_lists, name=st.sampled_from(["between", "external", "internal"]))
def test_contains_and_cidrtable_forms_agree(
    small_sample: Any, vpc: str, peer: str, name: str
) -> None:
    values = {"vpc_cidrs": vpc}
    if name == "between":
        values["peer_cidrs"] = peer
    today = small_sample.config.end_date
    logs = str(small_sample.path)
    plain = run_local(QUERIES[name], values, logs, today=today)
    lookup = run_local(QUERIES[name], values, logs, today=today, form="cidrtable")
    assert plain.columns == lookup.columns
    assert plain.rows == lookup.rows


def test_forms_agree_on_a_busy_case(small_sample: Any) -> None:
    """A fixed case with many rows, so the property above is never vacuous. (IPv6 VPC blocks
    are /56: too large to expand, which is why contains() is the default form.)"""
    today = small_sample.config.end_date
    values = {"vpc_cidrs": "10.0.0.0/16,100.64.0.0/20"}
    logs = str(small_sample.path)
    plain = run_local(QUERIES["external"], values, logs, today=today)
    lookup = run_local(QUERIES["external"], values, logs, today=today, form="cidrtable")
    assert len(plain.rows) > 20
    assert plain.rows == lookup.rows


def test_reformatted_query_runs_the_same_in_every_form(small_sample: Any, tmp_path: Path) -> None:
    """The forms of `between` written otherwise (lower case, other layout, more comments) return
    the same rows as the pack's own, run on the local engine."""
    query = QUERIES["between"]
    (tmp_path / "between.sql").write_text(query.header + "\n" + reformatted(query.sql))
    variant = load_queries(tmp_path)["between"]
    assert variant.sql != query.sql
    values = {"vpc_cidrs": "10.0.0.0/16,100.64.0.0/20", "peer_cidrs": "10.1.0.0/16"}
    today, logs = small_sample.config.end_date, str(small_sample.path)
    for raw, form in [
        (False, "contains"),
        (True, "contains"),
        (False, "cidrtable"),
        (True, "cidrtable"),
    ]:
        ours = run_local(variant, values, logs, today=today, raw=raw, form=form)
        pack = run_local(query, values, logs, today=today, raw=raw, form=form)
        assert ours.columns == pack.columns
        assert ours.rows, (raw, form)
        if raw:  # records of the same start and endpoints (one per ENI) come in either order
            assert sorted(map(repr, ours.rows)) == sorted(map(repr, pack.rows))
        else:
            assert ours.rows == pack.rows
