SELECT
  ATHENA_SUBSTR(interface_id, 5) AS eni,
  ATHENA_SUBSTR_LEN(srcaddr, 1, 3) AS head,
  REPLACE(srcaddr, '.', '-') AS dashed,
  ATHENA_REPLACE(srcaddr, '', '.') AS spread,
  LPAD(CAST(srcport AS TEXT), 5, '0') AS port,
  ATHENA_SPLIT_LIMIT(srcaddr, '.', 2) AS halves,
  ATHENA_TRIM(action) AS trimmed,
  ATHENA_VARCHAR_N(dstport, 5) AS port_text
FROM vpcflowlogstable
