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

-- ---- Strings (rules/strings.py) ----------------------------------------------------------

-- strpos(s, sub, n): the n-th (from the end for n < 0) occurrence, overlapping ones counted,
-- as Trino's indexOf(sub, previous + 1); 0 when there is none.
CREATE OR REPLACE MACRO athena_strpos(s, sub, n) AS
  CASE WHEN s IS NULL OR sub IS NULL OR n IS NULL THEN NULL
       WHEN n = 0 THEN error('''instance'' must be a positive or negative number.')
       WHEN sub = '' THEN 1
       ELSE coalesce(list_filter(range(1, length(s) - length(sub) + 2),
                                 athena_i -> substring(s, athena_i, length(sub)) = sub)[n], 0) END;

-- hamming_distance: differing code points of two strings of the same length.
CREATE OR REPLACE MACRO athena_hamming(a, b) AS
  CASE WHEN a IS NULL OR b IS NULL THEN NULL
       WHEN length(a) <> length(b)
       THEN error('The input strings to hamming_distance function must have the same length')
       ELSE len(list_filter(range(1, length(a) + 1),
                            athena_i -> substring(a, athena_i, 1) <> substring(b, athena_i, 1)))
       END;

-- codepoint(c) of a one-character string.
CREATE OR REPLACE MACRO athena_codepoint(c) AS
  CASE WHEN length(c) <> 1 THEN error('Input string must be a single character string')
       ELSE CAST(unicode(c) AS INTEGER) END;

-- levenshtein_distance over code points (DuckDB's levenshtein counts bytes): the dynamic
-- programme row by row, a list_reduce over the characters of a (elements and rows are lists).
CREATE OR REPLACE MACRO athena_levenshtein(a, b) AS
  CASE WHEN a = '' OR b = '' THEN greatest(length(a), length(b))
       WHEN greatest(length(a), length(b)) * (least(length(a), length(b)) - 1) > 1000000
       THEN error('The combined inputs for Levenshtein distance are too large')
       ELSE list_reduce(
         list_transform(string_split(a, ''), athena_c -> [CAST(unicode(athena_c) AS BIGINT)]),
         (athena_r, athena_c) -> list_reduce(
           list_transform(range(1, length(b) + 1), athena_j -> [athena_j]),
           (athena_acc, athena_j) -> list_append(athena_acc, least(
             athena_r[athena_j[1] + 1] + 1, athena_acc[-1] + 1,
             athena_r[athena_j[1]]
             + CAST(athena_c[1] <> unicode(substring(b, athena_j[1], 1)) AS BIGINT))),
           [athena_r[1] + 1]),
         range(0, length(b) + 1))[-1] END;

-- The entries of split_to_map / split_to_multimap: a trailing delimiter ends the text.
CREATE OR REPLACE MACRO athena_map_entries(s, ed) AS
  CASE WHEN s = '' THEN []
       WHEN ends_with(s, ed) THEN string_split(s, ed)[1:-2]
       ELSE string_split(s, ed) END;

CREATE OR REPLACE MACRO athena_map_delimiters(ed, kd) AS
  CASE WHEN ed = '' THEN 'entryDelimiter is empty'
       WHEN kd = '' THEN 'keyValueDelimiter is empty'
       WHEN ed = kd THEN 'entryDelimiter and keyValueDelimiter must not be the same' END;

-- An entry with no delimiter, or a second one, is an error (quoted: split_to_map's message).
CREATE OR REPLACE MACRO athena_map_entry_ok(e, kd) AS
  strpos(e, kd) > 0 AND strpos(substring(e, strpos(e, kd) + length(kd)), kd) = 0;

-- The first problem of the entries es (in order), or NULL.
CREATE OR REPLACE MACRO athena_map_problem(es, kd, q, unique_keys) AS
  list_transform([{'es': es, 'kd': kd, 'q': q, 'u': unique_keys}], athena_v ->
    list_filter(list_transform(athena_v.es, (athena_e, athena_i) ->
      CASE WHEN NOT athena_map_entry_ok(athena_e, athena_v.kd)
           THEN 'Key-value delimiter must appear exactly once in each entry. Bad input: '
                || athena_v.q || athena_e || athena_v.q
           WHEN athena_v.u AND list_contains(list_transform(athena_v.es[1:athena_i - 1],
                                                            athena_x -> split_part(athena_x, athena_v.kd, 1)),
                                             split_part(athena_e, athena_v.kd, 1))
           THEN 'Duplicate keys (' || split_part(athena_e, athena_v.kd, 1) || ') are not allowed'
           END),
      athena_p -> athena_p IS NOT NULL)[1])[1];

CREATE OR REPLACE MACRO athena_split_to_map(s, ed, kd) AS
  CASE WHEN athena_map_delimiters(ed, kd) IS NOT NULL THEN error(athena_map_delimiters(ed, kd))
       WHEN athena_map_problem(athena_map_entries(s, ed), kd, '''', true) IS NOT NULL
       THEN error(athena_map_problem(athena_map_entries(s, ed), kd, '''', true))
       ELSE list_transform([{'es': athena_map_entries(s, ed), 'kd': kd}], athena_v ->
              map_from_entries(list_transform(athena_v.es, athena_e ->
                {'key': split_part(athena_e, athena_v.kd, 1),
                 'value': substring(athena_e, strpos(athena_e, athena_v.kd)
                                              + length(athena_v.kd))})))[1]
       END;

CREATE OR REPLACE MACRO athena_split_to_multimap(s, ed, kd) AS
  CASE WHEN athena_map_delimiters(ed, kd) IS NOT NULL THEN error(athena_map_delimiters(ed, kd))
       WHEN athena_map_problem(athena_map_entries(s, ed), kd, '', false) IS NOT NULL
       THEN error(athena_map_problem(athena_map_entries(s, ed), kd, '', false))
       ELSE list_transform([{'es': athena_map_entries(s, ed), 'kd': kd}], athena_v ->
              map_from_entries(list_transform(
                list_distinct(list_transform(athena_v.es,
                                             athena_e -> split_part(athena_e, athena_v.kd, 1))),
                athena_k -> {'key': athena_k, 'value': list_transform(
                  list_filter(athena_v.es, athena_e -> split_part(athena_e, athena_v.kd, 1) = athena_k),
                  athena_e -> substring(athena_e, strpos(athena_e, athena_v.kd)
                                                  + length(athena_v.kd)))})))[1]
       END;

-- soundex as Apache Commons Codec's US English Soundex (Trino's): the letters (Java's
-- isLetter, one UTF-16 unit) upper-cased; the first kept, then the codes of the others
-- (H and W skipped, vowels 0 break a run, a repeated code dropped) up to three, '0'-padded.
-- A letter outside A-Z is an error when the encoder reaches it. Values used more than once
-- are bound once, as one-element lists given to a lambda (macros repeat their arguments).
CREATE OR REPLACE MACRO athena_soundex_code(ch) AS
  substring('01230120022455012623010202', strpos('ABCDEFGHIJKLMNOPQRSTUVWXYZ', ch), 1);

CREATE OR REPLACE MACRO athena_soundex_letters(s) AS
  string_split(upper(replace(replace(replace(replace(
    regexp_replace(s, '[^\pL]|[^\x{0}-\x{FFFF}]', '', 'g'),
    'ß', 'SS'), 'ı', 'I'), 'ſ', 'S'), 'ﬀ', 'FF')), '');

-- cs: the letters; e: positions of the letters after the first that are not H or W;
-- the kept codes' positions in e.
CREATE OR REPLACE MACRO athena_soundex_kept(cs, e) AS
  list_filter(range(1, len(e) + 1), k ->
    athena_soundex_code(cs[e[k]]) <> '0'
    AND athena_soundex_code(cs[e[k]])
        <> athena_soundex_code(CASE WHEN k = 1 THEN cs[1] ELSE cs[e[k - 1]] END));

-- The first letter outside A-Z that the encoder reaches (it stops after three codes).
CREATE OR REPLACE MACRO athena_soundex_bad(cs, e, ks) AS
  list_filter(list_prepend(1, list_transform(
      list_filter(range(1, len(e) + 1), k -> len(list_filter(ks, x -> x < k)) < 3),
      k -> e[k])),
    i -> strpos('ABCDEFGHIJKLMNOPQRSTUVWXYZ', cs[i]) = 0)[1];

CREATE OR REPLACE MACRO athena_soundex_of(cs, e, ks, bad) AS
  CASE WHEN cs = [''] THEN ''
       WHEN bad IS NOT NULL
       THEN error('The character is not mapped: ' || cs[bad]
                  || ' (index=' || (unicode(cs[bad]) - 65) || ')')
       ELSE rpad(cs[1] || array_to_string(list_transform(ks[1:3],
                                                         k -> athena_soundex_code(cs[e[k]])), ''),
                 4, '0') END;

CREATE OR REPLACE MACRO athena_soundex(s) AS
  list_transform([athena_soundex_letters(s)], athena_cs ->
    list_transform([list_filter(range(2, len(athena_cs) + 1),
                                i -> athena_cs[i] NOT IN ('H', 'W'))], athena_e ->
      list_transform([athena_soundex_kept(athena_cs, athena_e)], athena_ks ->
        list_transform([athena_soundex_bad(athena_cs, athena_e, athena_ks)], athena_bad ->
          athena_soundex_of(athena_cs, athena_e, athena_ks, athena_bad))[1])[1])[1])[1];

-- from_hex: an odd number of digits is an error (DuckDB's unhex reads a leading 0).
CREATE OR REPLACE MACRO athena_from_hex(s) AS
  CASE WHEN length(s) % 2 = 1 THEN error('invalid input length ' || length(s)) ELSE unhex(s) END;

-- from_utf8 of valid UTF-8; Trino replaces invalid sequences, which is not done here.
CREATE OR REPLACE MACRO athena_from_utf8(b) AS
  CASE WHEN octet_length(encode(decode(b, 'ignore'))) <> octet_length(b)
       THEN error('from_utf8(): invalid UTF-8 is not supported locally (Trino replaces it)')
       ELSE decode(b) END;

CREATE OR REPLACE MACRO athena_from_utf8_text(b, r) AS
  CASE WHEN length(r) > 1
       THEN error('Replacement character string must empty or a single character')
       ELSE athena_from_utf8(b) END;

CREATE OR REPLACE MACRO athena_from_utf8_code(b, r) AS
  CASE WHEN r < 0 OR r > 1114111 OR r BETWEEN 55296 AND 57343
       THEN error('Invalid replacement character')
       ELSE athena_from_utf8(b) END;

-- ---- Regular expressions (rules/regexps.py) ----------------------------------------------
-- Trino walks the matches of a pattern as Joni does: after a match, the next search starts at
-- its end, or one character further when it was empty. DuckDB's regexp_extract_all walks the
-- same way, which these macros build on (its global regexp_replace does not).

-- A Java pattern's named groups, (?<name>...), in RE2's spelling (?P<name>...).
CREATE OR REPLACE MACRO athena_re2(p) AS
  regexp_replace(p, '\(\?<([A-Za-z][A-Za-z0-9]*)>', '(?P<\1>', 'g');

-- The walking pattern: the text up to a match (skipping n characters first), then the match
-- as group 1. Its matches run back to back, so their lengths give every match's position.
CREATE OR REPLACE MACRO athena_re_walk(p, n) AS
  '(?s:\A.{' || n || '}.*?|.*?)(' || athena_re2(p) || ')';

-- The pattern itself with nine empty groups after it, so groups up to 9 can always be read.
CREATE OR REPLACE MACRO athena_re_padded(p) AS athena_re2(p) || '()()()()()()()()()';

-- The walk's matches w (whole) and m (the match in it) that are Trino's: after a non-empty
-- text before an empty match, DuckDB meets that empty match again at once; Trino moves on.
CREATE OR REPLACE MACRO athena_re_kept(w, m) AS
  list_filter(range(1, len(w) + 1),
              i -> i = 1 OR w[i] <> '' OR m[i - 1] <> '' OR w[i - 1] = '');

-- Where each match of the walk begins (0-based): after an empty one DuckDB steps over a
-- character, which no match then covers.
CREATE OR REPLACE MACRO athena_re_offsets(w) AS
  list_transform(range(1, len(w) + 1), i -> CAST(coalesce(list_sum(list_transform(w[1:i - 1],
    x -> length(x) + CASE WHEN x = '' THEN 1 ELSE 0 END)), 0) AS BIGINT));

-- The walk of s by p from character n + 1 (0-based), bound once: whole matches, matches,
-- kept ones and offsets. Values are bound as one-element lists given to a lambda, so the
-- arguments appear once and outside every lambda.
CREATE OR REPLACE MACRO athena_re_walk_of(s, p, n) AS
  list_transform([{'w': regexp_extract_all(s, athena_re_walk(p, n), 0),
                   'm': regexp_extract_all(s, athena_re_walk(p, n), 1)}], athena_v ->
    {'w': athena_v.w, 'm': athena_v.m, 'ks': athena_re_kept(athena_v.w, athena_v.m),
     'os': athena_re_offsets(athena_v.w)})[1];

-- The number of groups of a pattern (up to 8; NULL for more), read from where an extra
-- group lands after the pattern repeated zero times.
CREATE OR REPLACE MACRO athena_re_probe(p) AS
  '(?:' || athena_re2(p) || '){0}(x)()()()()()()()()';

CREATE OR REPLACE MACRO athena_re_group_count(p) AS
  list_position([
    regexp_extract('x', athena_re_probe(p), 1), regexp_extract('x', athena_re_probe(p), 2),
    regexp_extract('x', athena_re_probe(p), 3), regexp_extract('x', athena_re_probe(p), 4),
    regexp_extract('x', athena_re_probe(p), 5), regexp_extract('x', athena_re_probe(p), 6),
    regexp_extract('x', athena_re_probe(p), 7), regexp_extract('x', athena_re_probe(p), 8),
    regexp_extract('x', athena_re_probe(p), 9)], 'x') - 1;

CREATE OR REPLACE MACRO athena_regexp_count(s, p) AS
  len(athena_re_walk_of(s, p, 0).ks);

-- The n-th match's position from the kept matches' (0-based) offsets, or -1.
CREATE OR REPLACE MACRO athena_re_nth(wk, st, oc) AS
  coalesce(list_filter(list_transform(wk.ks, i ->
             wk.os[i] + length(wk.w[i]) - length(wk.m[i]) + 1), x -> x >= st)[oc], -1);

CREATE OR REPLACE MACRO athena_regexp_position(s, p, st, oc) AS
  CASE WHEN s IS NULL OR p IS NULL OR st IS NULL OR oc IS NULL THEN NULL
       WHEN st < 1 THEN error('start position cannot be smaller than 1')
       WHEN oc < 1 THEN error('occurrence cannot be smaller than 1')
       WHEN st > length(s) THEN -1
       WHEN st > 1001 THEN error('regexp_position(): a start past 1001 is not supported locally')
       ELSE list_transform([{'wk': athena_re_walk_of(s, p, st - 1), 'st': st, 'oc': oc}],
                           athena_v -> athena_re_nth(athena_v.wk, athena_v.st, athena_v.oc))[1]
       END;

-- regexp_extract_all(s, p, g) for a constant g that the rule checked against the groups.
CREATE OR REPLACE MACRO athena_regexp_extract_all(s, p, g) AS
  regexp_extract_all(s, athena_re_padded(p), g);

-- Every group (0 to 9) of every match, as lists: groups[k + 1][i].
CREATE OR REPLACE MACRO athena_re_groups(s, q) AS [
  regexp_extract_all(s, q, 0), regexp_extract_all(s, q, 1), regexp_extract_all(s, q, 2),
  regexp_extract_all(s, q, 3), regexp_extract_all(s, q, 4), regexp_extract_all(s, q, 5),
  regexp_extract_all(s, q, 6), regexp_extract_all(s, q, 7), regexp_extract_all(s, q, 8),
  regexp_extract_all(s, q, 9)];

-- The pieces of a Java replacement: \x, ${name}, $digits, $ alone, plain text.
CREATE OR REPLACE MACRO athena_re_tokens(r) AS
  regexp_extract_all(r, '\$\{[^}]*\}?|\$[0-9]*|\\.?|[^$\\]+');

-- The capture groups of a pattern's text, in order: ( and (?P<name> (escapes and classes
-- skipped), for ${name}; the rule checks this reading against the pattern when it is known.
CREATE OR REPLACE MACRO athena_re_opens(p) AS
  list_filter(regexp_extract_all(p, '\\.|\[\^?\]?(?:\\.|[^\]\\])*\]|\(\?P?<[A-Za-z][A-Za-z0-9]*>|\(\?|\('),
              t -> t = '(' OR t LIKE '(?P<%');

-- The length of the group number a $-reference means with g groups: Java takes the longest
-- number not above g.
CREATE OR REPLACE MACRO athena_re_ref_length(d, g) AS
  len(list_filter(range(1, length(d) + 1), l -> TRY_CAST(d[1:l] AS HUGEINT) <= g));

-- One replacement piece for match i (groups gs, g groups, opens os of the pattern).
CREATE OR REPLACE MACRO athena_re_piece(t, r, gs, g, os, i) AS
  CASE WHEN t = '\' OR t = '$' THEN error('Illegal replacement sequence: ' || r)
       WHEN t[1] = '\' THEN t[2:]
       WHEN t[1:2] = '${' AND (NOT ends_with(t, '}')
                               OR list_position(os, '(?P<' || t[3:-2] || '>') IS NULL)
       THEN error('Illegal replacement sequence: unknown group { ' || t[3:-2] || ' }')
       WHEN t[1:2] = '${' THEN gs[list_position(os, '(?P<' || t[3:-2] || '>') + 1][i]
       WHEN t[1] = '$' AND athena_re_ref_length(t[2:], g) = 0
       THEN error('Illegal replacement sequence: unknown group ' || t[2])
       WHEN t[1] = '$' AND TRY_CAST(t[2:athena_re_ref_length(t[2:], g) + 1] AS INTEGER) > 9
       THEN error('regexp_replace(): groups above 9 are not supported locally')
       WHEN t[1] = '$' THEN gs[TRY_CAST(t[2:athena_re_ref_length(t[2:], g) + 1] AS INTEGER) + 1][i]
                            || t[athena_re_ref_length(t[2:], g) + 2:]
       ELSE t END;

-- The text with the kept matches of walk wk replaced by the texts rs (one per kept match;
-- rs comes from DuckDB's own walk of the pattern, which must find the same matches).
CREATE OR REPLACE MACRO athena_re_splice(s, wk, rs) AS
  CASE WHEN len(rs) <> len(wk.ks)
       THEN error('regexp_replace(): the matches of this pattern cannot be walked locally')
       WHEN list_contains(list_transform(rs, x -> x IS NULL), true) THEN NULL
       WHEN len(wk.ks) = 0 THEN s
       ELSE array_to_string(list_transform(wk.ks, (i, j) ->
              substring(s, CASE WHEN j = 1 THEN 1
                                ELSE wk.os[wk.ks[j - 1]] + length(wk.w[wk.ks[j - 1]]) + 1 END,
                        wk.os[i] + length(wk.w[i]) - length(wk.m[i])
                        - CASE WHEN j = 1 THEN 0
                               ELSE wk.os[wk.ks[j - 1]] + length(wk.w[wk.ks[j - 1]]) END)
              || rs[j]), '')
            || substring(s, wk.os[wk.ks[-1]] + length(wk.w[wk.ks[-1]]) + 1) END;

-- The replacement texts, one per match: the tokens of r with the groups gs of match i.
CREATE OR REPLACE MACRO athena_re_texts(r, ts, gs, g, os) AS
  list_transform(gs[1], (x, i) ->
    array_to_string(list_transform(ts, t -> athena_re_piece(t, r, gs, g, os, i)), ''));

-- regexp_replace(s, p, r) with Java's replacement syntax read at run time; g: the groups.
CREATE OR REPLACE MACRO athena_regexp_replace(s, p, r, g) AS
  CASE WHEN s IS NULL OR p IS NULL OR r IS NULL THEN NULL
       WHEN g IS NULL
       THEN error('regexp_replace(): patterns with more than 8 groups are not supported locally')
       ELSE list_transform([{'s': s, 'r': r, 'g': g, 'wk': athena_re_walk_of(s, p, 0),
                             'gs': athena_re_groups(s, athena_re_padded(p)),
                             'ts': athena_re_tokens(r), 'os': athena_re_opens(athena_re2(p))}],
              athena_v -> athena_re_splice(athena_v.s, athena_v.wk,
                athena_re_texts(athena_v.r, athena_v.ts, athena_v.gs, athena_v.g, athena_v.os)))[1]
       END;

-- The group texts (1..g) of each match, for regexp_replace with a lambda.
CREATE OR REPLACE MACRO athena_re_match_groups(s, p, g) AS
  list_transform([{'gs': athena_re_groups(s, athena_re_padded(p)), 'g': g}], athena_v ->
    list_transform(athena_v.gs[1], (x, i) ->
      list_transform(athena_v.gs[2:athena_v.g + 1], l -> l[i])))[1];

CREATE OR REPLACE MACRO athena_regexp_replace_lambda(s, p, rs) AS
  list_transform([{'s': s, 'wk': athena_re_walk_of(s, p, 0), 'rs': rs}], athena_v ->
    athena_re_splice(athena_v.s, athena_v.wk, athena_v.rs))[1];
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
