WITH params AS (SELECT split(?, ',') AS vpc_cidrs)
SELECT f.srcaddr
FROM awsdatacatalog.vpcflowlogscidrdb.vpcflowlogstable f CROSS JOIN params p
WHERE any_match(p.vpc_cidrs, c -> contains(trim(c), TRY_CAST(f.srcaddr AS IPADDRESS)))
  AND NOT all_match(p.vpc_cidrs, c -> contains(trim(c), TRY_CAST(f.dstaddr AS IPADDRESS)))
