SELECT
  ATHENA_INT_DIV(SUM(bytes), 1024) AS kib,
  SUM(bytes) / 1e3 AS kb,
  ATHENA_INT_MOD(bytes, 7) AS rest,
  AVG(packets) / 2 AS half,
  ATHENA_INT_DIV(COUNT(*), 2) AS pairs
FROM vpcflowlogstable
GROUP BY
  bytes
