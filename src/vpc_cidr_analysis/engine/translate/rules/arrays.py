"""Arrays: subscripts, comparisons, `||` and the array functions with Trino's errors and NULLs.

What an array holds is read off the tree (`ARRAY[...]` literals, casts, the VALUES a column
comes from): its nesting `depth` picks the macro (DuckDB's own `=` and `list_position` call
NULL elements equal, Trino's give NULL or refuse nested NULLs), and its element kinds decide
where Trino has no such operation (`array_join` of arrays) or formats otherwise (doubles).
"""

from __future__ import annotations

import re

from sqlglot import exp

from vpc_cidr_analysis.engine.translate.columns import (
    ARRAY_META,
    INTERVAL_META,
    column_sources,
    is_array_valued,
)
from vpc_cidr_analysis.engine.translate.dialects import READ_DIALECT
from vpc_cidr_analysis.engine.translate.errors import InvalidSqlError, UnsupportedSqlError
from vpc_cidr_analysis.engine.translate.nodes import call, cast, num
from vpc_cidr_analysis.engine.translate.rules.common import Context, arity
from vpc_cidr_analysis.engine.translate.rules.zones import NANOS_META, TIMETZ_META, ZONE_META

#: Marks of a zoned instant or time (rules/zones.py): a scalar wherever it sits.
ZONED_META = (ZONE_META, NANOS_META, TIMETZ_META)


def subscript(node: exp.Bracket, context: Context) -> exp.Expr:
    """`a[i]`: an error outside 1..cardinality(a); `element_at(a, i)`: NULL there, counting
    from the end for a negative i. Only for a base known to be an array (maps keep DuckDB's
    subscript)."""
    if not node.meta.get(ARRAY_META) or len(node.expressions) != 1:
        return node
    index = node.expressions[0]
    if node.args.get("safe"):
        return call("athena_element_at", node.this, index)
    if isinstance(index, exp.Literal) and not index.is_string:
        index = num(int(str(index.this)) + 1)  # sqlglot keeps a literal subscript 0-based
    elif isinstance(index, exp.Neg) and isinstance(index.this, exp.Literal):
        index = num(-int(str(index.this.this)) + 1)
    return call("athena_subscript", node.this, index)


def array_contains(node: exp.ArrayContains) -> exp.Expr:
    """contains(array, x): NULL, not false, when x is not found and the array holds a NULL;
    over arrays of arrays an element whose comparison is NULL is Trino's NOT_SUPPORTED."""
    macro = _by_depth("contains", node.this, "athena_array_contains", "athena_nested_contains")
    return call(macro, node.this, node.expression)


def array_position(node: exp.ArrayPosition, context: Context) -> exp.Expr:
    """array_position(a, x): 0 when absent, NULL for a NULL x (DuckDB finds NULLs)."""
    macro = _by_depth(
        "array_position", node.this, "athena_array_position", "athena_nested_position"
    )
    return call(macro, node.this, node.expression)


def array_remove(node: exp.ArrayRemove, context: Context) -> exp.Expr:
    """array_remove(a, x): NULL elements stay; NULL for a NULL x."""
    macro = _by_depth("array_remove", node.this, "athena_array_remove", "athena_nested_remove")
    return call(macro, node.this, node.expression)


def array_min_max(node: exp.ArrayMin | exp.ArrayMax, context: Context) -> exp.Expr:
    """array_min / array_max: NULL when an element is NULL; NaN is passed over unless every
    element is NaN."""
    name = "athena_array_min" if isinstance(node, exp.ArrayMin) else "athena_array_max"
    return call(name, node.this)


def arrays_overlap(node: exp.Anonymous, context: Context) -> exp.Expr:
    """arrays_overlap(a, b): false for an empty side, NULL when only NULLs could match."""
    arity("arrays_overlap", node.expressions, 2)
    return call("athena_arrays_overlap", *node.expressions)


def array_sort(node: exp.ArraySort, context: Context) -> exp.Expr:
    """array_sort(a): ascending, NULLs last. array_sort(a, (x, y) -> c): DuckDB sorts by no
    comparator, so each element's rank is counted, the elements that come before it (c < 0,
    or c = 0 and earlier: Trino's stable sort), and every result must be -1, 0 or 1
    (athena_sort_by_ranks). O(n^2) comparisons, for the short arrays such sorts are for."""
    comparator = node.expression
    if comparator is None:
        return call("athena_array_sort", node.this)
    if not isinstance(comparator, exp.Lambda) or len(comparator.expressions) != 2:
        raise UnsupportedSqlError(
            f"array_sort() with a comparator that is not a two-argument lambda "
            f"({node.sql(READ_DIALECT)[:60]}) is not supported locally"
        )
    array = node.this
    i, j = exp.to_identifier("athena_i"), exp.to_identifier("athena_j")

    def compare() -> exp.Expr:  # c(a[j], a[i])
        x, y = (str(v.name) for v in comparator.expressions)
        body = comparator.this.copy()
        values = {
            x: call("list_extract", array.copy(), exp.column(j.copy())),
            y: call("list_extract", array.copy(), exp.column(i.copy())),
        }
        for name, value in values.items():
            for spot in list(body.find_all(exp.Identifier, exp.Column)):
                if spot.name == name and not isinstance(spot.parent, exp.Column):
                    spot.replace(value.copy())
        return exp.Paren(this=body)

    def over(variable: exp.Identifier, inner: exp.Expr) -> exp.Lambda:
        return exp.Lambda(this=inner, expressions=[variable.copy()])

    positions = call("range", num(1), exp.Add(this=call("len", array.copy()), expression=num(1)))
    i_col, j_col = exp.column(i.copy()), exp.column(j.copy())
    before = exp.and_(
        exp.NEQ(this=j_col.copy(), expression=i_col.copy()),
        exp.paren(
            exp.or_(
                exp.LT(this=compare(), expression=num(0)),
                exp.and_(
                    exp.LT(this=j_col.copy(), expression=i_col.copy()),
                    exp.EQ(this=compare(), expression=num(0)),
                ),
            )
        ),
    )
    rank = call("len", call("list_filter", positions.copy(), over(j, before)))
    ranks = call("list_transform", positions.copy(), over(i, rank))
    allowed = exp.Coalesce(
        this=exp.In(this=compare(), expressions=[num(-1), num(0), num(1)]),
        expressions=[exp.false()],
    )
    pair_ok = exp.or_(exp.EQ(this=i_col.copy(), expression=j_col.copy()), allowed)
    row_ok = call("list_bool_and", call("list_transform", positions.copy(), over(j, pair_ok)))
    valid = exp.Coalesce(
        this=call("list_bool_and", call("list_transform", positions.copy(), over(i, row_ok))),
        expressions=[exp.true()],
    )
    return call("athena_sort_by_ranks", array, ranks, valid)


def array_slice(node: exp.ArraySlice, context: Context) -> exp.Expr:
    """slice(a, start, length): Trino's third argument is a length, not an end."""
    if node.args.get("end") is None:
        raise InvalidSqlError("slice() takes 3 arguments")
    return call("athena_slice", node.this, node.args["start"], node.args["end"])


def repeat(node: exp.Repeat, context: Context) -> exp.Expr:
    """repeat(x, n): Trino's limits (10000 elements, 1000000 bytes of text, or of arrays of
    fixed-width values). Its size rule for maps and rows is not reproduced: refused."""
    element = node.this
    if isinstance(element, (exp.Struct, exp.Map, exp.Tuple)) or _leaf_kind(element) == "nested":
        raise UnsupportedSqlError(
            f"repeat() of a map or row ({node.sql(READ_DIALECT)[:60]}) is not supported locally"
        )
    if _is_array(element):
        return call("athena_repeat_array", element, node.args["times"])
    return call("athena_repeat", element, node.args["times"])


def sequence(node: exp.GenerateSeries, context: Context) -> exp.Expr:
    """sequence(start, stop[, step]) of integers, dates or timestamps: Trino's checks on the
    step's sign and at most 10000 elements (see the athena_sequence macros)."""
    start, stop, step = node.args["start"], node.args["end"], node.args.get("step")
    if context.is_date(start) or context.is_date(stop):
        if step is None:
            step = exp.Interval(this=exp.Literal.string("1"), unit=exp.var("DAY"))
            step = exp.If(
                this=exp.GTE(this=stop.copy(), expression=start.copy()),
                true=step,
                false=exp.Neg(this=step.copy()),
            )
        return call("athena_sequence_date", start, stop, step)
    if step is not None and _is_interval(step):
        return call(
            "athena_sequence_timestamp", cast(start, "TIMESTAMP"), cast(stop, "TIMESTAMP"), step
        )
    kinds = {context.numeric_kind(start), context.numeric_kind(stop)}
    if step is not None:
        kinds.add(context.numeric_kind(step))
    if kinds != {"int"}:
        raise UnsupportedSqlError(
            f"{node.sql(READ_DIALECT)[:60]}: sequence() runs locally over integers, and over "
            "dates or timestamps with an INTERVAL step"
        )
    if step is None:
        step = exp.If(
            this=exp.GTE(this=stop.copy(), expression=start.copy()), true=num(1), false=num(-1)
        )
    return call("athena_sequence", start, stop, step)


def _is_interval(node: exp.Expr) -> bool:
    if isinstance(node, exp.Paren):
        return _is_interval(node.this)
    if isinstance(node, exp.Neg):
        return _is_interval(node.this)
    return isinstance(node, exp.Interval) or node.meta.get(INTERVAL_META) is not None


def equality(node: exp.EQ | exp.NEQ, context: Context) -> exp.Expr:
    """`a = b` / `a != b` of arrays: NULL when an element pair holds a NULL and none differs
    (DuckDB's `=` calls NULL elements equal)."""
    left, right = node.this, node.expression
    if not (_is_array(left) or _is_array(right)):
        return node
    depths = {depth(left), depth(right)} - {0}
    if len(depths) != 1 or None in depths or max(d or 0 for d in depths) > 2:
        raise UnsupportedSqlError(
            f"{node.sql(READ_DIALECT)[:60]}: comparing arrays is supported locally for "
            "arrays of scalars or of arrays of scalars written as ARRAY[...]"
        )
    macro = "athena_array_eq1" if depths == {1} else "athena_array_eq2"
    equal = call(macro, left, right)
    return exp.Not(this=equal) if isinstance(node, exp.NEQ) else equal


def concat_operator(node: exp.DPipe, context: Context) -> exp.Expr:
    """`a || b` with an array: both arrays concatenate, an element is appended or prepended.
    Arrays whose elements Trino cannot coerce to one type are its error."""
    left, right = node.this, node.expression
    left_array, right_array = _is_array(left), _is_array(right)
    if not (left_array or right_array):
        return node
    if left_array and right_array:
        _check_concat(node, left, right)
        return call("athena_array_concat", left, right)
    if left_array:
        return call("athena_array_append", left, right)
    return call("athena_array_prepend", left, right)


def _check_concat(node: exp.Expr, left: exp.Expr, right: exp.Expr) -> None:
    depths = (depth(left), depth(right))
    left_kinds, right_kinds = leaf_kinds(left), leaf_kinds(right)
    if None in depths or left_kinds is None or right_kinds is None:
        return
    if depths[0] != depths[1] and not (left_kinds and right_kinds):
        raise InvalidSqlError(
            f"{node.sql(READ_DIALECT)[:60]}: ambiguous || of arrays of different depths "
            "(Trino: AMBIGUOUS_FUNCTION_CALL)"
        )
    known = left_kinds and right_kinds and "other" not in left_kinds | right_kinds
    if known and not (left_kinds & right_kinds):
        raise InvalidSqlError(
            f"{node.sql(READ_DIALECT)[:60]}: || of arrays of {sorted(left_kinds)} and "
            f"{sorted(right_kinds)} elements (Trino: FUNCTION_NOT_FOUND)"
        )


def array_join(node: exp.ArrayToString, context: Context) -> exp.Expr:
    """array_join(a, d[, r]): NULL elements are skipped (or replaced by r), only NULLs give
    ''. Elements that are arrays, maps or rows are Trino's error; doubles (Trino writes
    1.0E0) and timestamps finer than microseconds are refused."""
    elements = element_nodes(node.this)
    doubles = False
    for element in elements or []:
        kind = _leaf_kind(element)
        if kind == "nested" or _is_array(element):
            raise InvalidSqlError(
                f"array_join(): the elements of {node.this.sql(READ_DIALECT)[:40]} cannot be "
                "cast to varchar (Trino: OPERATOR_NOT_FOUND)"
            )
        if context.numeric_kind(element) == "double":
            doubles = True
        if (doubles and is_real(element, context)) or _finer_than_micros(element):
            raise UnsupportedSqlError(
                f"array_join() of {element.sql(READ_DIALECT)[:40]}: reals and timestamps "
                "finer than microseconds are written differently by Trino"
            )
    array = node.this
    if doubles:  # Trino writes each as CAST(x AS VARCHAR): 1.0E0
        variable = exp.to_identifier("athena_join_x")
        text = call("athena_double_varchar", exp.column(variable.copy()))
        array = call("list_transform", array, exp.Lambda(this=text, expressions=[variable]))
    null = node.args.get("null")
    if null is not None:
        return call("athena_array_join_null", array, node.expression, null)
    return call("athena_array_join", array, node.expression)


def is_real(node: exp.Expr, context: Context) -> bool:
    """Whether a floating-point expression is (or holds) a REAL rather than a DOUBLE."""
    real = exp.DataType.Type.FLOAT
    for inner in node.walk():
        if isinstance(inner, (exp.Cast, exp.TryCast)) and inner.to.this == real:
            return True
        known = context.type_of(inner)
        if known is not None and known.this == real:
            return True
    return False


def cast_to_json(node: exp.Cast, context: Context) -> exp.Expr:
    """CAST(x AS JSON) of a scalar, an array of scalars or of arrays of scalars, written as
    Trino writes it (`[1,null]`, decimals with their scale, text and dates as strings).
    Doubles (Trino writes 1.0E0 or "NaN"), timestamps, maps, rows and JSON values are refused;
    TRY_CAST to JSON too."""
    value = node.this
    where = f"{node.sql(READ_DIALECT)[:60]}"
    if isinstance(node, exp.TryCast):
        raise UnsupportedSqlError(f"{where}: TRY_CAST to JSON is not supported locally")
    levels = depth(value)
    if levels is None or levels > 2:
        raise UnsupportedSqlError(
            f"{where}: CAST to JSON is supported locally for scalars, arrays of scalars and "
            "arrays of arrays of scalars written as ARRAY[...]"
        )
    leaves = _leaf_nodes(value, levels)
    if leaves is None:
        raise UnsupportedSqlError(f"{where}: the elements cast to JSON are not known here")
    for leaf in leaves:
        if (
            _leaf_kind(leaf) == "nested"
            or context.numeric_kind(leaf) == "double"
            or _is_temporal(leaf)
            or isinstance(leaf, exp.ParseJSON)
        ):
            raise UnsupportedSqlError(
                f"{where}: CAST to JSON of {leaf.sql(READ_DIALECT)[:40]} is not supported "
                "locally (doubles, timestamps, maps, rows and JSON values)"
            )
    if levels == 0:
        return exp.Case(
            ifs=[exp.If(this=exp.Is(this=value.copy(), expression=exp.null()), true=exp.null())],
            default=call("athena_json_scalar", value),
        )
    return call("athena_json_array1" if levels == 1 else "athena_json_array2", value)


def cast_to_array(node: exp.Cast, context: Context) -> exp.Expr:
    """CAST(a AS ARRAY(T)): DuckDB casts element by element as Trino does, for element
    types DuckDB converts the same way; text elements (Trino writes doubles as 1.0E0) are
    cast only from text, integers or NULLs."""
    leaf = node.to
    while leaf.this == exp.DataType.Type.ARRAY and leaf.expressions:
        leaf = leaf.expressions[0]
    if leaf.this in (exp.DataType.Type.VARCHAR, exp.DataType.Type.TEXT):
        kinds = leaf_kinds(node.this)
        if kinds is None or not kinds <= {"text", "number"} or _has_decimal_point(node.this):
            raise UnsupportedSqlError(
                f"{node.sql(READ_DIALECT)[:60]}: CAST to ARRAY(VARCHAR) is supported locally "
                "for arrays of text or integers"
            )
    if leaf.expressions and leaf.this not in (exp.DataType.Type.DECIMAL,):
        raise UnsupportedSqlError(
            f"{node.sql(READ_DIALECT)[:60]}: CAST to ARRAY of {leaf.sql(READ_DIALECT)} is not "
            "supported locally"
        )
    return node


def _has_decimal_point(node: exp.Expr) -> bool:
    return any(
        isinstance(e, exp.Literal) and not e.is_string and not str(e.this).isdigit()
        for e in node.find_all(exp.Literal)
    ) or any(_has_decimal_point(e) for e in (element_nodes(node) or []) if e is not node)


#: The calls a subscript `a[i]` / `element_at(a, i)` becomes (their value is an element).
_SUBSCRIPTS = frozenset({"athena_subscript", "athena_element_at"})


def _leaf_nodes(node: exp.Expr, levels: int) -> list[exp.Expr] | None:
    """The innermost elements of a value `levels` arrays deep (an element taken by a
    subscript stands for every element it may be)."""
    if isinstance(node, exp.Paren):
        return _leaf_nodes(node.this, levels)
    if levels == 0 and isinstance(node, exp.Anonymous) and str(node.name).lower() in _SUBSCRIPTS:
        return _leaf_nodes(node.expressions[0], 1)
    if levels == 0:
        return [node]
    elements = element_nodes(node)
    if elements is None:
        return None
    found: list[exp.Expr] = []
    for element in elements:
        if isinstance(element, exp.Null):
            continue
        inner = _leaf_nodes(element, levels - 1) if _is_array(element) else [element]
        if inner is None:
            return None
        found.extend(inner)
    return found


def _is_temporal(node: exp.Expr) -> bool:
    if isinstance(node, exp.Paren):
        return _is_temporal(node.this)
    temporal = (
        exp.DataType.Type.TIMESTAMP,
        exp.DataType.Type.TIMESTAMPTZ,
        exp.DataType.Type.TIME,
        exp.DataType.Type.TIMETZ,
        exp.DataType.Type.INTERVAL,
    )
    if isinstance(node, (exp.Cast, exp.TryCast)):
        return bool(node.to.this in temporal)
    return isinstance(node, (exp.Interval, exp.CurrentTimestamp, exp.Localtimestamp))


# --------------------------------------------------------------------------------------------
# What an array holds, read off the tree.

#: `meta` key of what `mark_array_columns` found about a column's values, before the rules
#: detach nodes from the tree (a detached column cannot be followed to its VALUES).
COLUMN_META = "athena_array_column"

#: Calls the rules make whose value is an array.
_ARRAY_CALLS = frozenset(
    {
        "athena_array_concat",
        "athena_array_append",
        "athena_array_prepend",
        "athena_array_remove",
        "athena_nested_remove",
        "athena_array_sort",
        "athena_slice",
        "athena_repeat",
        "athena_sequence",
        "athena_sequence_date",
        "athena_sequence_timestamp",
    }
)


def mark_array_columns(tree: exp.Expr) -> None:
    """Record on each column whose values come from VALUES or a subquery whether they are
    arrays, how deeply they nest and their elements, and whether they are binary literals
    (`COLUMN_META`), for the rules."""
    for column in tree.find_all(exp.Column):
        sources = [v for v in column_sources(column) if not isinstance(v, exp.Null)]
        if not sources:
            continue
        elements = element_nodes(column)
        column.meta[COLUMN_META] = {
            "binary": all(isinstance(v, exp.HexString) for v in sources),
            "array": is_array_valued(column),
            "depth": depth(column),
            "elements": [e.copy() for e in elements] if elements is not None else None,
        }


def _is_array(node: exp.Expr) -> bool:
    if isinstance(node, exp.Paren):
        return _is_array(node.this)
    if isinstance(node, exp.Column) and COLUMN_META in node.meta:
        return bool(node.meta[COLUMN_META]["array"])
    if isinstance(node, exp.Anonymous) and str(node.name).lower() in _ARRAY_CALLS:
        return True
    return is_array_valued(node)


def _by_depth(name: str, array: exp.Expr, flat: str, nested: str) -> str:
    """The macro for an array of scalars (`flat`) or of arrays of scalars (`nested`)."""
    found = depth(array)
    if found in (0, 1):
        return flat
    if found == 2:
        return nested
    raise UnsupportedSqlError(
        f"{name}({array.sql(READ_DIALECT)[:40]}, ...): supported locally for arrays of "
        "scalars or of arrays of scalars written as ARRAY[...]"
    )


def element_nodes(node: exp.Expr, level: int = 0) -> list[exp.Expr] | None:
    """The element expressions of an ARRAY[...] (or of every ARRAY[...] a column takes),
    None when they are not visible in the query."""
    if isinstance(node, exp.Paren):
        return element_nodes(node.this, level)
    if isinstance(node, exp.Array):
        return list(node.expressions)
    if isinstance(node, (exp.Cast, exp.TryCast)) and node.to.this == exp.DataType.Type.ARRAY:
        if not node.to.expressions:
            return None
        return [exp.Cast(this=exp.null(), to=node.to.expressions[0].copy())]  # typed elements
    if isinstance(node, exp.Anonymous) and str(node.name).lower() in _SUBSCRIPTS:
        outer = element_nodes(node.expressions[0], level + 1)
        if outer is None:
            return None
        taken = [element_nodes(e, level + 1) for e in outer if not isinstance(e, exp.Null)]
        return None if None in taken else [e for part in taken for e in part or []]
    if isinstance(node, exp.Column) and COLUMN_META in node.meta:
        found_elements: list[exp.Expr] | None = node.meta[COLUMN_META]["elements"]
        return found_elements
    if isinstance(node, exp.Anonymous) and str(node.name).lower() in (
        "athena_array_concat",
        "athena_array_append",
        "athena_array_prepend",
    ):
        parts = [
            element_nodes(arg, level + 1) if _is_array(arg) else [arg] for arg in node.expressions
        ]
        return None if None in parts else [e for part in parts for e in part or []]
    if isinstance(node, exp.Column) and level < 8:
        sources = [v for v in column_sources(node) if not isinstance(v, exp.Null)]
        if not sources:
            return None
        found: list[exp.Expr] = []
        for source in sources:
            inner = element_nodes(source, level + 1)
            if inner is None:
                return None
            found.extend(inner)
        return found
    return None


def depth(node: exp.Expr, level: int = 0) -> int | None:
    """How deeply arrays nest in an expression: 0 for a scalar or NULL, 1 for an array of
    scalars, ...; None when it cannot be read off the tree."""
    if level > 8:
        return None
    if isinstance(node, exp.Paren):
        return depth(node.this, level + 1)
    if isinstance(node, exp.Null) or any(key in node.meta for key in ZONED_META):
        return 0  # NULL, or an instant with its zone (rules/zones.py)
    if isinstance(node, (exp.Cast, exp.TryCast)):
        return _type_depth(node.to)
    if isinstance(node, exp.Array):
        inner = [depth(e, level + 1) for e in node.expressions if not isinstance(e, exp.Null)]
        if None in inner:
            return None
        return 1 + max((d for d in inner if d is not None), default=0)
    if isinstance(node, exp.Split):
        return 1
    if isinstance(node, exp.Column) and COLUMN_META in node.meta:
        known: int | None = node.meta[COLUMN_META]["depth"]
        return known
    if isinstance(node, exp.Anonymous) and str(node.name).lower() in _SUBSCRIPTS:
        outer = depth(node.expressions[0], level + 1)
        return outer - 1 if outer else None
    if isinstance(node, exp.Anonymous) and str(node.name).lower() in (
        "athena_array_concat",
        "athena_array_append",
        "athena_array_prepend",
    ):
        inner = [depth(arg, level + 1) for arg in node.expressions]
        if None in inner:
            return None
        return (
            max(d or 0 for d in inner)
            if str(node.name).lower().endswith("concat")
            else (1 + min(d or 0 for d in inner))
        )
    if isinstance(node, exp.Column):
        sources = [v for v in column_sources(node) if not isinstance(v, exp.Null)]
        if not sources:
            return 0  # a column of the engine's tables: none is an array
        found = {depth(v, level + 1) for v in sources}
        return found.pop() if len(found) == 1 else None
    if _leaf_kind(node) == "nested" or isinstance(node, (exp.Anonymous, *_ARRAY_FUNCTIONS)):
        return None
    scalar = (exp.Literal, exp.Boolean, exp.Binary, exp.Unary, exp.Func)
    return 0 if isinstance(node, scalar) else None


#: Functions whose value may be an array (their depth is not read off the tree).
_ARRAY_FUNCTIONS: tuple[type[exp.Expr], ...] = (
    exp.GenerateSeries,
    exp.ArraySort,
    exp.ArraySlice,
    exp.Repeat,
    exp.ArrayRemove,
    exp.ArrayDistinct,
    exp.ArrayConcat,
    exp.Flatten,
    exp.ArrayFilter,
    exp.Transform,
    exp.Coalesce,
    exp.If,
    exp.Case,
    exp.Bracket,
    exp.Max,
    exp.Min,
    exp.ArrayAgg,
    exp.AnyValue,
)


def _type_depth(to: exp.DataType) -> int:
    found = 0
    while to.this == exp.DataType.Type.ARRAY and to.expressions:
        found += 1
        to = to.expressions[0]
    return found


def leaf_kinds(node: exp.Expr) -> set[str] | None:
    """The kinds ('number', 'boolean', 'text', 'nested' for maps and rows, 'other' for any
    other or unknown type) of an array's innermost non-NULL elements; None when not visible."""
    elements = element_nodes(node)
    if elements is None:
        return None
    kinds: set[str] = set()
    for element in elements:
        if isinstance(element, exp.Null):
            continue
        if _is_array(element):
            inner = leaf_kinds(element)
            if inner is None:
                return None
            kinds |= inner
            continue
        kinds.add(_leaf_kind(element))
    return kinds


def _leaf_kind(node: exp.Expr) -> str:
    if isinstance(node, exp.Paren):
        return _leaf_kind(node.this)
    if isinstance(node, exp.Boolean):
        return "boolean"
    if isinstance(node, exp.Literal):
        return "text" if node.is_string else "number"
    if isinstance(node, exp.Neg):
        return _leaf_kind(node.this)
    if isinstance(node, (exp.Struct, exp.Map, exp.Tuple)):
        return "nested"
    if isinstance(node, exp.Anonymous) and str(node.name).lower() in ("row", "map"):
        return "nested"
    if isinstance(node, (exp.Cast, exp.TryCast)):
        return _type_kind(node.to)
    return "other"


def _type_kind(to: exp.DataType) -> str:
    if to.this in (exp.DataType.Type.STRUCT, exp.DataType.Type.MAP):
        return "nested"
    if to.this == exp.DataType.Type.BOOLEAN:
        return "boolean"
    if to.is_type(*exp.DataType.NUMERIC_TYPES):
        return "number"
    if to.is_type(*exp.DataType.TEXT_TYPES):
        return "text"
    return "other"


_NANOS = re.compile(r"\.\d{7,}")


def _finer_than_micros(node: exp.Expr) -> bool:
    """A TIMESTAMP literal with more than 6 fractional digits (DuckDB keeps microseconds)."""
    if isinstance(node, (exp.Cast, exp.TryCast)) and node.to.this == exp.DataType.Type.TIMESTAMP:
        text = node.this.name if isinstance(node.this, exp.Literal) else ""
        return bool(_NANOS.search(text))
    return False


def is_binary_valued(node: exp.Expr) -> bool:
    """Whether an expression is a VARBINARY literal (X'...') or a column of them."""
    if isinstance(node, exp.Paren):
        return is_binary_valued(node.this)
    if isinstance(node, exp.Column) and COLUMN_META in node.meta:
        return bool(node.meta[COLUMN_META]["binary"])
    return isinstance(node, exp.HexString)
