"""CHAR(n): Trino's fixed-length text, held here as its padded VARCHAR (what Athena displays).

A CHAR(n) value is the text cut or padded with spaces to n characters. Trino stores it without
the trailing spaces and pads it wherever it becomes text, so most functions (length, reverse,
substr, lpad, concat, to_utf8, regexp patterns) see exactly the padded text. What differs:

- ltrim / rtrim / trim work on the value without its padding, and rtrim / trim with a set of
  characters also drop the trailing spaces of the result;
- comparisons with a CHAR side ignore trailing spaces (VARCHAR is coerced to CHAR);
- concat / || with a CHAR side is CHAR(x + y): a VARCHAR operand is padded to its declared
  length (known for literals and VALUES columns), and more than 65,536 characters is an error.

`mark_strings` records before the rules run (they detach nodes) which columns are CHAR(n) and
which columns hold only string literals (`literal_texts`), from their VALUES sources.
"""

from __future__ import annotations

from sqlglot import exp

from vpc_cidr_analysis.engine.translate.columns import column_sources
from vpc_cidr_analysis.engine.translate.dialects import READ_DIALECT
from vpc_cidr_analysis.engine.translate.errors import InvalidSqlError, UnsupportedSqlError
from vpc_cidr_analysis.engine.translate.nodes import call, lit, num, string_literal
from vpc_cidr_analysis.engine.translate.rules.common import Context

#: `meta` key of an expression known to be a CHAR(n): n.
CHAR_META = "athena_char_length"
#: `meta` key of a column whose every value is a string literal (or NULL): the texts.
TEXTS_META = "athena_literal_texts"
#: `meta` key of a column of texts whose declared length is known (literals, chr): the length.
LENGTH_META = "athena_declared_length"
#: Trino's longest CHAR.
CHAR_MAX = 65536


def mark_strings(tree: exp.Expr) -> None:
    """Set `CHAR_META` on CHAR(n) columns and `TEXTS_META` on columns of string literals."""
    for column in tree.find_all(exp.Column):
        sources = [v for v in column_sources(column) if not isinstance(v, exp.Null)]
        if not sources:
            continue
        lengths = {cast_char_length(v) for v in sources}
        if len(lengths) == 1 and None not in lengths:
            column.meta[CHAR_META] = lengths.pop()
        texts = [string_literal(v) for v in sources]
        if all(t is not None for t in texts):
            column.meta[TEXTS_META] = tuple(t for t in texts if t is not None)
        declared = [_declared(v) for v in sources]
        if all(n is not None for n in declared):
            column.meta[LENGTH_META] = max(n for n in declared if n is not None)
    mark_values(tree)


def _declared(node: exp.Expr) -> int | None:
    if isinstance(node, exp.Paren):
        return _declared(node.this)
    text = string_literal(node)
    if text is not None:
        return len(text)
    if isinstance(node, exp.Chr):
        return 1
    return cast_char_length(node)


def declared_length(node: exp.Expr) -> int | None:
    """The declared length of a text (VARCHAR(n) of a literal, chr(), CHAR(n)), if known."""
    if isinstance(node, exp.Paren):
        return declared_length(node.this)
    text = string_literal(node)
    if text is not None:
        return len(text)
    if isinstance(node, exp.Chr):
        return 1
    known = node.meta.get(LENGTH_META)
    if known is not None:
        return int(known)
    return char_length(node)


def cast_char_length(node: exp.Expr) -> int | None:
    """n of `CAST(x AS CHAR(n))` / `CHAR 'x'` (CHAR alone is CHAR(1); a literal its length)."""
    if isinstance(node, exp.Paren):
        return cast_char_length(node.this)
    if not isinstance(node, (exp.Cast, exp.TryCast)) or node.to.this != exp.DataType.Type.CHAR:
        return None
    if node.to.expressions:
        return int(str(node.to.expressions[0].this.this))
    text = string_literal(node.this)
    if text is not None and "format" not in node.args:
        # `CHAR 'abc '` (parsed without CAST's options) is a literal of its own length.
        return len(text)
    return 1  # CAST(x AS CHAR) is CHAR(1)


def char_length(node: exp.Expr) -> int | None:
    """n when an expression (already rewritten, or a marked column) is a CHAR(n)."""
    if isinstance(node, exp.Paren):
        return char_length(node.this)
    known = node.meta.get(CHAR_META)
    return int(known) if known is not None else None


def literal_texts(node: exp.Expr | None) -> tuple[str, ...] | None:
    """Every text an expression can have when it is a string literal or a column of them."""
    if node is None:
        return None
    if isinstance(node, exp.Paren):
        return literal_texts(node.this)
    text = string_literal(node)
    if text is not None:
        return (text,)
    texts = node.meta.get(TEXTS_META)
    return tuple(texts) if texts is not None else None


def cast_to_char(node: exp.Cast, context: Context) -> exp.Expr:
    """`CAST(text AS CHAR(n))`: the text cut or padded with spaces to n characters."""
    length = cast_char_length(node)
    assert length is not None
    if length > CHAR_MAX:
        raise InvalidSqlError(f"Unknown type: char({length})")
    source = node.this
    if not _is_text(source, context):
        raise UnsupportedSqlError(
            f"{node.sql(READ_DIALECT)[:60]}: CAST to CHAR(n) of a value that is not text is "
            "not supported locally"
        )
    padded = call("rpad", source, num(length), lit(" "))
    padded.meta[CHAR_META] = length
    return padded


def _is_text(node: exp.Expr, context: Context) -> bool:
    if isinstance(node, exp.Paren):
        return _is_text(node.this, context)
    if isinstance(node, exp.Null) or string_literal(node) is not None:
        return True
    if char_length(node) is not None or literal_texts(node) is not None:
        return True
    known = context.type_of(node)
    return known is not None and known.this in (
        exp.DataType.Type.VARCHAR,
        exp.DataType.Type.TEXT,
        exp.DataType.Type.CHAR,
    )


def unpadded(node: exp.Expr) -> exp.Expr:
    """The CHAR value without its padding (Trino's stored form)."""
    return call("rtrim", node, lit(" "))


def trim(node: exp.Trim) -> exp.Expr | None:
    """trim / ltrim / rtrim of a CHAR (None: the operand is not a CHAR)."""
    if char_length(node.this) is None:
        return None
    node.set("this", unpadded(node.this))
    position = str(node.args.get("position") or "").upper()
    if node.args.get("expression") is not None and position != "LEADING":
        return unpadded(node)
    return None


def compare(node: exp.Binary, context: Context) -> exp.Expr:
    """=, <>, <, <=, >, >= with a CHAR side compare without trailing spaces."""
    if char_length(node.this) is None and char_length(node.expression) is None:
        return node
    node.set("this", unpadded(node.this))
    node.set("expression", unpadded(node.expression))
    return node


def concat(node: exp.Expr, operands: list[exp.Expr]) -> exp.Expr:
    """concat / || with a CHAR operand: CHAR(x + y) of the operands padded to their lengths."""
    lengths = [char_length(o) for o in operands]
    if all(n is None for n in lengths):
        return node
    total = 0
    for position, (operand, length) in enumerate(zip(operands, lengths, strict=True)):
        if length is None and isinstance(operand, exp.Null):
            continue  # the result is NULL
        if length is None:
            texts = literal_texts(operand)
            if texts is None:
                raise UnsupportedSqlError(
                    f"{operand.sql(READ_DIALECT)[:60]}: concatenating CHAR with text of an "
                    "unknown declared length is not supported locally (Trino pads it)"
                )
            length = max(len(t) for t in texts)
            operands[position] = call("rpad", operand, num(length), lit(" "))
        total += length
    if total > CHAR_MAX:
        raise InvalidSqlError(f"Unknown type: char({total})")
    if isinstance(node, exp.DPipe):
        node.set("this", operands[0])
        node.set("expression", operands[1])
    else:
        node.set("expressions", operands)
    node.meta[CHAR_META] = total
    return node


#: `meta` key of a column whose every value is a from_hex / to_utf8 literal: the bytes.
BYTES_META = "athena_literal_bytes"
#: `meta` key of a column whose every value is a number literal.
NUMBERS_META = "athena_literal_numbers"


def _bytes_of(node: exp.Expr) -> bytes | None:
    if isinstance(node, exp.Paren):
        return _bytes_of(node.this)
    if isinstance(node, exp.Unhex):
        text = string_literal(node.this)
        if text is not None and len(text) % 2 == 0:
            try:
                return bytes.fromhex(text)
            except ValueError:
                return None
    if isinstance(node, exp.Encode):
        text = string_literal(node.this)
        return text.encode("utf-8") if text is not None else None
    return None


def mark_values(tree: exp.Expr) -> None:
    """Set `BYTES_META` / `NUMBERS_META` on columns of byte / number literals."""
    for column in tree.find_all(exp.Column):
        sources = [v for v in column_sources(column) if not isinstance(v, exp.Null)]
        if not sources:
            continue
        data = [_bytes_of(v) for v in sources]
        if all(d is not None for d in data):
            column.meta[BYTES_META] = tuple(d for d in data if d is not None)
        if all(isinstance(v, exp.Literal) and not v.is_string for v in sources):
            column.meta[NUMBERS_META] = True


def literal_bytes(node: exp.Expr) -> tuple[bytes, ...] | None:
    """The bytes of a from_hex / to_utf8 literal, or of a column of them."""
    if isinstance(node, exp.Paren):
        return literal_bytes(node.this)
    data = _bytes_of(node)
    if data is not None:
        return (data,)
    known = node.meta.get(BYTES_META)
    return tuple(known) if known is not None else None


def literal_numbers(node: exp.Expr) -> bool:
    """Whether an expression is a number literal or a column of them."""
    if isinstance(node, exp.Literal):
        return not node.is_string
    if isinstance(node, exp.Neg):
        return literal_numbers(node.this)
    return bool(node.meta.get(NUMBERS_META))
