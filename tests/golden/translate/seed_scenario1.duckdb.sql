SELECT
  *
FROM vpcflowlogscidrdb.vpcflowlogstable
WHERE
  NOT (
    dstaddr IN (
      SELECT
        ip
      FROM vpcflowlogscidrdb.cidrtable
      WHERE
        cidr = '10.0.0.0/16'
    )
    AND srcaddr IN (
      SELECT
        ip
      FROM vpcflowlogscidrdb.cidrtable
      WHERE
        cidr = '10.0.0.0/16'
    )
  )
  AND CAST(STRPTIME(day, '%Y/%m/%d') AS DATE) > CAST(CAST('2026-11-27' AS DATE) - INTERVAL '10' DAY AS DATE)
