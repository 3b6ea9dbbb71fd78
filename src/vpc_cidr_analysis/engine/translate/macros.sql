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

-- The IPv4-mapped IPv6 form of an IPv4 address (::ffff:a.b.c.d), as Trino stores it.
CREATE OR REPLACE MACRO athena_ipv4_mapped(a) AS CAST('::ffff:' || host(a) AS INET);

-- Two IPADDRESS values compared as Trino orders them (-1, 0, 1): as 16 bytes, an IPv4
-- address as its IPv4-mapped IPv6 form. Within one family DuckDB's own order is that order.
CREATE OR REPLACE MACRO athena_ip_cmp(a, b) AS
  CASE WHEN family(a) = family(b) THEN CAST(a > b AS INTEGER) - CAST(a < b AS INTEGER)
       WHEN family(a) = 4
       THEN CAST(athena_ipv4_mapped(a) > b AS INTEGER) - CAST(athena_ipv4_mapped(a) < b AS INTEGER)
       ELSE CAST(a > athena_ipv4_mapped(b) AS INTEGER) - CAST(a < athena_ipv4_mapped(b) AS INTEGER)
  END;

-- CAST(varbinary AS IPADDRESS): 4 bytes are an IPv4 address, 16 an IPv6 one (IPv4-mapped
-- ones IPv4), any other length is Trino's error.
CREATE OR REPLACE MACRO athena_ipaddress_of_binary(b) AS
  CASE WHEN octet_length(b) = 4
       THEN athena_unmap_ipv4(CAST('::ffff:' || substr(hex(b), 1, 4) || ':'
                                   || substr(hex(b), 5, 4) AS INET))
       WHEN octet_length(b) = 16
       THEN athena_unmap_ipv4(CAST(array_to_string(list_transform(range(0, 8),
              i -> substr(hex(b), i * 4 + 1, 4)), ':') AS INET))
       WHEN b IS NOT NULL
       THEN error('Invalid IP address binary length: ' || octet_length(b)) END;

-- IPv6 network text whose last 32 bits are written as an IPv4 address ('64:ff9b::10.0.0.0/64')
-- with those bits as two hexadecimal groups, which DuckDB's INET parses; other text as it is.
CREATE OR REPLACE MACRO athena_ipv6_text(net) AS
  CASE WHEN strpos(net, ':') > 0 AND strpos(net, '.') > 0
        AND regexp_matches(net, '^[^/]*:\d+\.\d+\.\d+\.\d+(/.*)?$')
       THEN regexp_extract(net, '^(.*:)\d+\.\d+\.\d+\.\d+(/.*)?$', 1)
            || printf('%x:%x',
                 CAST(regexp_extract(net, ':(\d+)\.\d+\.\d+\.\d+(/.*)?$', 1) AS BIGINT) * 256
                 + CAST(regexp_extract(net, ':\d+\.(\d+)\.\d+\.\d+(/.*)?$', 1) AS BIGINT),
                 CAST(regexp_extract(net, ':\d+\.\d+\.(\d+)\.\d+(/.*)?$', 1) AS BIGINT) * 256
                 + CAST(regexp_extract(net, ':\d+\.\d+\.\d+\.(\d+)(/.*)?$', 1) AS BIGINT))
            || regexp_extract(net, '(/.*)$', 1)
       ELSE net END;

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

-- contains(network text, address) for a network from a column. Trino compares an IPv4
-- address as its IPv4-mapped IPv6 form (::ffff:a.b.c.d) with an IPv6 network, and returns
-- NULL for a NULL address whatever the network text.
CREATE OR REPLACE MACRO athena_contains(net, address) AS
  CASE WHEN address IS NULL THEN NULL
       WHEN family(address) = 4 AND strpos(net, ':') > 0
       THEN athena_ipv4_mapped(address) <<= athena_network(athena_ipv6_text(net))
       ELSE address <<= athena_network(athena_ipv6_text(net)) END;

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

-- ---------------------------------------------------------------------------------------------
-- Array functions (rules/arrays.py), with Trino's NULL rules and errors. Parameters and lambda
-- variables of macros that others call inside a lambda have names of their own (DuckDB
-- substitutes macro arguments by name, so a shared name would be captured).

-- Whether an array holds a NULL element (top level).
CREATE OR REPLACE MACRO athena_has_null(a) AS
  list_bool_or(list_transform(a, e -> e IS NULL));

-- a = b for arrays of scalars: false at a differing element or length, NULL when an element
-- pair holds a NULL and none differs (DuckDB's own = calls NULLs equal).
CREATE OR REPLACE MACRO athena_array_eq1(eq1_a, eq1_b) AS
  CASE WHEN eq1_a IS NULL OR eq1_b IS NULL THEN NULL
       WHEN len(eq1_a) <> len(eq1_b) THEN false
       ELSE list_extract([false, NULL, true], coalesce(list_min(list_transform(
              range(1, len(eq1_a) + 1),
              eq1_i -> coalesce(CAST(eq1_a[eq1_i] = eq1_b[eq1_i] AS INTEGER) * 2, 1))), 2) + 1)
  END;

-- The same for arrays of arrays of scalars (elements compared with athena_array_eq1).
CREATE OR REPLACE MACRO athena_array_eq2(eq2_a, eq2_b) AS
  CASE WHEN eq2_a IS NULL OR eq2_b IS NULL THEN NULL
       WHEN len(eq2_a) <> len(eq2_b) THEN false
       ELSE list_extract([false, NULL, true], coalesce(list_min(list_transform(
              range(1, len(eq2_a) + 1),
              eq2_i -> coalesce(CAST(athena_array_eq1(eq2_a[eq2_i], eq2_b[eq2_i]) AS INTEGER) * 2,
                                1))), 2) + 1)
  END;

-- arrays_overlap: false when either is empty, true at a common non-NULL element, else NULL
-- when either holds a NULL (Trino compares elements as IS NOT DISTINCT FROM).
CREATE OR REPLACE MACRO athena_arrays_overlap(a, b) AS
  CASE WHEN a IS NULL OR b IS NULL THEN NULL
       WHEN len(a) = 0 OR len(b) = 0 THEN false
       WHEN list_has_any(a, b) THEN true
       WHEN athena_has_null(a) OR athena_has_null(b) THEN NULL
       ELSE false END;

-- Whether an element is a floating-point NaN (false for every other type).
CREATE OR REPLACE MACRO athena_is_nan(e) AS
  typeof(e) IN ('DOUBLE', 'FLOAT') AND CAST(e AS VARCHAR) = 'nan';

-- array_min / array_max: NULL when an element is NULL; NaN only when every element is NaN.
CREATE OR REPLACE MACRO athena_array_min(a) AS
  CASE WHEN NOT athena_has_null(a)
       THEN coalesce(list_min(list_filter(a, e -> NOT athena_is_nan(e))), list_min(a)) END;

CREATE OR REPLACE MACRO athena_array_max(a) AS
  CASE WHEN NOT athena_has_null(a)
       THEN coalesce(list_max(list_filter(a, e -> NOT athena_is_nan(e))), list_max(a)) END;

-- array_position(a, x) of a scalar x: the first position holding x, 0 when none; NULL for x NULL.
CREATE OR REPLACE MACRO athena_array_position(a, x) AS
  CASE WHEN x IS NOT NULL THEN coalesce(list_position(a, x), 0) END;

-- The positions (1-based) of the elements of a (arrays of scalars) equal to x, and the first
-- one whose comparison is NULL (0: none): Trino refuses those with NOT_SUPPORTED.
CREATE OR REPLACE MACRO athena_nested_matches(a, x) AS {
  'hit': coalesce(list_position(list_transform(a, e -> e IS NOT NULL AND athena_array_eq1(e, x)),
                                true), 0),
  'unknown': coalesce(list_position(list_transform(a, e -> e IS NOT NULL
                                                   AND athena_array_eq1(e, x) IS NULL), true), 0)};

CREATE OR REPLACE MACRO athena_nested_check(m, name) AS
  CASE WHEN m.unknown > 0 AND (m.hit = 0 OR m.unknown < m.hit)
       THEN error(name || ' does not support arrays with elements that are null or contain null')
       ELSE m END;

-- array_position / contains / array_remove over an array of arrays, as Trino scans it.
CREATE OR REPLACE MACRO athena_nested_position(a, x) AS
  CASE WHEN a IS NOT NULL AND x IS NOT NULL
       THEN athena_nested_check(athena_nested_matches(a, x), 'array_position').hit END;

CREATE OR REPLACE MACRO athena_nested_contains(a, x) AS
  CASE WHEN a IS NULL OR x IS NULL THEN NULL
       WHEN athena_nested_check(athena_nested_matches(a, x), 'contains').hit > 0 THEN true
       WHEN athena_has_null(a) THEN NULL
       ELSE false END;

CREATE OR REPLACE MACRO athena_nested_remove(a, x) AS
  CASE WHEN a IS NOT NULL AND x IS NOT NULL THEN list_filter(a, e -> CASE
    WHEN e IS NULL THEN true
    WHEN athena_array_eq1(e, x) IS NULL
    THEN error('array_remove does not support arrays with elements that are null or contain null')
    ELSE NOT athena_array_eq1(e, x) END) END;

-- array_remove(a, x) of a scalar x: NULL elements stay.
CREATE OR REPLACE MACRO athena_array_remove(a, x) AS
  CASE WHEN a IS NOT NULL AND x IS NOT NULL THEN list_filter(a, e -> e IS NULL OR e <> x) END;

-- array_join(a, d[, r]) with a separator that may come from a column: NULL elements are
-- skipped (an array of only NULLs gives '') or replaced by r.
CREATE OR REPLACE MACRO athena_join_texts(texts, d) AS
  CASE WHEN len(texts) = 0 THEN '' ELSE list_reduce(texts, (x, y) -> x || d || y) END;

CREATE OR REPLACE MACRO athena_array_join(a, d) AS
  CASE WHEN a IS NOT NULL AND d IS NOT NULL THEN athena_join_texts(
    list_transform(list_filter(a, e -> e IS NOT NULL), e -> CAST(e AS VARCHAR)), d) END;

CREATE OR REPLACE MACRO athena_array_join_null(a, d, r) AS
  CASE WHEN a IS NOT NULL AND d IS NOT NULL AND r IS NOT NULL THEN athena_join_texts(
    list_transform(a, e -> coalesce(CAST(e AS VARCHAR), r)), d) END;

-- slice(a, start, length), Trino's ArraySliceFunction.
CREATE OR REPLACE MACRO athena_slice(a, s, n) AS
  CASE WHEN n < 0 THEN error('length must be greater than or equal to 0')
       WHEN s = 0 THEN error('SQL array indices start at 1')
       WHEN s < 0 AND len(a) + s + 1 < 1 THEN list_filter(a, e -> false)
       WHEN s < 0 THEN a[len(a) + s + 1 : least(len(a) + s + n, len(a))]
       ELSE a[s : least(s + n - 1, len(a))] END;

-- array_sort(a, comparator), given each element's rank under the comparator (rules/arrays.py
-- counts, for each element, the elements before it: a stable sort) and whether every result
-- was -1, 0 or 1. Elements of one rank are kept in their order when they are the same value
-- (a comparator may call two NULLs each before the other; the order is then unseen); two
-- different values of one rank mean the comparator is not a consistent order, and Trino's
-- result then depends on its sort algorithm: an error rather than some order.
CREATE OR REPLACE MACRO athena_sort_by_ranks(a, ranks, valid) AS
  CASE WHEN a IS NULL THEN NULL
       WHEN NOT valid THEN error('Lambda comparator must return either -1, 0, or 1')
       WHEN list_bool_or(list_transform(range(1, len(a) + 1), p -> list_bool_or(list_transform(
              range(1, len(a) + 1),
              q -> p <> q AND ranks[p] = ranks[q] AND a[p] IS DISTINCT FROM a[q]))))
       THEN error('array_sort(): the comparator is not a consistent order (not supported '
                  || 'locally)')
       ELSE list_transform(list_sort(list_transform(range(1, len(a) + 1),
                                                    p -> {'r': ranks[p], 'p': p})),
                           s -> a[s.p]) END;

-- array_sort(a): ascending, NULLs last.
CREATE OR REPLACE MACRO athena_array_sort(a) AS list_sort(a, 'ASC', 'NULLS LAST');

-- repeat(x, n): at most 10000 elements, and (Trino's block size of one text element, its
-- bytes plus 5) at most 1000000 bytes in all.
CREATE OR REPLACE MACRO athena_repeat(x, n) AS
  CASE WHEN n > 10000
       THEN error('count argument of repeat function must be less than or equal to 10000')
       WHEN n < 0
       THEN error('count argument of repeat function must be greater than or equal to 0')
       WHEN n > 0 AND typeof(x) = 'VARCHAR' AND strlen(CAST(x AS VARCHAR)) + 5
            > (1000000 + n) // n
       THEN error('result of repeat function must not take more than 1000000 bytes')
       ELSE list_transform(range(0, n), i -> x) END;

-- repeat(a, n) of an array: Trino's size of the one element, an array block of fixed-width
-- values (each its width plus a null byte) plus 5 bytes, is limited the same way; arrays of
-- other element types are refused at run time.
CREATE OR REPLACE MACRO athena_array_block_size(a) AS
  CASE typeof(a)
    WHEN 'BOOLEAN[]' THEN 2 WHEN 'TINYINT[]' THEN 2 WHEN 'SMALLINT[]' THEN 3
    WHEN 'INTEGER[]' THEN 5 WHEN 'FLOAT[]' THEN 5 WHEN 'DATE[]' THEN 5
    WHEN 'BIGINT[]' THEN 9 WHEN 'DOUBLE[]' THEN 9 END * len(a) + 5;

CREATE OR REPLACE MACRO athena_repeat_array(x, n) AS
  CASE WHEN n > 10000
       THEN error('count argument of repeat function must be less than or equal to 10000')
       WHEN n < 0
       THEN error('count argument of repeat function must be greater than or equal to 0')
       WHEN n > 0 AND x IS NOT NULL AND athena_array_block_size(x) IS NULL
       THEN error('repeat() of an array of ' || typeof(x) || ' is not supported locally')
       WHEN n > 0 AND x IS NOT NULL AND athena_array_block_size(x) > (1000000 + n) // n
       THEN error('result of repeat function must not take more than 1000000 bytes')
       ELSE list_transform(range(0, n), i -> x) END;

-- sequence(start, stop, step) of integers, Trino's SequenceFunction.
CREATE OR REPLACE MACRO athena_sequence_check(start, stop, step) AS
  CASE WHEN step = 0 THEN error('step must not be zero')
       WHEN (step > 0 AND stop < start) OR (step < 0 AND stop > start)
       THEN error('sequence stop value should be greater than or equal to start value if step '
                  || 'is greater than zero otherwise stop should be less than or equal to start')
       WHEN (CAST(stop AS HUGEINT) - start) // step + 1 > 10000
       THEN error('result of sequence function must not have more than 10000 entries')
       ELSE (CAST(stop AS HUGEINT) - start) // step + 1 END;

CREATE OR REPLACE MACRO athena_sequence(start, stop, step) AS
  CASE WHEN start IS NOT NULL AND stop IS NOT NULL AND step IS NOT NULL
       THEN list_transform(range(0, CAST(athena_sequence_check(start, stop, step) AS BIGINT)),
                           i -> CAST(start + i * step AS BIGINT)) END;

-- The whole months from timestamp s to e (Joda's monthsBetween: e before s plus them).
CREATE OR REPLACE MACRO athena_months_between(s, e) AS
  date_diff('month', s, e)
  - CASE WHEN date_diff('month', s, e) > 0 AND s + to_months(date_diff('month', s, e)) > e THEN 1
         WHEN date_diff('month', s, e) < 0 AND s + to_months(date_diff('month', s, e)) < e
         THEN -1 ELSE 0 END;

-- sequence(s, e, step) of timestamps: a year-month step counts months from s, a day-second
-- step microseconds.
CREATE OR REPLACE MACRO athena_sequence_months(s, e, m) AS
  CASE WHEN (m > 0 AND e < s) OR (m < 0 AND e > s)
       THEN error('sequence stop value should be greater than or equal to start value if step '
                  || 'is greater than zero otherwise stop should be less than or equal to start')
       ELSE list_transform(
              range(0, CAST(athena_sequence_check(0, athena_months_between(s, e), m) AS BIGINT)),
              i -> s + to_months(CAST(i * m AS INTEGER))) END;

CREATE OR REPLACE MACRO athena_sequence_micros(s, e, us) AS
  list_transform(range(0, CAST(athena_sequence_check(epoch_us(s), epoch_us(e), us) AS BIGINT)),
                 i -> s + to_microseconds(i * us));

CREATE OR REPLACE MACRO athena_sequence_timestamp(s, e, step) AS
  CASE WHEN s IS NULL OR e IS NULL OR step IS NULL THEN NULL
       WHEN datepart('year', step) * 12 + datepart('month', step) <> 0
       THEN athena_sequence_months(s, e, datepart('year', step) * 12 + datepart('month', step))
       ELSE athena_sequence_micros(s, e, epoch_us(step)) END;

-- sequence(d1, d2[, step]) of dates: a day-second step must be whole days.
CREATE OR REPLACE MACRO athena_sequence_date(s, e, step) AS
  CASE WHEN datepart('year', step) * 12 + datepart('month', step) = 0
        AND epoch_us(step) % 86400000000 <> 0
       THEN error('sequence step must be a day interval if start and end values are dates')
       ELSE CAST(athena_sequence_timestamp(CAST(s AS TIMESTAMP), CAST(e AS TIMESTAMP), step)
                 AS DATE[]) END;

-- a || b of two arrays, a || x and x || a of an array and an element: NULL when either is
-- NULL; the element types are unified as Trino coerces them (DECIMAL(2,1) with DECIMAL(18,3)).
CREATE OR REPLACE MACRO athena_array_concat(a, b) AS
  CASE WHEN a IS NOT NULL AND b IS NOT NULL THEN flatten([a, b]) END;

CREATE OR REPLACE MACRO athena_array_append(a, x) AS
  CASE WHEN a IS NOT NULL AND x IS NOT NULL THEN flatten([a, [x]]) END;

CREATE OR REPLACE MACRO athena_array_prepend(x, a) AS
  CASE WHEN a IS NOT NULL AND x IS NOT NULL THEN flatten([[x], a]) END;

-- A max_by / min_by key: NaN as NULL, which the aggregate passes over (Trino's NaN never wins).
CREATE OR REPLACE MACRO athena_nan_as_null(k) AS
  CASE WHEN NOT athena_is_nan(k) THEN k END;

-- CAST(x AS JSON) of a scalar, as Trino writes it: numbers and decimals as their text (with
-- the decimal's scale), booleans true/false, text and dates as JSON strings, NULL as null.
-- Doubles, timestamps, maps and rows are refused before this (rules/arrays.py).
CREATE OR REPLACE MACRO athena_json_scalar(json_x) AS
  CASE WHEN json_x IS NULL THEN 'null'
       WHEN typeof(json_x) IN ('VARCHAR', 'DATE')
       THEN CAST(to_json(CAST(json_x AS VARCHAR)) AS VARCHAR)
       WHEN typeof(json_x) IN ('BOOLEAN', 'TINYINT', 'SMALLINT', 'INTEGER', 'BIGINT', 'HUGEINT')
         OR typeof(json_x) LIKE 'DECIMAL(%'
       THEN CAST(json_x AS VARCHAR)
       ELSE error('CAST to JSON of ' || typeof(json_x) || ' is not supported locally') END;

-- CAST(a AS JSON) of an array of scalars, and of an array of arrays of scalars.
CREATE OR REPLACE MACRO athena_json_array1(json_a) AS
  CASE WHEN json_a IS NOT NULL THEN '[' || athena_join_texts(
    list_transform(json_a, json_e -> athena_json_scalar(json_e)), ',') || ']' END;

CREATE OR REPLACE MACRO athena_json_array2(json_a2) AS
  CASE WHEN json_a2 IS NOT NULL THEN '[' || athena_join_texts(
    list_transform(json_a2, json_e2 -> coalesce(athena_json_array1(json_e2), 'null')), ',')
    || ']' END;

-- The NULL-returning forms of the integer division macros, for try() (DuckDB's TRY does not
-- take error(), which is volatile).
CREATE OR REPLACE MACRO athena_int_div_or_null(a, b) AS
  CASE WHEN b <> 0 THEN a // b END;

CREATE OR REPLACE MACRO athena_int_mod_or_null(a, b) AS
  CASE WHEN b <> 0 THEN a % b END;

CREATE OR REPLACE MACRO athena_round_div_or_null(n, d) AS
  CASE WHEN d <> 0 THEN sign(n) * sign(d) * ((abs(n) * 2 + abs(d)) // (abs(d) * 2)) END;

-- CAST(double AS VARCHAR) as Trino writes it (DecimalFormat "0.0###################E0" of
-- the shortest digits, which DuckDB's own text has): 2.1 is '2.1E0', 100 '1.0E2', 0.001
-- '1.0E-3'. athena_double_parts splits DuckDB's text ('2.1', '1e+308') into the significant
-- digits and the power of ten of the first one.
CREATE OR REPLACE MACRO athena_double_parts(dd_text) AS {
  'sig': rtrim(ltrim(regexp_replace(regexp_extract(dd_text, '^[0-9.]+'), '\.', ''), '0'), '0'),
  'exp': length(split_part(regexp_extract(dd_text, '^[0-9.]+'), '.', 1)) - 1
         - (length(regexp_replace(regexp_extract(dd_text, '^[0-9.]+'), '\.', ''))
            - length(ltrim(regexp_replace(regexp_extract(dd_text, '^[0-9.]+'), '\.', ''), '0')))
         + coalesce(TRY_CAST(regexp_extract(dd_text, 'e([-+]?[0-9]+)$', 1) AS INTEGER), 0)};

CREATE OR REPLACE MACRO athena_double_sci(dd_sign, dd_parts) AS
  dd_sign || substr(dd_parts.sig, 1, 1) || '.'
  || CASE WHEN length(dd_parts.sig) > 1 THEN substr(dd_parts.sig, 2) ELSE '0' END
  || 'E' || dd_parts.exp;

CREATE OR REPLACE MACRO athena_double_varchar(dd_x) AS
  CASE WHEN dd_x IS NULL THEN NULL
       WHEN isnan(dd_x) THEN 'NaN'
       WHEN isinf(dd_x) THEN CASE WHEN dd_x > 0 THEN 'Infinity' ELSE '-Infinity' END
       WHEN dd_x = 0 THEN CASE WHEN CAST(dd_x AS VARCHAR) LIKE '-%' THEN '-0E0' ELSE '0E0' END
       ELSE athena_double_sci(CASE WHEN dd_x < 0 THEN '-' ELSE '' END,
                              athena_double_parts(CAST(abs(dd_x) AS VARCHAR))) END;

-- sqrt / ln of a negative number (and ln of 0) are NaN / -Infinity in Trino (Java's Math),
-- errors in DuckDB.
CREATE OR REPLACE MACRO athena_sqrt(x) AS
  CASE WHEN x < 0 THEN CAST('NaN' AS DOUBLE) ELSE sqrt(x) END;

CREATE OR REPLACE MACRO athena_ln(x) AS
  CASE WHEN x < 0 THEN CAST('NaN' AS DOUBLE) WHEN x = 0 THEN CAST('-Infinity' AS DOUBLE)
       ELSE ln(x) END;
