"""Date-format strings: each kind of format has exactly one converter to DuckDB's strftime.

- Teradata (`to_date`, `to_timestamp`): `teradata_to_strftime`.
- Joda-Time (`format_datetime`, `parse_datetime`): `joda_to_strftime`.
- MySQL (`date_format`, `date_parse`): sqlglot's Presto dialect, which converts the format while
  parsing (exp.TimeToStr / exp.StrToTime).
"""

from __future__ import annotations

from vpc_cidr_analysis.engine.translate.errors import InvalidSqlError, UnsupportedSqlError

_TERADATA_TOKENS: tuple[tuple[str, str], ...] = (
    ("yyyy", "%Y"),
    ("yy", "%y"),
    ("hh24", "%H"),
    ("mm", "%m"),
    ("dd", "%d"),
    ("mi", "%M"),
    ("ss", "%S"),
)
_TERADATA_PUNCT = set("-/,.;: ")


def teradata_to_strftime(fmt: str, *, function: str = "to_date") -> str:
    """A Teradata date format (`yyyy/mm/dd hh24:mi:ss`) as a DuckDB strptime/strftime format.

    Trino's Teradata functions know `yyyy yy mm dd hh hh24 mi ss` (lower case only) and the
    punctuation `- / , . ; :` and space; anything else is an error there too. `hh` (hour of
    half-day 0-11 without AM/PM) has no strptime equivalent and is refused.
    """
    out: list[str] = []
    i = 0
    while i < len(fmt):
        for token, spec in _TERADATA_TOKENS:
            if fmt.startswith(token, i):
                out.append(spec)
                i += len(token)
                break
        else:
            ch = fmt[i]
            if fmt.startswith("hh", i):
                raise UnsupportedSqlError(
                    f"{function}(..., {fmt!r}): 'hh' (hour of half-day without AM/PM) has no "
                    "DuckDB equivalent; use 'hh24'"
                )
            if ch not in _TERADATA_PUNCT:
                raise InvalidSqlError(
                    f"{function}(..., {fmt!r}): cannot read format at offset {i} ({ch!r}); "
                    "Teradata formats use lower-case yyyy yy mm dd hh24 mi ss and - / , . ; : "
                    "or space"
                )
            out.append("%%" if ch == "%" else ch)
            i += 1
    return "".join(out)


_JODA_TOKENS: tuple[tuple[str, str], ...] = (
    ("yyyy", "%Y"),
    ("YYYY", "%Y"),
    ("yy", "%y"),
    ("MMMM", "%B"),
    ("MMM", "%b"),
    ("MM", "%m"),
    ("dd", "%d"),
    ("HH", "%H"),
    ("hh", "%I"),
    ("mm", "%M"),
    ("ss", "%S"),
    ("SSSSSS", "%f"),
    ("SSS", "%g"),
    ("EEEE", "%A"),
    ("EEE", "%a"),
    ("a", "%p"),
)


def joda_to_strftime(fmt: str, *, function: str = "format_datetime") -> str:
    """A Joda-Time pattern (`yyyy-MM-dd HH:mm:ss`) as a DuckDB strftime/strptime format.

    Supports the common fields (yyyy yy MMMM MMM MM dd HH hh mm ss SSS SSSSSS EEEE EEE a),
    quoted literals and punctuation; other letters (zones, week-years, single-letter fields)
    are refused rather than guessed.
    """
    out: list[str] = []
    i = 0
    while i < len(fmt):
        if fmt[i] == "'":
            end = fmt.find("'", i + 1)
            if end == -1:
                raise InvalidSqlError(f"{function}(..., {fmt!r}): unterminated quote")
            literal = fmt[i + 1 : end] or "'"
            out.append(literal.replace("%", "%%"))
            i = end + 1
            continue
        for token, spec in _JODA_TOKENS:
            if fmt.startswith(token, i) and not (
                i + len(token) < len(fmt) and fmt[i + len(token)] == token[0]
            ):
                out.append(spec)
                i += len(token)
                break
        else:
            ch = fmt[i]
            if ch.isalpha():
                run = len(fmt[i:]) - len(fmt[i:].lstrip(ch))
                raise UnsupportedSqlError(
                    f"{function}(..., {fmt!r}): Joda field {ch * run!r} is not supported "
                    "locally; use yyyy MM dd HH mm ss SSS (or date_format with %-specifiers)"
                )
            out.append("%%" if ch == "%" else ch)
            i += 1
    return "".join(out)
