WITH params AS (
  SELECT
    STR_SPLIT($1, ',') AS vpc_cidrs,
    ATHENA_NETWORKS(LIST_TRANSFORM(STR_SPLIT($1, ','), LAMBDA c : ATHENA_TRIM(c))) AS athena_networks_1
)
SELECT
  f.srcaddr
FROM vpcflowlogscidrdb.vpcflowlogstable AS f
CROSS JOIN params AS p
WHERE
  (
    ATHENA_ANY_NETWORK(p.athena_networks_1, ATHENA_TRY_IPADDRESS(f.srcaddr))
  )
  AND NOT (
    ATHENA_ALL_NETWORK(p.athena_networks_1, ATHENA_TRY_IPADDRESS(f.dstaddr))
  )
