"""Strings: split_part and regexp_extract are NULL when nothing is there; `$1` becomes `\\1`;
substr, replace, lpad/rpad, split with a limit, concat and trim with Trino's edge cases;
strpos with an occurrence, hamming / levenshtein distances over code points, soundex,
codepoint, split_to_map / split_to_multimap, from_utf8 / to_utf8 / from_hex, normalize (NFC).
CHAR(n) operands are handled in `chars`, the regexp walk in `regexps`."""

from __future__ import annotations

import re

from sqlglot import exp

from vpc_cidr_analysis.engine.translate.errors import InvalidSqlError, UnsupportedSqlError
from vpc_cidr_analysis.engine.translate.nodes import call, lit, num, string_literal
from vpc_cidr_analysis.engine.translate.rules import chars, regexps
from vpc_cidr_analysis.engine.translate.rules.common import Context, arity


def split_part(node: exp.SplitPart, context: Context) -> exp.Expr:
    """split_part: NULL past the last field, an error for an index below 1 (the macro)."""
    return call(
        "athena_split_part",
        node.this,
        node.args["delimiter"],
        node.args["part_index"],
    )


def regexp_extract(node: exp.RegexpExtract, context: Context) -> exp.Expr:
    """regexp_extract: NULL when the pattern does not match (the macro); a literal group past
    a literal pattern's groups is an error, as in Trino; a group that is not a literal gets
    one branch per group (`regexps.regexp_extract_group`)."""
    group = node.args.get("group") or num(0)
    texts = chars.literal_texts(node.expression)
    if isinstance(node.expression, exp.Literal) and texts is not None:
        node.set("expression", lit(regexps.re2_pattern(texts[0])))
    groups = regexps.group_count(texts)
    literal_group = isinstance(group, exp.Literal) and not group.is_string
    if groups is not None and literal_group and int(str(group.this)) > groups:
        raise InvalidSqlError(
            f"regexp_extract(): pattern has {groups} groups. Cannot access group {group.this}"
        )
    if not literal_group:
        return regexps.regexp_extract_group(node, texts)
    number = int(str(group.this))
    left_out = regexps.left_out_as_empty(texts, range(number, number + 1)) if number else set()
    if left_out is None and texts is not None:
        raise UnsupportedSqlError(
            f"regexp_extract(): group {number} may be left out of a match (Trino gives NULL "
            "there) and can also match the empty string"
        )
    found = call("athena_regexp_extract", node.this, node.expression, group)
    return exp.Nullif(this=found, expression=lit("")) if left_out else found


def regexp_replace(node: exp.RegexpReplace, context: Context) -> exp.Expr:
    """regexp_replace: DuckDB's own with the Java replacement's `$n` in RE2's `\\n` form when
    pattern and replacement are literals and the pattern cannot match the empty string (RE2
    replaces empty matches differently); otherwise Trino's walk of the matches (`regexps`)."""
    replacement = node.args.get("replacement")
    if replacement is None:
        return node
    if isinstance(replacement, exp.Lambda):
        return regexps.regexp_replace_lambda(node, replacement, context)
    text = string_literal(replacement)
    pattern = string_literal(node.expression)
    if text is None or pattern is None or "${" in text:
        return regexps.regexp_replace_at_run_time(node, replacement)
    groups = regexps.group_count((pattern,))
    if groups is None or groups > 9 or _matches_empty(pattern, string_literal(node.this)):
        return regexps.regexp_replace_at_run_time(node, replacement)
    node.set("expression", lit(regexps.re2_pattern(pattern)))
    node.set("replacement", lit(java_replacement(text, groups)))
    return node


def _group_count(pattern: str | None) -> int | None:
    """The number of groups of a literal pattern (Python's reading; None if it differs)."""
    if pattern is None:
        return None
    try:
        return re.compile(pattern).groups
    except re.error:
        return None


def _matches_empty(pattern: str, subject: str | None) -> bool:
    try:
        compiled = re.compile(regexps.re2_pattern(pattern))
    except re.error:
        return False
    probe = subject if subject is not None else ""
    return any(m.start() == m.end() for m in compiled.finditer(probe)) or bool(
        compiled.fullmatch("")
    )


def java_replacement(text: str, groups: int | None = None) -> str:
    """A Java/Trino regexp replacement (`$1`, `\\$`) as an RE2/DuckDB one (`\\1`, `$`).

    As in Java, `$` takes the longest group number that exists (`$10` is group 1 then `0`
    with fewer than 10 groups); a `$` without a group, a group that does not exist and a
    trailing `\\` are errors. Groups above 9 (RE2 has `\\0`-`\\9`) are refused.
    """
    out: list[str] = []
    i = 0
    while i < len(text):
        ch = text[i]
        if ch == "\\":
            if i + 1 >= len(text):
                raise InvalidSqlError("regexp_replace(): character to be escaped is missing")
            nxt = text[i + 1]
            out.append("\\\\" if nxt == "\\" else nxt)
            i += 2
            continue
        if ch != "$":
            out.append(ch)
            i += 1
            continue
        if text[i + 1 : i + 2] == "{":
            raise UnsupportedSqlError(
                f"regexp_replace(): named group reference in {text!r} is not supported locally"
            )
        j = i + 1
        if j >= len(text) or not text[j].isdigit():
            raise InvalidSqlError(f"regexp_replace(): illegal group reference in {text!r}")
        number = int(text[j])
        j += 1
        while groups is not None and j < len(text) and text[j].isdigit():
            longer = number * 10 + int(text[j])
            if longer > groups:
                break
            number = longer
            j += 1
        if groups is not None and number > groups:
            raise InvalidSqlError(f"regexp_replace(): no group {number} in the pattern")
        if number > 9:
            raise UnsupportedSqlError(
                f"regexp_replace(): group ${number} is not supported locally (only $0-$9)"
            )
        out.append("\\" + str(number))
        i = j
    return "".join(out)


def substring(node: exp.Substring, context: Context) -> exp.Expr:
    """substr(s, p[, n]): '' for position 0 or one before the start (DuckDB: the string)."""
    length = node.args.get("length")
    if length is None:
        return call("athena_substr", node.this, node.args["start"])
    return call("athena_substr_len", node.this, node.args["start"], length)


def replace(node: exp.Replace, context: Context) -> exp.Expr:
    """replace(s, '', x) inserts x around every character (DuckDB: unchanged)."""
    search = string_literal(node.expression)
    if search:
        return node
    replacement = node.args.get("replacement") or lit("")
    return call("athena_replace", node.this, node.expression, replacement)


def pad(node: exp.Pad, context: Context) -> exp.Expr:
    """lpad / rpad: an empty padding string is an error (DuckDB: the string cut or kept)."""
    fill = node.args.get("fill_pattern")
    if fill is None or string_literal(fill):
        return node
    return call("athena_pad_check", fill.copy(), node)


def split(node: exp.Split, context: Context) -> exp.Expr:
    """split(s, d, limit): at most `limit` parts (DuckDB's string_split has no limit)."""
    limit = node.args.get("limit")
    if limit is None:
        return node
    return call("athena_split_limit", node.this, node.expression, limit)


def concat(node: exp.Concat, context: Context) -> exp.Expr:
    """concat() needs two arguments or more in Trino."""
    if len(node.expressions) < 2:
        raise InvalidSqlError("concat(): There must be two or more concatenation arguments")
    return chars.concat(node, list(node.expressions))


def dpipe(node: exp.DPipe, context: Context) -> exp.Expr:
    """`a || b`: as concat (CHAR operands)."""
    return chars.concat(node, [node.this, node.expression])


def trim(node: exp.Trim, context: Context) -> exp.Expr:
    """trim / ltrim / rtrim of one argument remove Java whitespace (DuckDB: spaces); of a
    CHAR, the value without its padding (`chars.trim`)."""
    of_char = chars.trim(node)
    if of_char is not None:
        return of_char
    if node.args.get("expression") is not None:
        return node
    position = str(node.args.get("position") or "").upper()
    name = {"LEADING": "athena_ltrim", "TRAILING": "athena_rtrim"}.get(position, "athena_trim")
    return call(name, node.this)


def strpos(node: exp.StrPosition, context: Context) -> exp.Expr:
    """strpos(s, sub, n): the n-th occurrence, from the end for a negative n (the macro)."""
    occurrence = node.args.get("occurrence")
    if occurrence is None:
        return node
    if node.args.get("position") is not None:
        raise UnsupportedSqlError("strpos(): a start position with an occurrence is not supported")
    return call("athena_strpos", node.this, node.args["substr"], occurrence)


def hamming_distance(node: exp.Anonymous, context: Context) -> exp.Expr:
    """hamming_distance(a, b): differing code points; strings of other lengths are an error."""
    arity("hamming_distance", node.expressions, 2)
    return call("athena_hamming", *node.expressions)


def levenshtein(node: exp.Levenshtein, context: Context) -> exp.Expr:
    """levenshtein_distance(a, b) over code points (DuckDB's levenshtein counts bytes)."""
    if any(node.args.get(k) is not None for k in ("ins_cost", "del_cost", "sub_cost")):
        raise UnsupportedSqlError("levenshtein_distance(): costs are not a Trino argument")
    return call("athena_levenshtein", node.this, node.expression)


def codepoint(node: exp.Anonymous, context: Context) -> exp.Expr:
    """codepoint(c) of a VARCHAR(1): longer text is Trino's type error, known or not."""
    arity("codepoint", node.expressions, 1)
    (value,) = node.expressions
    length = chars.declared_length(value)
    if length is None:
        raise UnsupportedSqlError(
            "codepoint(): Trino accepts only VARCHAR(1), and the declared length of the "
            "argument is not known here (give a literal)"
        )
    if length > 1:
        raise InvalidSqlError(
            f"Unexpected parameters (varchar({length})) for function codepoint. "
            "Expected: codepoint(varchar(1))"
        )
    return call("athena_codepoint", value)


def soundex(node: exp.Soundex, context: Context) -> exp.Expr:
    """soundex(s) as Trino's (Apache Commons Codec US English), in SQL (the macro)."""
    return call("athena_soundex", node.this)


def split_to_map(node: exp.StrToMap, context: Context) -> exp.Expr:
    """split_to_map(s, entry delimiter, key-value delimiter) with Trino's errors."""
    pair = node.args.get("pair_delim")
    key_value = node.args.get("key_value_delim")
    if pair is None or key_value is None or node.args.get("duplicate_resolution_callback"):
        raise UnsupportedSqlError("split_to_map() takes three arguments here")
    return call("athena_split_to_map", node.this, pair, key_value)


def split_to_multimap(node: exp.Anonymous, context: Context) -> exp.Expr:
    """split_to_multimap(s, entry delimiter, key-value delimiter): values as arrays."""
    arity("split_to_multimap", node.expressions, 3)
    return call("athena_split_to_multimap", *node.expressions)


def normalize(node: exp.Normalize, context: Context) -> exp.Expr:
    """normalize(s[, NFC]) is DuckDB's nfc_normalize; the other forms have no translation."""
    form = node.args.get("form")
    name = str(form.name).upper() if isinstance(form, exp.Expr) else "NFC"
    if name != "NFC":
        raise UnsupportedSqlError(f"normalize(): form {name} is not supported locally (only NFC)")
    return call("nfc_normalize", node.this)


def from_hex(node: exp.Unhex, context: Context) -> exp.Expr:
    """from_hex(s): an odd number of digits is an error, as in Trino."""
    data = chars.literal_bytes(node)
    new = call("athena_from_hex", node.this)
    if data is not None:
        new.meta[chars.BYTES_META] = data
    return new


def from_utf8(node: exp.Decode, context: Context) -> exp.Expr:
    """from_utf8(b[, replacement]) of valid UTF-8 (invalid bytes known here are refused,
    others are an error at run time: Trino replaces them); the replacement is checked."""
    blob = node.this
    for data in chars.literal_bytes(blob) or ():
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:
            raise UnsupportedSqlError(
                "from_utf8(): invalid UTF-8 is not supported locally (Trino replaces it)"
            ) from None
    replacement = node.args.get("replace")
    if replacement is None:
        return call("athena_from_utf8", blob)
    if chars.literal_texts(replacement) is not None:
        return call("athena_from_utf8_text", blob, replacement)
    if chars.literal_numbers(replacement):
        return call("athena_from_utf8_code", blob, replacement)
    raise UnsupportedSqlError(
        "from_utf8(): the replacement must be a literal (text or code point) to translate it"
    )
