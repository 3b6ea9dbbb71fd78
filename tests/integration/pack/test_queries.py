"""The query pack's header contract, parameter validation and derived forms."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import sqlglot
import trino_query_parser
from hypothesis import given, settings
from hypothesis import strategies as st

from vpc_cidr_analysis.engine.local import LocalEngine
from vpc_cidr_analysis.pack.forms import (
    RAW_CONNECTION_SELECT,
    cidrtable_form,
    raw_form,
    saved_forms,
)
from vpc_cidr_analysis.pack.queries import (
    ParameterError,
    ParamType,
    QueryError,
    athena_literal,
    count_placeholders,
    get_query,
    load_queries,
    parse_assignments,
    parse_query_file,
    placeholders,
    window_days,
)
from vpc_cidr_analysis.pack.runner import add_networks_table

QUERIES = load_queries()
SCENARIOS = {"external", "peering", "cross_vpc", "internal", "inbound", "outbound"}
SUMMARIES = {"top_talkers", "rejected", "remote_admin"}
#: Queries over the `networks` table (contains(n.cidr, …)): no CIDR parameter, no cidrtable form.
MAPS = {"network_matrix", "network_servers", "aws_services"}
CONVERSATION = [
    "client", "server", "server_port", "protocol", "action", "connections", "records",
    "client_packets", "client_bytes", "server_packets", "server_bytes", "first_seen", "last_seen",
    "decided_by",
]  # fmt: skip


def required(name: str) -> dict[str, str]:
    """Values for a query's required parameters: their examples."""
    return {p.name: p.example for p in QUERIES[name].params if p.required}


def test_pack_has_every_scenario_and_summary() -> None:
    assert set(QUERIES) >= SCENARIOS | SUMMARIES


USAGE = {"eni_usage", "eni_ports", "sg_connections"}  # per-ENI results, no CIDR parameter
#: Queries over Transit Gateway flow logs (tgwflowlogstable) without a CIDR parameter.
TRANSIT = {"tgw_attachments", "tgw_top_talkers", "tgw_drops"}
#: Transit Gateway queries between two networks (a CIDR parameter each: a cidrtable form too).
TRANSIT_ROUTES = {"tgw_route_usage"}
#: tgw.md's columns of tgw_route_usage and tgw_top_talkers, and of tgw_drops, with their types.
TGW_CONNECTION = [
    ("tgw_id", "varchar"), ("client_attachment_id", "varchar"),
    ("server_attachment_id", "varchar"), ("client_vpc_id", "varchar"),
    ("server_vpc_id", "varchar"), ("client", "varchar"), ("server", "varchar"),
    ("server_port", "integer"), ("protocol", "bigint"), ("connections", "bigint"),
    ("client_packets", "bigint"), ("client_bytes", "bigint"), ("server_packets", "bigint"),
    ("server_bytes", "bigint"), ("first_seen", "timestamp(3) with time zone"),
    ("last_seen", "timestamp(3) with time zone"), ("decided_by", "varchar"),
]  # fmt: skip
TGW_DROPS = [
    ("tgw_id", "varchar"), ("tgw_attachment_id", "varchar"),
    ("tgw_pair_attachment_id", "varchar"), ("src_vpc_id", "varchar"), ("dst_vpc_id", "varchar"),
    ("dstaddr", "varchar"), ("dstport", "integer"), ("protocol", "bigint"), ("flows", "bigint"),
    ("packets_lost_no_route", "bigint"), ("packets_lost_blackhole", "bigint"),
    ("packets_lost_mtu_exceeded", "bigint"), ("packets_lost_ttl_expired", "bigint"),
    ("first_seen", "timestamp(3) with time zone"), ("last_seen", "timestamp(3) with time zone"),
]  # fmt: skip
WINDOW = ["start_day", "days", "end_day"]


@pytest.mark.parametrize(
    ("name", "params", "columns"),
    [
        ("tgw_route_usage", ["a_cidrs", "b_cidrs", *WINDOW], TGW_CONNECTION),
        ("tgw_top_talkers", ["top", *WINDOW], TGW_CONNECTION),
        ("tgw_drops", WINDOW, TGW_DROPS),
    ],
)
def test_transit_gateway_queries_keep_the_shared_contract(
    name: str, params: list[str], columns: list[tuple[str, str]]
) -> None:
    """tgw.md's parameters and columns, names and types in order; the day window declared as in
    tgw_attachments; the TGW table only."""
    query = QUERIES[name]
    assert [p.name for p in query.params] == params
    assert [(c.name, c.type) for c in query.columns] == columns
    window = {p.name: p for p in QUERIES["tgw_attachments"].params}
    assert [p for p in query.params if p.name in WINDOW] == [window[n] for n in WINDOW]
    assert "FROM vpcflowlogscidrdb.tgwflowlogstable f" in query.sql
    assert "vpcflowlogstable" not in query.sql.replace("tgwflowlogstable", "")
    if name == "tgw_route_usage":
        assert all(p.required for p in query.params[:2])
        assert [p.example for p in query.params[:2]] == ["10.0.0.0/16", "10.1.0.0/16"]
    if name == "tgw_top_talkers":
        top = query.params[0]
        assert (str(top.type), top.default) == ("int 1..100000", "20")


@pytest.mark.parametrize("name", sorted(SCENARIOS | SUMMARIES | {"between"}))
def test_every_query_returns_the_conversation_columns(name: str) -> None:
    extra = ["reject_reason"] if name == "rejected" else []
    assert [c.name for c in QUERIES[name].columns] == CONVERSATION + extra


@pytest.mark.parametrize("name", sorted(SCENARIOS | SUMMARIES | {"between"} | TRANSIT_ROUTES))
def test_cidr_parameters_are_required_with_an_example(name: str) -> None:
    """No silent default network: forgetting -p vpc_cidrs is an error that shows an example."""
    query = QUERIES[name]
    cidrs = [p.name for p in query.params if p.type.kind == "cidr_list"]
    assert cidrs and all(p.required for p in query.params if p.name in cidrs)
    for missing in cidrs:
        values = {k: v for k, v in required(name).items() if k != missing}
        example = next(p.example for p in query.params if p.name == missing)
        with pytest.raises(
            ParameterError, match=rf"needs {missing}: .* Example: -p {missing}={example}$"
        ):
            query.bind(values)


def test_every_query_is_a_conversation_or_a_usage_query() -> None:
    conversations = SCENARIOS | SUMMARIES | {"between"}
    assert set(QUERIES) == conversations | MAPS | USAGE | TRANSIT | TRANSIT_ROUTES


@pytest.mark.parametrize("name", sorted(QUERIES))
def test_placeholders_match_declared_parameters(name: str) -> None:
    query = QUERIES[name]
    names = placeholders(query.sql)
    assert len(names) == count_placeholders(query.sql) == len(query.bind(required(name)))
    assert set(names) == {p.name for p in query.params}


FORMS = [
    (name, form, sql)
    for name, query in sorted(QUERIES.items())
    for form, sql in [("raw", raw_form(query.sql)), *saved_forms(query)]
]


@pytest.mark.parametrize(("name", "form", "sql"), FORMS, ids=[f"{n}-{f}" for n, f, _ in FORMS])
def test_placeholders_stand_only_in_where_clauses(name: str, form: str, sql: str) -> None:
    """Athena accepts `?` execution parameters only in WHERE clauses (not `SELECT ? …`)."""
    tree = sqlglot.parse_one(sql, read="athena")
    found = list(tree.find_all(sqlglot.exp.Placeholder))
    assert len(found) == count_placeholders(sql)
    for node in found:
        assert node.find_ancestor(sqlglot.exp.Where) is not None, node.parent.sql()


@pytest.mark.parametrize("name", sorted(QUERIES))
@pytest.mark.parametrize("form", ["plain", "raw", "cidrtable", "raw_cidrtable"])
def test_every_form_is_valid_trino(name: str, form: str) -> None:
    query = QUERIES[name]
    sql = raw_form(query.sql) if form.startswith("raw") else query.sql
    if form.endswith("cidrtable") and name in USAGE | MAPS | TRANSIT:
        with pytest.raises(QueryError, match="no contains"):
            cidrtable_form(sql)
        return
    if form.endswith("cidrtable"):
        sql = cidrtable_form(sql)
    trino_query_parser.parse_statement(sql)  # raises TrinoSyntaxError


def test_parser_is_strict_enough_to_catch_broken_sql() -> None:
    with pytest.raises(trino_query_parser.TrinoSyntaxError):
        trino_query_parser.parse_statement("SELECT a,, b FROM t")


@pytest.mark.parametrize("name", sorted(QUERIES))
def test_every_query_names_a_sargable_day_window(name: str) -> None:
    sql = QUERIES[name].sql
    assert "f.day BETWEEN" in sql
    assert "TO_DATE(" not in sql.upper()


def test_entries_share_their_body_sql() -> None:
    assert QUERIES["peering"].sql == QUERIES["between"].sql == QUERIES["cross_vpc"].sql
    assert QUERIES["cross_vpc"].resolve(required("cross_vpc"))["peer_cidrs"] == "10.2.0.0/16"
    assert QUERIES["inbound"].resolve(required("inbound"))["direction"] == "inbound"
    assert QUERIES["outbound"].resolve(required("outbound"))["direction"] == "outbound"


def test_fixed_parameter_cannot_be_overridden() -> None:
    values = required("inbound")
    assert QUERIES["inbound"].resolve(values | {"direction": "inbound"})["direction"] == "inbound"
    with pytest.raises(ParameterError, match="fixed to 'inbound'; use query between"):
        QUERIES["inbound"].bind(values | {"direction": "outbound"})


def test_bind_orders_values_like_the_placeholders() -> None:
    bound = QUERIES["external"].bind({"days": "7", "vpc_cidrs": "10.0.0.0/16, 100.64.0.0/20"})
    cidrs = "10.0.0.0/16,100.64.0.0/20"
    assert bound == ["", "", 7, "", cidrs, cidrs]  # start_day, end_day, days, end_day, …


def test_unknown_parameter_names_the_known_ones() -> None:
    with pytest.raises(ParameterError, match="has no parameter dayz; its parameters are"):
        QUERIES["external"].bind({"dayz": "3"})


def test_unknown_query_lists_available_ones() -> None:
    with pytest.raises(QueryError, match="no query named 'nope'; available: aws_services, between"):
        get_query("nope")


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("10.0.0.1/16", "has host bits set; the block that contains it is '10.0.0.0/16'"),
        ("10.0.0.0", "no prefix length"),
        ("10.0.0.256/24", "Octet 256 (> 255) not permitted in '10.0.0.256'"),
        ("10.0.0.0/33", "prefix length 33 is out of range; IPv4 blocks take 0-32"),
        ("10.0.0.0/16,", "empty entry"),
        ("' OR 1=1 --", "contains whitespace"),
        ("10.0.0.0/16'; DROP TABLE x; --", "contains whitespace"),
        ("10.0.0.0/16';DROP", "is not a number 0-32"),
        ("2600:1f18::1/56", "the block that contains it is '2600:1f18::/56'"),
    ],
)
def test_cidr_list_errors_name_the_value_and_the_fix(value: str, message: str) -> None:
    with pytest.raises(ParameterError, match=re.escape(message)):
        ParamType("cidr_list").convert("vpc_cidrs", value)


def test_cidr_list_is_canonical_and_deduplicated() -> None:
    value = " 2600:1F18:AAAA:AB00::/56 ,10.0.0.0/16,10.0.0.0/16"
    assert ParamType("cidr_list").convert("v", value) == "2600:1f18:aaaa:ab00::/56,10.0.0.0/16"


def test_a_day_parameter_takes_both_spellings() -> None:
    assert ParamType("day").convert("p", "2026-11-01") == "2026/11/01"
    assert ParamType("day").convert("p", "2026/11/01") == "2026/11/01"


@pytest.mark.parametrize(
    ("kind", "value", "message"),
    [
        (ParamType("int", 1, 3660), "0", "out of range; expected 1..3660"),
        (ParamType("int", 1, 3660), "1; DROP", "not an integer"),
        (ParamType("day"), "01/11/2026", "expected YYYY-MM-DD or yyyy/MM/dd"),
        (ParamType("day"), "2026/02/30", "not a calendar date"),
        (ParamType("enum", choices=("both", "inbound")), "both' OR '1", "expected one of both"),
        (ParamType("port_list"), "22,70000", "not a port"),
    ],
)
def test_typed_errors(kind: ParamType, value: str, message: str) -> None:
    with pytest.raises(ParameterError, match=message):
        kind.convert("p", value)


INJECTION = st.builds(
    lambda head, token, tail: head + token + tail,
    st.sampled_from(["", "10.0.0.0/16", "2026/11/01", "22", "both", "7"]) | st.text(max_size=8),
    st.sampled_from(["'", ";", '"', "--", "' OR 1=1 --", "'; DROP TABLE t; --", "/*"]),
    st.text(max_size=8),
)


@settings(deadline=None)  # pure checks; no timing under a loaded CI machine
@given(INJECTION, st.sampled_from(["cidr_list", "day", "port_list", "int", "enum"]))
def test_injection_attempts_never_reach_the_sql(value: str, kind: str) -> None:
    param_type = {
        "int": ParamType("int", 1, 10),
        "enum": ParamType("enum", choices=("both", "inbound")),
    }.get(kind, ParamType(kind))
    try:
        converted = param_type.convert("p", value)
    except ParameterError:
        return
    # Anything accepted is canonical data: no quote, semicolon or comment can survive.
    assert not any(token in str(converted) for token in ("'", ";", "--", '"'))


def test_athena_literals() -> None:
    assert athena_literal(10) == "10"
    assert athena_literal("10.0.0.0/16") == "'10.0.0.0/16'"
    assert athena_literal("") == "''"


def test_raw_form_keeps_the_body_and_returns_records() -> None:
    raw = raw_form(QUERIES["external"].sql)
    sql = QUERIES["external"].sql
    assert raw.startswith(sql[: sql.rindex("\nSELECT client") + 1])  # every CTE unchanged
    assert raw.endswith(RAW_CONNECTION_SELECT)  # the matched groups' records
    values = required("external")
    assert QUERIES["external"].bind(values, sql=raw) == QUERIES["external"].bind(values)


def test_cidrtable_form_replaces_every_contains() -> None:
    converted = cidrtable_form(QUERIES["between"].sql)
    assert "contains(" not in converted
    assert converted.count("vpcflowlogscidrdb.cidrtable") == 4


def test_window_days() -> None:
    query = QUERIES["external"]
    today = date(2026, 11, 27)
    days = window_days(query, query.bind(required("external")), today)
    assert (days[0], days[-1], len(days)) == (date(2026, 11, 18), today, 10)
    explicit = query.bind(
        required("external") | {"start_day": "2026/11/01", "end_day": "2026/11/03"}
    )
    assert window_days(query, explicit, today) == [date(2026, 11, d) for d in (1, 2, 3)]
    # `days` counts back from end_day, so an end_day alone is never an empty window
    before = query.bind(required("external") | {"end_day": "2026/11/15", "days": "2"})
    assert window_days(query, before, today) == [date(2026, 11, 14), date(2026, 11, 15)]


def test_start_after_end_is_refused() -> None:
    with pytest.raises(ParameterError, match="start_day 2026/11/05 is after end_day 2026/11/03"):
        QUERIES["external"].bind(
            required("external") | {"start_day": "2026/11/05", "end_day": "2026/11/03"}
        )


def test_parse_assignments() -> None:
    assert parse_assignments(["days=7", "vpc_cidrs=10.0.0.0/16"]) == {
        "days": "7",
        "vpc_cidrs": "10.0.0.0/16",
    }
    with pytest.raises(ParameterError, match="not name=value"):
        parse_assignments(["days"])


@pytest.mark.parametrize(
    ("header", "message"),
    [
        ("-- name: x\n-- title: t\n", "lacks '-- description"),
        ("-- name: x\n-- title: t\n-- description: d\n-- param: a | int 1..2 | default 5 "
         "| example 1 | d\n", "out of range"),
        ("-- name: x\n-- title: t\n-- description: d\n-- param: a | float | default 5 "
         "| example 1 | d\n", "unknown parameter type 'float'"),
        ("-- name: x\n-- title: t\n-- description: d\n-- oops\n", "unexpected header line"),
        ("-- name: y\n-- title: t\n-- description: d\n", "differs from the file name"),
    ],
)  # fmt: skip
def test_header_errors(tmp_path: Path, header: str, message: str) -> None:
    path = tmp_path / "x.sql"
    path.write_text(header + "SELECT 1\n")
    with pytest.raises(QueryError, match=message):
        parse_query_file(path)


def test_placeholder_count_mismatch_is_refused(tmp_path: Path) -> None:
    (tmp_path / "x.sql").write_text(
        "-- name: x\n-- title: t\n-- description: d\n"
        "-- param: a | int 1..9 | default 1 | example 2 | d\n"
        "-- column: a | int | d\nSELECT 1 WHERE ? /* a */ = ? AND '?' = 'q' -- ?\n"
    )
    with pytest.raises(QueryError, match="2 '\\?' placeholders but 1 carry a parameter name"):
        load_queries(tmp_path)


def _with_literals(sql: str, values: list[str | int]) -> str:
    """The query as the Athena console runs it once the user typed each `?` value."""
    parts = sql.split("?")
    assert len(parts) == len(values) + 1
    pairs = zip(values, parts[1:], strict=True)
    return parts[0] + "".join(athena_literal(v) + rest for v, rest in pairs)


@pytest.mark.parametrize("name", sorted(QUERIES))
def test_console_form_with_defaults_is_valid_and_runs(name: str, small_sample: Any) -> None:
    """Each file with its defaults (examples where required) typed in for `?`: valid Trino SQL,
    and it runs locally."""
    query = QUERIES[name]
    values = required(name)
    console_sql = _with_literals(query.sql, query.bind(values))
    trino_query_parser.parse_statement(console_sql)
    assert sqlglot.parse_one(console_sql, read="athena") is not None
    engine = LocalEngine(str(small_sample.path), today=small_sample.config.end_date)
    add_networks_table(engine, [("vpc-a", "10.0.0.0/16"), ("vpc-b", "10.1.0.0/16")])
    bound = engine.execute(query.sql, query.bind(values))
    literal = engine.execute(console_sql)
    assert literal.columns == [c.name for c in query.columns]
    assert literal.rows == bound.rows


_WINDOW = re.compile(r"  WHERE f\.day BETWEEN .*?date_format\(current_date, '%Y/%m/%d'\)\)", re.S)


def test_every_file_has_the_same_window_text() -> None:
    """Each file is pasteable on its own, so the window clause is repeated; it may not drift."""
    windows = {name: _WINDOW.findall(q.sql) for name, q in QUERIES.items()}
    assert all(len(found) == 1 for found in windows.values()), windows
    assert len({found[0] for found in windows.values()}) == 1


_PIPELINE = re.compile(r"^halves AS \(\n.*?^matched AS \(", re.S | re.M)


def test_every_connection_query_repeats_the_same_pipeline() -> None:
    """The connection pipeline (halves … conversations) is repeated so each file stays
    pasteable; it may not drift. `rejected` differs only by carrying `reject_reason`."""
    pipelines = {name: _PIPELINE.findall(q.sql) for name, q in QUERIES.items() if not q.body}
    with_pipeline = {name: found[0] for name, found in pipelines.items() if found}
    assert sorted(with_pipeline) == [
        "aws_services",
        "between",
        "external",
        "internal",
        "network_matrix",
        "network_servers",
        "rejected",
        "remote_admin",
        "top_talkers",
    ]
    assert all(len(found) <= 1 for found in pipelines.values())
    rejected = with_pipeline.pop("rejected")
    assert len(set(with_pipeline.values())) == 1
    (common,) = set(with_pipeline.values())
    without_reason = re.sub(
        r" max\((?:nullif\()?reject_reason(?:, '-'\))?\) AS reject_reason,| reject_reason,",
        "",
        rejected,
    )
    assert without_reason == common
    assert rejected.count("reject_reason") == 7
