"""Golden: every conversation query of the pack, on the local engine, equals the simulator's
ground truth at connection level: the connections it generated (who was the client, which port,
what each side sent as logged, each connection once however many interfaces logged it), as
ground_truth.json holds them, independent of any SQL. Every layout (default, Hive, hourly, a user
prefix), text v2, v3, v5, v8 and Parquet, and a custom field order. The simulated records are
those AWS writes: NAT gateway and transit gateway attachment interfaces (hops, with pkt-* from v3),
both ends of a connection logged, connections over several aggregation intervals (SYN only in
the first), v8 reject-reason BPA beside ordinary rejects.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from local_answers import answer

from vpc_cidr_analysis import schema
from vpc_cidr_analysis.pack.queries import load_queries
from vpc_cidr_analysis.pack.runner import QueryOutput, run_local
from vpc_cidr_analysis.simulate.simulator import (
    CONNECTION_COLUMNS,
    CONNECTION_KEY,
    TOP_TALKERS,
    SampleConfig,
    connection_rows,
    connection_truth,
    format_has_pkt,
    read_ground_truth,
    write_sample,
)

END = date(2026, 11, 27)
NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
QUERIES = load_queries()
CUSTOM_FIELDS = (
    "log-status action bytes packets end start protocol dstport srcport dstaddr srcaddr "
    "interface-id tcp-flags flow-direction version"
)
V3_FIELDS = tuple(f.name for f in schema.FIELDS if f.version <= 3)
V8_FIELDS = schema.ALL_FIELDS  # every field up to version 8 (reject-reason)


def _config(seed: int, **options: Any) -> SampleConfig:
    return SampleConfig(records=4000, days=13, end_date=END, seed=seed, now=NOW, **options)


DATASETS = {
    "default-daily-text-v5": _config(7),
    "hive-hourly-text-v5": _config(8, layout="hive", hourly=True),
    "default-hourly-parquet-v5": _config(9, hourly=True, file_format="parquet"),
    "hive-daily-parquet-prefix": _config(
        10, layout="hive", file_format="parquet", prefix="org/flow-logs"
    ),
    "default-daily-text-custom": _config(11, fields=CUSTOM_FIELDS),
    "default-daily-text-v2": _config(12, fields=schema.V2_FIELDS),
    "prefix-hourly-text-v3": _config(13, hourly=True, prefix="logs", fields=V3_FIELDS),
    "hive-daily-text-v8": _config(14, layout="hive", fields=V8_FIELDS),
    "default-daily-parquet-v8": _config(15, file_format="parquet", fields=V8_FIELDS),
}
WINDOW = "last_10_days"


@pytest.fixture(scope="module", params=sorted(DATASETS))
def dataset(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Any:
    config = DATASETS[request.param]
    path = tmp_path_factory.mktemp(request.param)
    write_sample(config, path)
    return path, config, read_ground_truth(path)


def _networks(truth: dict[str, Any]) -> dict[str, list[str]]:
    return {vpc["key"]: vpc["cidrs"] for vpc in truth["topology"]["vpcs"]}


def _epoch(value: Any) -> int:
    if isinstance(value, datetime):
        aware = value if value.tzinfo else value.replace(tzinfo=UTC)
        return int(aware.timestamp())
    return int(value)


def _as_dicts(out: QueryOutput) -> list[dict[str, Any]]:
    rows = []
    for row in out.rows:
        item = dict(zip(out.columns, row, strict=True))
        item["first_seen"] = _epoch(item["first_seen"])
        item["last_seen"] = _epoch(item["last_seen"])
        rows.append(item)
    return rows


def _key(row: dict[str, Any]) -> tuple[Any, ...]:
    return tuple(row[k] for k in CONNECTION_KEY)


def _total(row: dict[str, Any]) -> int:
    return int(row["client_bytes"]) + int(row["server_bytes"])


def _window(days: int = 10) -> tuple[str, str]:
    return (END - timedelta(days=days - 1)).strftime("%Y/%m/%d"), END.strftime("%Y/%m/%d")


def _expected(
    truth: dict[str, Any], config: SampleConfig, name: str
) -> tuple[list[dict[str, Any]], set[str]]:
    """The query's rows from ground_truth.json as this format shows them, and the hops."""
    rows, hops = connection_rows(truth, name, WINDOW)
    for row in rows:
        if name != "rejected":
            del row["reject_reason"]
        elif "reject-reason" not in config.fields:
            row["reject_reason"] = None  # the format cannot tell BPA from other rejects
    return rows, hops


def _attributable(got: list[dict[str, Any]], hops: set[str], pkt: bool) -> list[dict[str, Any]]:
    """Without pkt-*, the hops' own rows (a gateway as endpoint) are left out."""
    return got if pkt else [r for r in got if not {r["client"], r["server"]} & hops]


SCENARIO_PARAMS = {
    "external": lambda n: {},
    "internal": lambda n: {},
    "peering": lambda n: {"peer_cidrs": ",".join(n["B"])},
    "cross_vpc": lambda n: {"peer_cidrs": ",".join(n["C"])},
    "inbound": lambda n: {"peer_cidrs": ",".join(n["B"])},
    "outbound": lambda n: {"peer_cidrs": ",".join(n["B"])},
    "top_talkers": lambda n: {},
    "rejected": lambda n: {},
    "remote_admin": lambda n: {},
}
#: `between` with each direction is the body behind peering, inbound and outbound.
BETWEEN = {"both": "peering", "inbound": "inbound", "outbound": "outbound"}


def _run(path: Path, truth: dict[str, Any], name: str, **extra: str) -> list[dict[str, Any]]:
    networks = _networks(truth)
    values = {"vpc_cidrs": ",".join(networks["A"]), **SCENARIO_PARAMS[name](networks), **extra}
    query = "between" if "direction" in extra else name
    return _as_dicts(answer(query, values, str(path), today=END))


@pytest.mark.parametrize("name", sorted(SCENARIO_PARAMS))
def test_query_equals_ground_truth(dataset: Any, name: str) -> None:
    """Client and server as generated, each connection once, in every layout and format."""
    path, config, truth = dataset
    got = _run(path, truth, name)
    pkt = format_has_pkt(config.fields)
    expected, hops = _expected(truth, config, name)
    assert expected, f"the simulation must exercise {name}"
    assert [_total(r) for r in got] == sorted((_total(r) for r in got), reverse=True)
    if name == "top_talkers" and not pkt:  # the hops' rows take places in the top 20
        assert len(got) == TOP_TALKERS
        wanted = {_key(r): r for r in connection_rows(truth, name, WINDOW)[0]}
        every = {_key(r): r for r in connection_rows(truth, "external", WINDOW)[0]}
        every |= {_key(r): r for r in connection_rows(truth, "internal", WINDOW)[0]}
        for row in _attributable(got, hops, pkt):
            want = (wanted.get(_key(row)) or every[_key(row)]) | {"reject_reason": None}
            del want["reject_reason"]
            assert row == want
        return
    if name == "top_talkers":
        assert got == expected  # order matters: the top 20
        return
    assert sorted(_attributable(got, hops, pkt), key=_key) == sorted(expected, key=_key)


@pytest.mark.parametrize("direction", sorted(BETWEEN))
def test_between_equals_its_entries(dataset: Any, direction: str) -> None:
    path, config, truth = dataset
    got = _run(path, truth, "peering", direction=direction)
    expected, hops = _expected(truth, config, BETWEEN[direction])
    pkt = format_has_pkt(config.fields)
    assert sorted(_attributable(got, hops, pkt), key=_key) == sorted(expected, key=_key)


def test_ground_truth_file_equals_the_generated_connections(dataset: Any) -> None:
    """ground_truth.json holds `connection_truth` over the replayed conversations."""
    _path, config, truth = dataset
    generated = connection_truth(config, *_window())
    networks = _networks(truth)
    for name in SCENARIO_PARAMS:
        rows = connection_rows(truth, name, WINDOW)[0]
        assert rows == generated.query(name, networks), name
    assert generated.hops <= set(truth["connections"]["hops"])  # the file: the whole range
    assert list(truth["connections"]["columns"]) == list(CONNECTION_COLUMNS)


def test_a_connection_logged_at_both_ends_counts_once(dataset: Any) -> None:
    """A and B both log: each peering connection is in two interfaces' records (client's and
    server's), over one or more aggregation intervals; the row counts its bytes once."""
    path, config, truth = dataset
    networks = _networks(truth)
    values = {"vpc_cidrs": ",".join(networks["A"]), "peer_cidrs": ",".join(networks["B"])}
    rows = _as_dicts(answer("peering", values, str(path), today=END))
    raw = answer("peering", values, str(path), today=END, raw=True)
    records = [dict(zip(raw.columns, r, strict=True)) for r in raw.rows]
    assert rows
    for row in rows:
        sent = [
            r
            for r in records
            if (r["srcaddr"], r["dstaddr"], r["dstport"])
            == (row["client"], row["server"], row["server_port"])
        ]
        if "interface-id" in config.fields:
            assert len({r["interface_id"] for r in sent}) == 2  # the client's and the server's
        assert sum(r["bytes"] for r in sent) == 2 * row["client_bytes"]
        assert len(records) > len(rows)
    assert any(r["records"] > 4 * r["connections"] for r in rows)  # several intervals


def test_raw_form_returns_the_matched_records(dataset: Any) -> None:
    path, _config, truth = dataset
    networks = _networks(truth)
    values = {"vpc_cidrs": ",".join(networks["A"]), "peer_cidrs": ",".join(networks["C"])}
    out = answer("cross_vpc", values, str(path), today=END, raw=True)
    rows = _as_dicts(answer("cross_vpc", values, str(path), today=END))
    assert rows
    assert len(out.rows) == sum(r["records"] for r in rows)
    assert {"srcaddr", "dstaddr", "start", "end", "day", "interface_id"} <= set(out.columns)


def test_explicit_days_select_exactly_that_window(dataset: Any) -> None:
    path, _, truth = dataset
    a = _networks(truth)["A"]
    values = {"vpc_cidrs": ",".join(a), "start_day": "2026/11/16", "end_day": "2026/11/17"}
    out = run_local(QUERIES["external"], values, str(path), today=END, raw=True)
    assert {row[out.columns.index("day")] for row in out.rows} == {"2026/11/16", "2026/11/17"}


def test_whole_range_with_days(dataset: Any) -> None:
    path, config, truth = dataset
    got = _run(path, truth, "external", days="13")
    rows, hops = connection_rows(truth, "external", "all")
    for row in rows:
        del row["reject_reason"]
    pkt = format_has_pkt(config.fields)
    assert sorted(_attributable(got, hops, pkt), key=_key) == sorted(rows, key=_key)


def test_query_without_logs_path_fails_clearly(tmp_path: Path) -> None:
    with pytest.raises(Exception, match=str(tmp_path / "missing")):
        run_local(
            QUERIES["external"], {"vpc_cidrs": "10.0.0.0/16"}, str(tmp_path / "missing"), today=END
        )
