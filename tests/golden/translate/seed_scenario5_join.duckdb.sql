SELECT
  *
FROM vpcflowlogscidrdb.vpcflowlogstable
JOIN vpcflowlogscidrdb.cidrtable
  ON srcaddr = ip
  AND cidr = '10.1.0.0/16'
  AND CAST(STRPTIME(day, '%Y/%m/%d') AS DATE) > CAST(CAST('2026-11-27' AS DATE) - INTERVAL '10' DAY AS DATE)
