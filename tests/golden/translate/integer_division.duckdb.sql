SELECT
  ATHENA_INT_DIV(SUM(bytes), 1024) AS kib,
  SUM(bytes) / 1e3 AS kb,
  (
    CAST(ATHENA_ROUND_DIV(CAST((
      SUM(bytes)
    ) AS INT128) * 100, CAST(10240 AS INT128)) AS DECIMAL(38, 0)) * 0.1
  ) AS kib_decimal,
  ATHENA_INT_MOD(bytes, 7) AS rest,
  AVG(packets) / 2 AS half,
  ATHENA_INT_DIV(COUNT(*), 2) AS pairs
FROM vpcflowlogstable
GROUP BY
  bytes
