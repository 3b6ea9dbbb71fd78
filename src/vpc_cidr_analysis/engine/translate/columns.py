"""Where a column's values come from, for rules that need its type and sqlglot cannot tell.

`column_sources` follows a column to a `VALUES` list with column aliases (Trino's own test
form, `SELECT f(a0) FROM (VALUES (...)) t(a0)`) or to a subquery / CTE output of that name,
and gives the expressions its values are computed by. `mark_dates` records which columns are
DATEs (every source a DATE literal or cast) before the rules run, as they detach nodes.
"""

from __future__ import annotations

from sqlglot import exp

#: `meta` key of a column whose every source is a DATE (see `mark_dates`).
DATE_META = "athena_date_column"
#: `meta` key of a column whose every source is an INTERVAL literal: one of them.
INTERVAL_META = "athena_interval_column"


def mark_dates(tree: exp.Expr) -> None:
    """Set `DATE_META` on each column whose values are all DATEs, `INTERVAL_META` (an
    interval of the column) on each whose values are all INTERVAL literals of one unit."""
    for column in tree.find_all(exp.Column):
        if _is_date_source(column, 0):
            column.meta[DATE_META] = True
            continue
        known = [v for v in column_sources(column) if not isinstance(v, exp.Null)]
        units = {str(v.args.get("unit")) for v in known if isinstance(v, exp.Interval)}
        if known and len(units) == 1 and all(isinstance(v, exp.Interval) for v in known):
            column.meta[INTERVAL_META] = known[0].copy()


#: `meta` key of a column whose every value is the same string literal: its text.
LITERAL_META = "athena_literal_column"


def mark_literals(tree: exp.Expr) -> None:
    """Set `LITERAL_META` on each column whose every value is one and the same string literal
    (a format or unit from a VALUES list is then converted as the literal would be)."""
    for column in tree.find_all(exp.Column):
        sources = column_sources(column)
        texts = {
            str(v.this) if isinstance(v, exp.Literal) and v.is_string else None for v in sources
        }
        if sources and len(texts) == 1 and None not in texts:
            column.meta[LITERAL_META] = texts.pop()
    # date_add(a0, ...) with a0 from a column: sqlglot reads the name as a unit (Var A0).
    for node in tree.find_all(exp.DateAdd, exp.DateDiff, exp.TimestampTrunc, exp.DateTrunc):
        unit = node.args.get("unit")
        if not isinstance(unit, exp.Var):
            continue
        probe = exp.column(unit.name.lower())
        node.set("unit", probe)
        values = column_sources(probe)
        folded = {
            str(v.this) if isinstance(v, exp.Literal) and v.is_string else None for v in values
        }
        if values and len(folded) == 1 and None not in folded:
            node.set("unit", exp.Literal.string(folded.pop()))
        else:
            node.set("unit", unit)


def _is_date_source(node: exp.Expr, depth: int) -> bool:
    if isinstance(node, exp.Paren):
        return _is_date_source(node.this, depth)
    if isinstance(node, (exp.Cast, exp.TryCast)):
        return bool(node.to.this == exp.DataType.Type.DATE)
    if isinstance(node, (exp.CurrentDate, exp.Date)):
        return True
    if not isinstance(node, exp.Column) or depth > 8:
        return False
    known = [v for v in column_sources(node) if not isinstance(v, exp.Null)]
    return bool(known) and all(_is_date_source(v, depth + 1) for v in known)


def column_sources(column: exp.Column) -> list[exp.Expr]:
    """The expressions a column's values come from, when its source is VALUES or a query."""
    select = column.find_ancestor(exp.Select)
    if select is None:
        return []
    sources: list[exp.Expr] = []
    from_ = select.args.get("from_") or select.args.get("from")
    if from_ is not None:
        sources.append(from_.this)
    sources.extend(join.this for join in select.args.get("joins") or [])
    wanted = column.table.lower()
    if not wanted and len(sources) != 1:
        return []
    for source in sources:
        alias = source.args.get("alias")
        name = alias.name.lower() if alias is not None else ""
        if isinstance(source, exp.Table) and not alias:
            name = source.name.lower()
        if wanted and wanted != name:
            continue
        return _output_values(source, column.name.lower())
    return []


def _output_values(source: exp.Expr, name: str) -> list[exp.Expr]:
    alias = source.args.get("alias")
    columns = [c.name.lower() for c in alias.columns] if alias is not None else []
    if isinstance(source, exp.Values):
        if name not in columns:
            return []
        position = columns.index(name)
        rows = [row for row in source.expressions if isinstance(row, exp.Tuple)]
        return [row.expressions[position] for row in rows if position < len(row.expressions)]
    query: exp.Expr | None = None
    if isinstance(source, exp.Subquery):
        query = source.this
    elif isinstance(source, exp.Table):
        for cte in _ctes(source):
            if cte.alias_or_name.lower() == source.name.lower():
                query = cte.this
    if not isinstance(query, exp.Select):
        return []
    for item in query.expressions:
        if item.alias_or_name.lower() == name:
            return [item.this if isinstance(item, exp.Alias) else item]
    return []


def _ctes(node: exp.Expr) -> list[exp.CTE]:
    found: list[exp.CTE] = []
    parent = node.parent
    while parent is not None:
        with_ = parent.args.get("with_") or parent.args.get("with")
        if with_ is not None:
            found.extend(with_.expressions)
        parent = parent.parent
    return found


def is_array_valued(node: exp.Expr, depth: int = 0) -> bool:
    """Whether an expression is an array: an ARRAY[...], a split(), or a column of them."""
    if isinstance(node, exp.Paren):
        return is_array_valued(node.this, depth)
    if isinstance(node, (exp.Array, exp.Split)):
        return True
    if isinstance(node, (exp.Cast, exp.TryCast)):
        return bool(node.to.this == exp.DataType.Type.ARRAY)
    if not isinstance(node, exp.Column) or depth > 8:
        return False
    known = [v for v in column_sources(node) if not isinstance(v, exp.Null)]
    return bool(known) and all(is_array_valued(v, depth + 1) for v in known)


#: `meta` key of a subscript whose base is an array (see `mark_arrays`).
ARRAY_META = "athena_array_base"


def mark_arrays(tree: exp.Expr) -> None:
    """Set `ARRAY_META` on each subscript `x[i]` / `element_at(x, i)` whose x is an array."""
    for node in tree.find_all(exp.Bracket):
        if is_array_valued(node.this):
            node.meta[ARRAY_META] = True
