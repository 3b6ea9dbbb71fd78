"""The same query written differently: for tests that a query's derived forms follow its meaning,
not its exact text. Imported by tests/unit/pack/test_forms.py and
tests/integration/pack/test_query_forms.py (pytest puts tests/ on sys.path for its conftest.py).
"""

from __future__ import annotations

import re

import sqlglot
from sqlglot.tokenizer_core import TokenType

#: Tokens whose text is data or a quoted name: left as they are.
_LITERALS = {
    TokenType.STRING,
    TokenType.IDENTIFIER,
    TokenType.UNICODE_STRING,
    TokenType.HEX_STRING,
}

#: (what, with what) edits of the layout; each applies wherever the text has it.
_EDITS = (
    (re.compile(r"^( +)", re.MULTILINE), r"\1\1"),  # twice the indentation
    (re.compile(r"^(conversations|matched) as \(", re.MULTILINE), "-- the next CTE\n\\1\n  as\n("),
    (re.compile(r"^with ", re.MULTILINE), "with /* records first */ "),
    (re.compile(r", c -> contains\(trim\(c\), "), ",\n      c ->\n        contains( trim( c ),"),
    (re.compile(r"split\(\?"), "split( /* the blocks */ ?"),
    (re.compile(r"\? /\* (\w+) \*/"), "?\n  /* \\1 */"),
)


def lower_keywords(sql: str) -> str:
    """Keywords and names in lower case; literals, quoted names and comments as written."""
    tokens = sqlglot.Dialect.get_or_raise("athena").tokenize(sql)
    out = sql
    for token in reversed(tokens):
        if token.token_type not in _LITERALS:
            span = slice(token.start, token.end + 1)
            out = out[: span.start] + out[span].lower() + out[span.stop :]
    return out


def reformatted(sql: str) -> str:
    """`sql` in lower case, indented and broken into lines otherwise, with extra comments."""
    out = lower_keywords(sql)
    for pattern, replacement in _EDITS:
        out = pattern.sub(replacement, out)
    return out + "-- the end\n"


def meaning(sql: str) -> str:
    """The statement as sqlglot generates it without comments: equal for equal meaning."""
    tree = sqlglot.parse_one(sql, read="athena")
    for node in tree.walk():
        node.comments = None
    return str(tree.sql(dialect="athena"))
