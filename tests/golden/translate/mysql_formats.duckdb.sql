SELECT
  STRFTIME(TO_TIMESTAMP("start"), '%Y-%m-%d %H:%M:%S') AS started,
  STRPTIME(day, '%Y/%m/%d') AS day_start,
  APPROX_COUNT_DISTINCT(srcaddr) AS sources,
  STRFTIME(TO_TIMESTAMP("end"), '%Y-%m-%d %H:%M') AS ended
FROM vpcflowlogstable
GROUP BY
  1,
  2,
  4
