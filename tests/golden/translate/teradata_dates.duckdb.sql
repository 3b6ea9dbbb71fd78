SELECT
  CAST(STRPTIME(day, '%Y/%m/%d') AS DATE) AS d,
  CAST(STRPTIME('2024-06-05 10:11:12', '%Y-%m-%d %H:%M:%S') AS DATE) AS parsed,
  STRFTIME(TO_TIMESTAMP("start"), '%Y/%m/%d %H:%M') AS started
FROM vpcflowlogstable
