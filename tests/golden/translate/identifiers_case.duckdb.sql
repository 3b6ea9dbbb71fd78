SELECT
  srcaddr,
  "dstaddr",
  COUNT(*) AS _col2,
  SUM(bytes) AS total
FROM vpcflowlogscidrdb.vpcflowlogstable
GROUP BY
  srcaddr,
  "dstaddr"
ORDER BY
  total DESC
LIMIT 10
