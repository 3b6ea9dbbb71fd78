"""Translate Athena (engine v3, Trino) SQL into DuckDB SQL that returns the same rows.

sqlglot does most of the work (Athena read, DuckDB written). On top of it, small rewrites apply
where a plain transpile would run *something else*:

- `TO_DATE(x, 'yyyy/mm/dd')` / `TO_TIMESTAMP` / `TO_CHAR`: Teradata formats (`mm` is the month,
  `mi` the minute) become strptime/strftime formats, all through one converter with Trino's
  tokens; `hh`, and `yy` in a format that reads text, are refused (DuckDB differs).
- `CAST(x AS IPADDRESS)` / `TRY_CAST(...)` become the macros `athena_ipaddress` /
  `athena_try_ipaddress` over DuckDB's INET type (inet extension); IPv4-mapped IPv6 addresses
  become IPv4, as in Trino; a value with a `/` is not an address.
- `contains(cidr, address)` with an IPADDRESS argument becomes `address <<= INET cidr`:
  false when the families differ, NULL for a NULL address, an error for an invalid CIDR (a
  literal CIDR is checked here, any other at run time by the `athena_network` macro).
  `contains(array, element)` stays array containment.
- `any_match` / `all_match` / `none_match(p.cidrs, c -> contains(N(c), address))` over a column
  of a one-row, FROM-less CTE (the pack's `params`): the CTE gains a column with the networks
  parsed once (`athena_networks`), and each row tests its address against them
  (`athena_any_network`), with Trino's order of evaluation (no error after a match, none for a
  NULL address). Other lists are checked per row and element, and any invalid text fails.
- Integer `/` and `%` truncate and fail on zero, as in Trino (`athena_int_div`/`athena_int_mod`);
  decimal division (`sum(bytes) / 1024.0`) keeps Trino's scale and half-up rounding, computed
  exactly in integers, when both operands' scales are known; otherwise it is refused rather
  than run as floating point.
- `DATE ± INTERVAL`, `date_add` and `date_trunc` on dates stay DATE (DuckDB yields TIMESTAMP).
- `date_diff` counts whole units (DuckDB `date_sub`), `split_part` / `regexp_extract` return
  NULL when nothing is there, `$1` in `regexp_replace` replacements becomes `\\1`,
  `any_match` / `all_match` / `none_match` keep Trino's three-valued results,
  `format_datetime` Joda formats are converted, `EXTRACT(DOW ...)` is ISO.
- CHAR(n) is its text padded with spaces to n (as Athena shows it); trims, comparisons and
  concatenation with a CHAR follow Trino's CHAR rules (`rules.chars`).
- `regexp_count`, `regexp_position`, `regexp_extract_all`, and `regexp_replace` with a
  replacement that is not a literal, with `${name}`, with a pattern that matches the empty
  string, or with a lambda walk the matches as Trino (Joni) does (`rules.regexps`); Java's
  `(?<name>…)` is written `(?P<name>…)` for RE2.
- TIMESTAMP WITH TIME ZONE is DuckDB's TIMESTAMPTZ instant, its zone kept while translating
  (`rules.zones`); a zone other than UTC is refused where it would be lost.
- `current_date`, `current_timestamp`, `now()`, `localtimestamp` are pinned to `today` when given.
- Unnamed output columns are named `_col0`, `_col1`, … as Athena names them; unquoted
  identifiers are lower-cased as Trino does.
- `?` placeholders become numbered `$1`, `$2`, … in their textual order; values are bound by the
  engine, never formatted into SQL text.

Anything outside the checked subset (a function without a faithful DuckDB equivalent, a type
such as IPPREFIX or JSON, a non-literal format string) raises `UnsupportedSqlError` naming the
construct. The translated SQL relies on the macros of macros.sql; `prepare_connection` loads the
inet extension and creates them on a DuckDB connection (or `create_macros` those a query calls).

Modules, one job each:

- `pipeline`: the entry points (`translate`, `translate_query`, `generate`,
  `prepare_connection`, `create_macros`) and the order of the passes;
- `supported`: the functions and cast types let through, and the check refusing the rest;
- `rules`: the rewrites, one rule per sqlglot node type, by family (casts, ip, numbers, dates,
  strings, calls);
- `networks`: `trino_network` (a CIDR literal checked as Trino checks it) and CIDR lists
  parsed once per query;
- `formats`: the one converter of each date-format kind (Teradata, Joda);
- `macros.sql`: the DuckDB macros the translated SQL calls (read at run time);
- `dialects`, `nodes`, `errors`: the dialects at both ends, node helpers, the errors.
"""

from __future__ import annotations

from vpc_cidr_analysis.engine.translate.dialects import READ_DIALECT, InetContainedBy
from vpc_cidr_analysis.engine.translate.errors import (
    InvalidSqlError,
    TranslationError,
    UnsupportedSqlError,
)
from vpc_cidr_analysis.engine.translate.formats import joda_to_strftime, teradata_to_strftime
from vpc_cidr_analysis.engine.translate.networks import trino_network
from vpc_cidr_analysis.engine.translate.pipeline import (
    Translation,
    create_macros,
    generate,
    inet_extension_path,
    iter_parameters,
    macro_statements,
    macros_called,
    prepare_connection,
    translate,
    translate_query,
)

__all__ = [
    "READ_DIALECT",
    "InetContainedBy",
    "InvalidSqlError",
    "Translation",
    "TranslationError",
    "UnsupportedSqlError",
    "create_macros",
    "generate",
    "inet_extension_path",
    "iter_parameters",
    "joda_to_strftime",
    "macro_statements",
    "macros_called",
    "prepare_connection",
    "teradata_to_strftime",
    "translate",
    "translate_query",
    "trino_network",
]
