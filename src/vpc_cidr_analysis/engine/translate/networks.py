"""CIDR networks: `contains()` literals checked as Trino checks them, CIDR lists parsed once.

`trino_network` validates a literal network (the rule for `contains` casts it to INET);
`precompute_networks` turns `any_match` / `all_match` / `none_match` over a list that is the
same on every row into one parse per query (`athena_networks`, see macros.sql), and
`hoist_network` takes the network expression of a per-row list out of the lambda.
"""

from __future__ import annotations

import ipaddress

from sqlglot import exp

from vpc_cidr_analysis.engine.translate.dialects import READ_DIALECT
from vpc_cidr_analysis.engine.translate.errors import InvalidSqlError
from vpc_cidr_analysis.engine.translate.nodes import call, is_ipaddress_type, lambda_variables


def trino_network(text: str) -> str:
    """Validate a contains() CIDR literal as Trino does; return its text for an INET cast.

    Trino: the text needs a `/`, a valid address, a prefix within the address length, and an
    IPv4 network without host bits (an IPv6 one may have them). A network written in IPv6 is
    one of 128 bits, also when its address is IPv4-mapped (`::ffff:a.b.c.d/96`); IPv4
    addresses are compared with it as IPv4-mapped ones (`mapped_ipv4_part`).
    """
    if "/" not in text:
        raise InvalidSqlError(f"contains({text!r}, ...): Invalid CIDR (expected e.g. 10.0.0.0/16)")
    host_text, _, prefix_text = text.partition("/")
    try:
        address = ipaddress.ip_address(host_text)
    except ValueError as exc:
        raise InvalidSqlError(f"contains({text!r}, ...): Invalid network IP address") from exc
    try:
        prefix = int(prefix_text)
    except ValueError as exc:
        raise InvalidSqlError(f"contains({text!r}, ...): invalid prefix length") from exc
    if prefix < 0:
        raise InvalidSqlError(f"contains({text!r}, ...): Invalid prefix length")
    if prefix > address.max_prefixlen:
        raise InvalidSqlError(f"contains({text!r}, ...): Prefix length exceeds address length")
    if isinstance(address, ipaddress.IPv4Address):
        network = ipaddress.ip_network(f"{address}/{prefix}", strict=False)
        if network.network_address != address:
            raise InvalidSqlError(
                f"contains({text!r}, ...): Invalid CIDR (host bits set; Athena rejects it; "
                f"did you mean {network}?)"
            )
    if isinstance(address, ipaddress.IPv6Address):
        return str(ipaddress.IPv6Network(f"{address}/{prefix}", strict=False))
    return f"{address}/{prefix}"


_MAPPED = ipaddress.IPv6Network("::ffff:0:0/96")


def mapped_ipv4_part(network_text: str) -> str | None:
    """The IPv4 network an IPv6 network (`trino_network`'s result) holds as IPv4-mapped
    addresses, or None: `0.0.0.0/0` when it spans `::ffff:0:0/96`."""
    network = ipaddress.ip_network(network_text)
    if not isinstance(network, ipaddress.IPv6Network) or not network.overlaps(_MAPPED):
        return None
    if network.prefixlen <= _MAPPED.prefixlen:
        return "0.0.0.0/0"
    low = int(network.network_address) & 0xFFFFFFFF
    return str(ipaddress.IPv4Network((low, network.prefixlen - _MAPPED.prefixlen)))


_NETWORK_MATCH = {"any_match": "athena_any_network", "all_match": "athena_all_network"}
#: Calls `precompute_networks` creates; the rules keep them as they are.
NETWORK_CALLS = frozenset({"athena_networks", *_NETWORK_MATCH.values()})


def precompute_networks(tree: exp.Expr) -> None:
    """Parse a CIDR list once per query when it comes from a one-row parameters CTE.

    `any_match(p.cidrs, c -> contains(N(c), a))` (also all_match, none_match), where `p` is a
    CTE like `params AS (SELECT split(?, ',') AS cidrs)` — one row, no FROM — becomes
    `athena_any_network(p.athena_networks_1, a)`, and the CTE gains the column
    `athena_networks(transform(split(?, ','), c -> N(c))) AS athena_networks_1`. DuckDB then
    validates and parses each network once, not once per row and element, and tests the
    address (computed once per row) against INET values. Results and errors are Trino's (see
    the `athena_any_network` macro). Other lists keep the per-row translation of the `*_match` rule.
    """
    columns: dict[tuple[int, str], str] = {}  # one column per CTE and network expression
    for node in list(tree.find_all(exp.Anonymous)):
        name = str(node.name).lower()
        if name not in ("any_match", "all_match", "none_match") or len(node.expressions) != 2:
            continue
        array, fn = node.expressions
        pattern = _network_lambda(fn)
        if pattern is not None and _row_independent(array, node):
            # `any_match(split(?, ','), c -> …)`: the list is the same on every row, so the
            # parsed networks are a constant expression that DuckDB folds once per query.
            network, address = pattern
            each = exp.Lambda(this=network.copy(), expressions=[fn.expressions[0].copy()])
            parsed = call("athena_networks", exp.Transform(this=array.copy(), expression=each))
            parsed.meta[CONSTANT_NETWORKS] = True  # see hoist_constant_networks
            node.replace(_network_call(name, parsed, address))
            continue
        cte = _one_row_cte_column(array, node) if pattern is not None else None
        if pattern is None or cte is None:
            continue
        select, expression = cte
        network, address = pattern
        variable = fn.expressions[0].copy()
        each = exp.Lambda(this=network.copy(), expressions=[variable])
        texts = exp.Transform(this=expression.copy(), expression=each)
        key = (id(select), texts.sql(READ_DIALECT))
        column = columns.get(key, "")
        if not column:
            column = columns[key] = f"athena_networks_{len(columns) + 1}"
            select.append("expressions", exp.alias_(call("athena_networks", texts), column))
        reference = exp.column(column, table=array.table)
        node.replace(_network_call(name, reference, address))


#: `meta` key of an `athena_networks` call over a list that is the same on every row.
CONSTANT_NETWORKS = "athena_constant_networks"


def hoist_constant_networks(tree: exp.Expr) -> None:
    """Parse a CIDR list that is the same on every row in a one-row table joined to its
    SELECT, instead of inline (run after the rules, on the DuckDB tree).

    DuckDB puts a macro's argument wherever the macro's body names it: inline, the list's
    parse (`athena_networks(…)`, itself a macro naming its argument four times) is bound
    about ten times per `athena_any_network` call, 30 ms a call at every bind of the query
    (DESCRIBE and the run). As the column of `CROSS JOIN (SELECT athena_networks(…) AS
    athena_constant_networks_1) AS athena_constant_networks_1` it is bound once and still
    computed once per query; the rows and errors are the same. Only for calls in a WHERE
    clause (evaluated before any grouping, so the column needs no GROUP BY) of a SELECT with
    a FROM and no unqualified `*` (which would show the column); others stay inline.
    """
    number = 0
    for parsed in list(tree.find_all(exp.Anonymous)):
        if not parsed.meta.get(CONSTANT_NETWORKS):
            continue
        where = parsed.find_ancestor(exp.Where, exp.Select, exp.Lambda, exp.Subquery)
        select = where.parent if isinstance(where, exp.Where) else None
        if not isinstance(select, exp.Select):
            continue
        if select.args.get("from_") is None and select.args.get("from") is None:
            continue
        if any(
            isinstance(item, exp.Star)
            or (isinstance(item, exp.Column) and isinstance(item.this, exp.Star) and not item.table)
            for item in select.expressions
        ):
            continue
        number += 1
        name = f"{CONSTANT_NETWORKS}_{number}"
        derived = exp.select(exp.alias_(parsed.copy(), name)).subquery(name)
        select.append("joins", exp.Join(this=derived, kind="CROSS"))
        parsed.replace(exp.column(name, table=name))


def _network_call(name: str, networks: exp.Expr, address: exp.Expr) -> exp.Expr:
    """`athena_any_network(networks, address)` for any_match (all_match, NOT for none_match)."""
    macro = _NETWORK_MATCH.get(name, "athena_any_network")
    result: exp.Expr = exp.Paren(this=call(macro, networks, address.copy()))
    if name == "none_match":
        result = exp.Paren(this=exp.Not(this=result))
    return result


def _row_independent(array: exp.Expr, at: exp.Expr) -> bool:
    """True when a list is the same for every row: literals and `?` values only."""
    if at.find_ancestor(exp.Lambda) is not None:
        return False
    if array.find(exp.Column, exp.Subquery, exp.Select, exp.Lambda) is not None:
        return False
    return not any(isinstance(n, exp.Rand) for n in array.walk())


def _network_lambda(fn: exp.Expr) -> tuple[exp.Expr, exp.Expr] | None:
    """(N(c), address) of a lambda `c -> contains(N(c), CAST(x AS IPADDRESS))`, else None."""
    if not isinstance(fn, exp.Lambda) or len(fn.expressions) != 1:
        return None
    body = fn.this
    if not isinstance(body, exp.ArrayContains):
        return None
    network, address = body.this, body.expression
    if not (isinstance(address, (exp.Cast, exp.TryCast)) and is_ipaddress_type(address.to)):
        return None
    variable = fn.expressions[0].name.lower()

    if network.find(exp.Column, exp.Subquery, exp.Select, exp.Lambda) is not None:
        return None
    if lambda_variables(network) != {variable} or variable in lambda_variables(address):
        return None
    if any(isinstance(n, exp.Rand) for n in network.walk()):
        return None
    return network, address


def _one_row_cte_column(array: exp.Expr, at: exp.Expr) -> tuple[exp.Select, exp.Expr] | None:
    """The CTE SELECT and expression behind `p.col` when `p` is a one-row FROM-less CTE.

    Only when adding a column to that CTE cannot change any result: the CTE has no column
    list, and no SELECT takes `*` or `p.*` from it (nor a NATURAL join anywhere).
    """
    if not isinstance(array, exp.Column) or not array.table:
        return None
    alias = array.table.lower()
    select = at.find_ancestor(exp.Select)
    if select is None or at.find_ancestor(exp.Lambda) is not None:
        return None
    sources = [select.args.get("from_"), *(select.args.get("joins") or [])]
    tables = [s.this for s in sources if s is not None and isinstance(s.this, exp.Table)]
    matching = [t for t in tables if t.alias_or_name.lower() == alias]
    if len(matching) != 1 or matching[0].db or matching[0].args.get("catalog") is not None:
        return None
    cte_name = matching[0].name.lower()
    cte = _visible_cte(select, cte_name)
    if cte is None:
        return None
    body = cte.this
    if not isinstance(body, exp.Select) or cte.args["alias"].columns:
        return None
    if any(
        body.args.get(k)
        for k in (
            "from_",
            "joins",
            "where",
            "group",
            "having",
            "qualify",
            "limit",
            "offset",
            "order",
            "distinct",
            "with_",
        )
    ):
        return None
    if any(
        isinstance(n, (exp.Star, exp.AggFunc, exp.Window, exp.Subquery, exp.Rand))
        for n in body.walk()
    ):
        return None
    wanted = array.name.lower()
    items = [i for i in body.expressions if i.alias_or_name.lower() == wanted]
    if len(items) != 1 or not isinstance(items[0], exp.Alias):
        return None
    if _star_reads(cte.root(), cte_name):
        return None
    return body, items[0].this


def _visible_cte(select: exp.Select, name: str) -> exp.CTE | None:
    """The CTE `name` resolves to from `select` (the nearest WITH that defines it)."""
    node: exp.Expr | None = select
    while node is not None:
        with_ = node.args.get("with_") if isinstance(node, exp.Query) else None
        if isinstance(with_, exp.With):
            for cte in with_.expressions:
                if cte.alias_or_name.lower() == name:
                    return cte if cte.this is not select else None
        node = node.parent
    return None


def _star_reads(root: exp.Expr, cte_name: str) -> bool:
    """Whether some SELECT expands `*` over the CTE `cte_name` (or any NATURAL join exists)."""
    for join in root.find_all(exp.Join):
        if join.args.get("method") or str(join.args.get("kind") or "").upper() == "NATURAL":
            return True
    for select in root.find_all(exp.Select):
        sources = [select.args.get("from_"), *(select.args.get("joins") or [])]
        aliases = {
            s.this.alias_or_name.lower()
            for s in sources
            if s is not None
            and isinstance(s.this, exp.Table)
            and not s.this.db
            and s.this.name.lower() == cte_name
        }
        if not aliases:
            continue
        for item in select.expressions:
            if isinstance(item, exp.Star):
                return True
            if (
                isinstance(item, exp.Column)
                and isinstance(item.this, exp.Star)
                and (not item.table or item.table.lower() in aliases)
            ):
                return True
    return False


def hoist_network(array: exp.Expr, fn: exp.Lambda) -> tuple[exp.Expr, exp.Lambda]:
    """`L, c -> contains(trim(c), a)` → `list_transform(L, c -> trim(c)), c -> contains(c, a)`.

    The network argument is then a plain lambda variable: the `athena_network` macro repeats
    its argument, so an expression there (trim) would run several times per element, and the
    inner transform has no outer references, so DuckDB runs it vectorized.
    """
    body = fn.this
    params = {p.name.lower() for p in fn.expressions}
    if len(params) != 1 or not (
        isinstance(body, exp.Anonymous) and str(body.name).lower() == "athena_contains"
    ):
        return array, fn
    network, address = body.expressions

    if (
        isinstance(network, exp.Identifier)
        or network.find(exp.Column) is not None
        or lambda_variables(network) != params
        or lambda_variables(address) & params
    ):
        return array, fn
    variable = fn.expressions[0]
    inner = exp.Lambda(this=network.copy(), expressions=[variable.copy()])
    hoisted = call("list_transform", array, inner)
    contains = call("athena_contains", exp.to_identifier(variable.name), address.copy())
    return hoisted, exp.Lambda(this=contains, expressions=[variable.copy()])
