SELECT
  ATHENA_REGEXP_COUNT(interface_id, '[0-9a-f]') AS hex_digits,
  ATHENA_REGEXP_POSITION(srcaddr, '\.', 1, 2) AS second_dot,
  ATHENA_REGEXP_EXTRACT_ALL(interface_id, 'e(n)i', 1) AS ns,
  ATHENA_REGEXP_REPLACE(srcaddr, '(\d+)', action, 1) AS by_column,
  ATHENA_REGEXP_REPLACE_LAMBDA(
    action,
    '(\w)(\w*)',
    LIST_TRANSFORM(
      ATHENA_RE_MATCH_GROUPS(action, '(\w)(\w*)', 2),
      LAMBDA x : UPPER(ATHENA_SUBSCRIPT(x, 1)) || LOWER(ATHENA_SUBSCRIPT(x, 2))
    )
  ) AS capitalised
FROM vpcflowlogstable
