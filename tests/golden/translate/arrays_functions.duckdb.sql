SELECT
  ATHENA_ARRAYS_OVERLAP([srcport, dstport], [22, 3389]) AS admin_port,
  ATHENA_ARRAY_MIN([srcport, dstport]) AS low_port,
  ATHENA_ARRAY_MAX([srcport, dstport]) AS high_port,
  ATHENA_ARRAY_POSITION(['ACCEPT', 'REJECT'], action) AS action_code,
  ATHENA_ARRAY_EQ1([srcport, dstport], [dstport, srcport]) AS "symmetric",
  ATHENA_ARRAY_APPEND([protocol], srcport) AS protocol_port,
  ATHENA_ARRAY_JOIN(STR_SPLIT(srcaddr, '.'), v.sep) AS dashed,
  ATHENA_SLICE(ATHENA_SEQUENCE(1, 10, 3), 2, 2) AS steps,
  ATHENA_SEQUENCE_DATE(
    CAST('2026-11-01' AS DATE),
    CAST('2026-11-03' AS DATE),
    CASE
      WHEN CAST('2026-11-03' AS DATE) >= CAST('2026-11-01' AS DATE)
      THEN INTERVAL '1' DAY
      ELSE -INTERVAL '1' DAY
    END
  ) AS days,
  ATHENA_JSON_ARRAY1([srcport, NULL]) AS ports_json
FROM vpcflowlogstable, (VALUES
  ('-')) AS v(sep)
