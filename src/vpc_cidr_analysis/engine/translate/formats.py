"""Date-format strings: each kind of format has exactly one converter to DuckDB's strftime.

- Teradata (`to_date`, `to_timestamp`, `to_char`): `teradata_to_strftime` (`teradata_pieces`
  for to_char's `hh`). (sqlglot's own
  conversion of TO_CHAR is bypassed: `dialects.AthenaReader` leaves TO_CHAR a plain call.)
- Joda-Time (`format_datetime`, `parse_datetime`): `joda_to_strftime`.
- MySQL (`date_format`, `date_parse`): `mysql_to_strftime`, with Trino's specifier table
  (the reader keeps the format as written, see `dialects._TrinoReader`).

A format, or a part of one, that DuckDB would read or print differently is refused with
`UnsupportedSqlError` (or `InvalidSqlError` when Athena itself rejects it), never translated
into something that gives another answer.
"""

from __future__ import annotations

from vpc_cidr_analysis.engine.translate.errors import InvalidSqlError, UnsupportedSqlError

#: Trino's Teradata format tokens (plugin trino-teradata-functions: DateFormat.g4 and
#: DateFormatParser), lower case only, the longest first, and their strftime/strptime
#: specifiers. Each is printed with two digits at least (four for `yyyy`), as strftime does.
#: `hh` and `yy` have none that always agrees (see `teradata_to_strftime`).
_TERADATA_TOKENS: dict[str, str | None] = {
    "yyyy": "%Y",  # year
    "hh24": "%H",  # hour of day, 00-23
    "yy": "%y",  # two-digit year: printing only
    "hh": None,  # hour of half-day, 00-11
    "mm": "%m",  # month, 01-12 (not the minute)
    "dd": "%d",  # day of month
    "mi": "%M",  # minute
    "ss": "%S",  # second of minute
}
#: The literal text Trino allows between tokens: `- / , . ; :` and white space.
_TERADATA_TEXT = frozenset("-/,.;: \t\r\n")
#: The functions that read text with a Teradata format; to_char prints with one.
_TERADATA_PARSERS = frozenset({"to_date", "to_timestamp"})


def _teradata_tokens(fmt: str, function: str) -> list[str]:
    """The tokens and text characters of a Teradata format, as Trino's lexer splits it."""
    if not fmt:
        raise InvalidSqlError(f"{function}(..., ''): the format is empty")
    tokens: list[str] = []
    i = 0
    while i < len(fmt):
        token = next((t for t in _TERADATA_TOKENS if fmt.startswith(t, i)), fmt[i])
        if token not in _TERADATA_TOKENS and token not in _TERADATA_TEXT:
            raise InvalidSqlError(
                f"{function}(..., {fmt!r}): cannot read format at offset {i} ({token!r}); "
                "Teradata formats use lower-case yyyy yy mm dd hh24 hh mi ss and - / , . ; : "
                "or white space"
            )
        tokens.append(token)
        i += len(token)
    return tokens


def teradata_to_strftime(fmt: str, *, function: str = "to_date") -> str:
    """A Teradata date format (`yyyy/mm/dd hh24:mi:ss`) as a DuckDB strptime/strftime format.

    The one converter of the formats of `to_date` and `to_timestamp` (read with strptime) and
    `to_char` (printed with strftime), with Trino's tokens: `yyyy`, `mm` (month), `dd`, `hh24`,
    `mi` (minute), `ss`, `yy`, `hh`, and the text `- / , . ; :` and white space. Anything else
    (upper case, other letters) is an error in Trino too: `InvalidSqlError`. Refused with
    `UnsupportedSqlError`, as DuckDB would give another answer:

    - `hh`, the hour of half-day 00-11 without an AM/PM field (13:00 prints `01`, noon `00`);
      DuckDB's `%I` is the clock hour 01-12;
    - `yy` when reading text: Trino reads a two-digit year as 2000-2099 (`99` is 2099),
      DuckDB's `%y` as 1969-2068. Printing with `yy` (to_char) is `%y`, the same two digits.
    """
    pieces = teradata_pieces(fmt, function=function)
    if None in pieces:
        raise UnsupportedSqlError(
            f"{function}(..., {fmt!r}): 'hh' (hour of half-day 00-11) has no DuckDB strptime "
            "equivalent; use 'hh24'"
        )
    return "".join(p for p in pieces if p is not None)


def teradata_pieces(fmt: str, *, function: str = "to_char") -> list[str | None]:
    """A Teradata format as strftime/strptime runs, with None for each `hh` (Joda's hour of
    half-day, 00-11: `appendHourOfHalfday(2)` in Trino's DateFormatParser), which to_char
    prints itself. See `teradata_to_strftime` for the tokens and refusals."""
    out: list[str | None] = []
    for token in _teradata_tokens(fmt, function):
        spec = _TERADATA_TOKENS.get(token, token)
        if token == "yy" and function in _TERADATA_PARSERS:
            raise UnsupportedSqlError(
                f"{function}(..., {fmt!r}): Trino reads a 'yy' year as 2000-2099 (99 is 2099), "
                "DuckDB as 1969-2068; use 'yyyy'"
            )
        if spec is None:
            out.append(None)
        elif out and out[-1] is not None:
            out[-1] = str(out[-1]) + spec
        else:
            out.append(spec)
    return out


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


#: Trino's date_format / date_parse specifiers (DateTimeFunctions.createDateTimeFormatter, the
#: MySQL ones) and the strftime/strptime of each; None: Trino raises "%X not supported in date
#: format string". Any other `%c` is the letter c itself.
_MYSQL_SPECIFIERS: dict[str, str | None] = {
    "a": "%a",  # weekday, short
    "b": "%b",  # month, short
    "c": "%-m",  # month, 1-12
    "d": "%d",  # day of month, 01-31
    "e": "%-d",  # day of month, 1-31
    "f": "%f",  # microseconds, 6 digits
    "H": "%H",  # hour, 00-23
    "h": "%I",  # clock hour of half-day, 01-12
    "I": "%I",
    "i": "%M",  # minute
    "j": "%j",  # day of year, 001-366
    "k": "%-H",  # hour, 0-23
    "l": "%-I",  # clock hour of half-day, 1-12
    "M": "%B",  # month name
    "m": "%m",  # month, 01-12
    "p": "%p",  # AM / PM
    "r": "%I:%M:%S %p",
    "S": "%S",
    "s": "%S",
    "T": "%H:%M:%S",
    "v": "%V",  # ISO week, 01-53
    "W": "%A",  # weekday name
    "x": "%G",  # ISO week-based year
    "Y": "%Y",
    "y": "%y",
    "%": "%%",
    "D": None,
    "U": None,
    "u": None,
    "V": None,
    "w": None,
    "X": None,
}


def mysql_to_strftime(fmt: str, *, function: str = "date_format") -> str:
    """A Trino date_format / date_parse format (`%Y-%m-%d %H:%i:%s`) as a DuckDB strftime /
    strptime format, specifier by specifier as Trino builds its formatter: the unsupported
    ones (`%D %U %u %V %w %X`) and an empty format are errors in Trino too (InvalidSqlError);
    `%` before any other character is that character; a `%` at the end is dropped."""
    if not fmt:
        raise InvalidSqlError(f"{function}(..., ''): Both printing and parsing not supported")
    out: list[str] = []
    i = 0
    while i < len(fmt):
        ch = fmt[i]
        if ch != "%":
            out.append(ch)
            i += 1
            continue
        if i + 1 == len(fmt):
            break
        spec = fmt[i + 1]
        if spec in _MYSQL_SPECIFIERS:
            converted = _MYSQL_SPECIFIERS[spec]
            if converted is None:
                raise InvalidSqlError(
                    f"{function}(..., {fmt!r}): %{spec} not supported in date format string"
                )
            out.append(converted)
        else:
            out.append(spec)
        i += 2
    return "".join(out)
