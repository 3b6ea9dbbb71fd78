-- DuckDB macros the translated SQL calls; `prepare_connection` creates them, in this order, on
-- a connection with the inet extension loaded. Read at run time and split at `;` tokens (never
-- inside a string or a comment), so each statement ends with `;`.

-- An IPv4-mapped IPv6 address (::ffff:a.b.c.d) is IPv4 in Trino's IPADDRESS.
CREATE OR REPLACE MACRO athena_unmap_ipv4(a) AS
  CASE WHEN family(a) = 6 AND a <<= CAST('::ffff:0.0.0.0/96' AS INET)
       THEN CAST(substr(host(a), 8) AS INET) ELSE a END;

-- TRY_CAST(x AS IPADDRESS): NULL for anything that is not a single address.
CREATE OR REPLACE MACRO athena_try_ipaddress(x) AS
  CASE WHEN strpos(CAST(x AS VARCHAR), '/') > 0 THEN NULL
       WHEN strpos(CAST(x AS VARCHAR), ':') = 0 THEN TRY_CAST(CAST(x AS VARCHAR) AS INET)
       ELSE athena_unmap_ipv4(TRY_CAST(CAST(x AS VARCHAR) AS INET)) END;

-- CAST(x AS IPADDRESS): the same, but an invalid value is an error (as in Trino).
CREATE OR REPLACE MACRO athena_ipaddress(x) AS
  COALESCE(athena_try_ipaddress(x), CASE WHEN x IS NOT NULL
           THEN error('Cannot cast value to IPADDRESS: ' || CAST(x AS VARCHAR)) END);

-- The network of contains(network, address), validated like Trino's IpAddressFunctions
-- (a '/', a valid address, a prefix within its length, no IPv4 host bits). Kept small:
-- DuckDB evaluates it per element inside lambdas, where a large expression is slow.
CREATE OR REPLACE MACRO athena_network(net) AS
  CASE WHEN strpos(net, '/') > 0
        AND CASE family(TRY_CAST(net AS INET))
              WHEN 4 THEN network(TRY_CAST(net AS INET)) = TRY_CAST(net AS INET)
              WHEN 6 THEN strpos(net, '.') = 0 END
       THEN TRY_CAST(net AS INET)
       ELSE error(CASE
         WHEN strpos(net, '/') = 0 THEN 'Invalid CIDR'
         WHEN TRY_CAST(split_part(net, '/', 1) AS INET) IS NULL THEN 'Invalid network IP address'
         WHEN TRY_CAST(substr(net, strpos(net, '/') + 1) AS INTEGER) IS NULL
           OR TRY_CAST(substr(net, strpos(net, '/') + 1) AS INTEGER) < 0
         THEN 'Invalid prefix length'
         WHEN TRY_CAST(net AS INET) IS NULL THEN 'Prefix length exceeds address length'
         WHEN family(TRY_CAST(net AS INET)) = 6
         THEN 'IPv6 network text with an IPv4 part is not supported locally'
         ELSE 'Invalid CIDR' END || ': ' || net) END;

-- An IPv6 network that holds IPv4-mapped addresses (Trino compares IPv4 addresses as those)
-- with an IPv4 address is an error here rather than a wrong false.
CREATE OR REPLACE MACRO athena_contains(net, address) AS
  CASE WHEN family(address) = 4 AND strpos(net, ':') > 0
        AND (athena_network(net) <<= '::ffff:0:0/96'::INET
             OR '::ffff:0:0/96'::INET <<= athena_network(net))
       THEN error('contains(' || net || ', an IPv4 address): IPv6 networks holding IPv4-mapped '
                  || 'addresses are not supported locally for a network from a column')
       ELSE address <<= athena_network(net) END;

-- The same validation without the error: the network, or NULL for NULL or invalid text.
CREATE OR REPLACE MACRO athena_try_network(net) AS
  CASE WHEN strpos(net, '/') > 0
        AND CASE family(TRY_CAST(net AS INET))
              WHEN 4 THEN network(TRY_CAST(net AS INET)) = TRY_CAST(net AS INET)
              WHEN 6 THEN strpos(net, '.') = 0 END
       THEN TRY_CAST(net AS INET) END;

-- A list of network texts parsed once per query (see networks.precompute_networks): the
-- networks (NULL where the text is NULL or invalid), the position of the first invalid
-- text (0: none), 0 (NULL for a NULL list: the match is then NULL) and the texts.
CREATE OR REPLACE MACRO athena_networks(texts) AS {
  'nets': list_transform(texts, t -> athena_try_network(t)),
  'bad': coalesce(list_position(
           list_transform(texts, t -> t IS NOT NULL AND athena_try_network(t) IS NULL), true), 0),
  'zero': CASE WHEN texts IS NOT NULL THEN 0 END,
  'texts': texts};

-- any_match(texts, c -> contains(c, a)) over athena_networks(texts), as Trino runs it:
-- elements in order, true at the first match; an invalid text is an error when it is
-- reached with a non-NULL address; NULL if some element gave NULL and none matched.
CREATE OR REPLACE MACRO athena_any_network_of(nw, a) AS
  list_extract([false, NULL, true], coalesce(list_max(
    list_transform(nw.nets, n -> coalesce(CAST(a <<= n AS INTEGER) * 2, 1))), nw.zero) + 1);

CREATE OR REPLACE MACRO athena_any_network(nw, a) AS
  CASE WHEN nw.bad = 0 THEN athena_any_network_of(nw, a)
       WHEN a IS NULL THEN athena_any_network_of(nw, a)
       WHEN coalesce(list_position(list_transform(nw.nets, n -> a <<= n), true), 0)
            BETWEEN 1 AND nw.bad - 1 THEN true
       ELSE athena_network(nw.texts[nw.bad]) IS NULL END;

-- all_match: the same with false at the first non-match.
CREATE OR REPLACE MACRO athena_all_network_of(nw, a) AS
  list_extract([false, NULL, true], coalesce(list_min(
    list_transform(nw.nets, n -> coalesce(CAST(a <<= n AS INTEGER) * 2, 1))), nw.zero + 2) + 1);

CREATE OR REPLACE MACRO athena_all_network(nw, a) AS
  CASE WHEN nw.bad = 0 THEN athena_all_network_of(nw, a)
       WHEN a IS NULL THEN athena_all_network_of(nw, a)
       WHEN coalesce(list_position(list_transform(nw.nets, n -> a <<= n), false), 0)
            BETWEEN 1 AND nw.bad - 1 THEN false
       ELSE athena_network(nw.texts[nw.bad]) IS NULL END;

CREATE OR REPLACE MACRO athena_int_div(a, b) AS
  CASE WHEN b = 0 THEN error('Division by zero') ELSE a // b END;

-- Integer quotient rounded half away from zero (decimal division's last digit).
CREATE OR REPLACE MACRO athena_round_div(n, d) AS
  CASE WHEN d = 0 THEN error('Division by zero')
       ELSE sign(n) * sign(d) * ((abs(n) * 2 + abs(d)) // (abs(d) * 2)) END;

CREATE OR REPLACE MACRO athena_int_mod(a, b) AS
  CASE WHEN b = 0 THEN error('Division by zero') ELSE a % b END;

-- split_part: NULL past the last field; index must be positive.
CREATE OR REPLACE MACRO athena_split_part(s, d, i) AS
  CASE WHEN i <= 0 THEN error('Index must be greater than zero')
       WHEN s = '' AND d = '' THEN NULL
       WHEN i > len(string_split(s, d)) THEN NULL
       ELSE split_part(s, d, i) END;

-- regexp_extract: NULL when the pattern does not match.
CREATE OR REPLACE MACRO athena_regexp_extract(s, p, g) AS
  CASE WHEN regexp_matches(s, p) THEN regexp_extract(s, p, g) ELSE NULL END;

-- substr / substring as Trino: position 0, or one before the string's start, gives ''.
CREATE OR REPLACE MACRO athena_substr(s, p) AS
  CASE WHEN p = 0 OR p < -length(s) THEN '' ELSE substring(s, p) END;

CREATE OR REPLACE MACRO athena_substr_len(s, p, n) AS
  CASE WHEN p = 0 OR p < -length(s) OR n <= 0 THEN '' ELSE substring(s, p, n) END;

-- replace(s, '', x) puts x before, between and after the characters.
CREATE OR REPLACE MACRO athena_replace(s, f, r) AS
  CASE WHEN f <> '' THEN replace(s, f, r)
       WHEN s = '' THEN r
       ELSE list_reduce(list_transform(string_split(s, ''), c -> r || c), (x, y) -> x || y)
            || r END;

CREATE OR REPLACE MACRO athena_pad_check(fill, padded) AS
  CASE WHEN fill = '' THEN error('Padding string must not be empty') ELSE padded END;

-- split(s, d, limit): at most limit parts, the last one holding the rest.
CREATE OR REPLACE MACRO athena_split_limit(s, d, n) AS
  CASE WHEN d = '' THEN error('The delimiter may not be the empty string')
       WHEN n <= 0 THEN error('Limit must be positive')
       WHEN n > 2147483647 THEN error('Limit is too large')
       WHEN len(string_split(s, d)) <= n THEN string_split(s, d)
       ELSE list_concat(string_split(s, d)[1:n - 1],
                        [array_to_string(string_split(s, d)[n:], d)]) END;

-- CAST(x AS VARCHAR(n)) of a value that is not text: an error when it does not fit.
CREATE OR REPLACE MACRO athena_varchar_n(x, n) AS
  CASE WHEN length(CAST(x AS VARCHAR)) > n
       THEN error('Value ' || CAST(x AS VARCHAR) || ' cannot be represented as varchar('
                  || n || ')')
       ELSE CAST(x AS VARCHAR) END;

-- contains(array, x): NULL, not false, when x is not found and the array holds a NULL.
CREATE OR REPLACE MACRO athena_array_contains(a, x) AS
  CASE WHEN x IS NULL OR a IS NULL THEN NULL
       WHEN list_contains(a, x) THEN true
       WHEN list_contains(list_transform(a, e -> e IS NULL), true) THEN NULL
       ELSE false END;

-- array_join skips NULL elements; an array of only NULLs gives ''.
CREATE OR REPLACE MACRO athena_array_join(a, d) AS
  CASE WHEN a IS NOT NULL AND d IS NOT NULL THEN coalesce(array_to_string(a, d), '') END;

-- a[i]: an error outside 1..cardinality(a), as in Trino.
CREATE OR REPLACE MACRO athena_subscript(a, i) AS
  CASE WHEN i = 0 THEN error('SQL array indices start at 1')
       WHEN i < 0 THEN error('Array subscript is negative: ' || i)
       WHEN i > len(a) THEN error('Array subscript must be less than or equal to array length: '
                                  || i || ' > ' || len(a))
       ELSE a[i] END;

-- element_at(a, i): NULL past either end, counted from the end for i < 0; 0 is an error.
CREATE OR REPLACE MACRO athena_element_at(a, i) AS
  CASE WHEN i = 0 THEN error('SQL array indices start at 1')
       WHEN abs(i) > len(a) THEN NULL
       WHEN i < 0 THEN a[len(a) + i + 1]
       ELSE a[i] END;

-- trim / ltrim / rtrim of one argument: the characters Java's Character.isWhitespace accepts
-- (a regular expression: DuckDB string literals have no Unicode escapes).
CREATE OR REPLACE MACRO athena_trim(s) AS regexp_replace(s, '^[\t\n\x0b\x0c\r\x1c-\x1f \x{1680}\x{2000}-\x{2006}\x{2008}-\x{200a}\x{2028}\x{2029}\x{205f}\x{3000}]+|[\t\n\x0b\x0c\r\x1c-\x1f \x{1680}\x{2000}-\x{2006}\x{2008}-\x{200a}\x{2028}\x{2029}\x{205f}\x{3000}]+$', '', 'g');

CREATE OR REPLACE MACRO athena_ltrim(s) AS regexp_replace(s, '^[\t\n\x0b\x0c\r\x1c-\x1f \x{1680}\x{2000}-\x{2006}\x{2008}-\x{200a}\x{2028}\x{2029}\x{205f}\x{3000}]+', '');

CREATE OR REPLACE MACRO athena_rtrim(s) AS regexp_replace(s, '[\t\n\x0b\x0c\r\x1c-\x1f \x{1680}\x{2000}-\x{2006}\x{2008}-\x{200a}\x{2028}\x{2029}\x{205f}\x{3000}]+$', '');

-- ---- time zones (rules/zones.py) ----------------------------------------------------------

-- from_unixtime(x, zone) with the zone from a column: the instant, an error for a zone that is
-- neither an offset within Trino's ±14:00 nor a zone ICU knows (timezone() raises then).
CREATE OR REPLACE MACRO athena_zone_checked(value, zone) AS
  CASE WHEN zone IS NULL THEN NULL
       WHEN regexp_full_match(zone, '[+-]((0?[0-9]|1[0-3])(:?[0-5][0-9])?|14(:?00)?)')
       THEN value
       WHEN regexp_full_match(zone, '[+-].*')
       THEN error('''' || zone || ''' is not a valid time zone')
       WHEN timezone(zone, TIMESTAMP '2000-01-01') IS NOT NULL THEN value END;

-- from_unixtime(x, hours, minutes): Trino's offset (hours * 60 + minutes) is within ±14:00.
CREATE OR REPLACE MACRO athena_offset_checked(value, hours, minutes) AS
  CASE WHEN abs(hours * 60 + minutes) > 840
       THEN error('Invalid offset minutes ' || CAST(hours * 60 + minutes AS VARCHAR))
       ELSE value END;

-- ---- INTERVAL as text, as Trino writes it (rules/dates.py interval_text) --------------------

-- A day-to-second interval (milliseconds in Trino): '[-]d hh:mm:ss.mmm'.
CREATE OR REPLACE MACRO athena_day_time_interval_text(i) AS
  CASE WHEN i IS NOT NULL THEN
    (CASE WHEN epoch_us(i) < 0 THEN '-' ELSE '' END)
    || CAST(abs(epoch_us(i)) // 86400000000 AS VARCHAR) || ' '
    || lpad(CAST(abs(epoch_us(i)) // 3600000000 % 24 AS VARCHAR), 2, '0') || ':'
    || lpad(CAST(abs(epoch_us(i)) // 60000000 % 60 AS VARCHAR), 2, '0') || ':'
    || lpad(CAST(abs(epoch_us(i)) // 1000000 % 60 AS VARCHAR), 2, '0') || '.'
    || lpad(CAST(abs(epoch_us(i)) // 1000 % 1000 AS VARCHAR), 3, '0') END;

-- A year-to-month interval: '[-]y-m'.
CREATE OR REPLACE MACRO athena_year_month_interval_text(i) AS
  CASE WHEN i IS NOT NULL THEN
    (CASE WHEN datepart('year', i) * 12 + datepart('month', i) < 0 THEN '-' ELSE '' END)
    || CAST(abs(datepart('year', i) * 12 + datepart('month', i)) // 12 AS VARCHAR) || '-'
    || CAST(abs(datepart('year', i) * 12 + datepart('month', i)) % 12 AS VARCHAR) END;

-- ---- Teradata (rules/teradata.py) ----------------------------------------------------------

-- char2hexint(s): each character's UTF-16 code units (a surrogate pair above U+FFFF) as four
-- upper-case hexadecimal digits, as Trino's TeradataStringFunctions (UTF-16BE bytes in hex).
CREATE OR REPLACE MACRO athena_char2hexint(s) AS
  CASE WHEN s = '' THEN ''
       WHEN s IS NOT NULL THEN array_to_string(list_transform(string_split(s, ''), c ->
         CASE WHEN unicode(c) < 65536 THEN lpad(hex(unicode(c)), 4, '0')
              ELSE hex(55296 + ((unicode(c) - 65536) >> 10))
                   || hex(56320 + ((unicode(c) - 65536) & 1023)) END), '') END;

-- interval / x (rules/dates.py interval_div): Trino divides the milliseconds (months) as
-- doubles and truncates; 0 and NaN are errors (IntervalDayTimeOperators.divideByDouble).
CREATE OR REPLACE MACRO athena_day_time_interval_div(i, x) AS
  CASE WHEN CAST(x AS DOUBLE) = 0 OR isnan(CAST(x AS DOUBLE))
       THEN error('Cannot divide by zero or NaN: ' || CAST(x AS VARCHAR))
       ELSE to_milliseconds(CAST(trunc(CAST(epoch_us(i) // 1000 AS DOUBLE)
                                       / CAST(x AS DOUBLE)) AS BIGINT)) END;

CREATE OR REPLACE MACRO athena_year_month_interval_div(i, x) AS
  CASE WHEN CAST(x AS DOUBLE) = 0 OR isnan(CAST(x AS DOUBLE))
       THEN error('Cannot divide by zero or NaN: ' || CAST(x AS VARCHAR))
       ELSE to_months(CAST(trunc(CAST(datepart('year', i) * 12 + datepart('month', i) AS DOUBLE)
                                 / CAST(x AS DOUBLE)) AS INTEGER)) END;

-- DATE ± a day-to-second interval (rules/dates.py date_arith): the DATE when the interval is
-- whole days, else Trino's error (DateOperators).
CREATE OR REPLACE MACRO athena_whole_days(i, value, message) AS
  CASE WHEN epoch_us(i) % 86400000000 <> 0 THEN error(message) ELSE value END;

-- parse_duration(s) (rules/dates.py): airlift's Duration.valueOf — a number and a unit
-- (ns us ms s m h d, case-sensitive), spaces allowed around them — rounded to milliseconds.
CREATE OR REPLACE MACRO athena_parse_duration(s) AS
  CASE WHEN s IS NULL THEN NULL
       WHEN s = '' THEN error('duration is empty')
       WHEN NOT regexp_full_match(s, '\s*\d+(\.\d+)?\s*[a-zA-Z]+\s*')
       THEN error('duration is not a valid data duration string: ' || s)
       ELSE to_milliseconds(CAST(floor(
         CAST(regexp_extract(s, '(\d+(\.\d+)?)', 1) AS DOUBLE)
         * CASE regexp_extract(s, '([a-zA-Z]+)', 1)
             WHEN 'ns' THEN 1e-6 WHEN 'us' THEN 1e-3 WHEN 'ms' THEN 1.0 WHEN 's' THEN 1e3
             WHEN 'm' THEN 6e4 WHEN 'h' THEN 3.6e6 WHEN 'd' THEN 8.64e7
             ELSE error('Unknown time unit: ' || regexp_extract(s, '([a-zA-Z]+)', 1)) END
         + 0.5) AS BIGINT)) END;

-- A TIMESTAMP(7..9) WITH TIME ZONE (a TIMESTAMP_NS instant, rules/zones.py) as the query
-- returns it: a TIMESTAMPTZ of the microseconds, cut (floor: DuckDB's // truncates toward
-- zero), not rounded as a CAST would.
CREATE OR REPLACE MACRO athena_nanos_out(x) AS
  CAST(make_timestamp((epoch_ns(x) - ((epoch_ns(x) % 1000) + 1000) % 1000) // 1000)
       AS TIMESTAMPTZ);
