WITH params AS (
  SELECT
    STR_SPLIT($1, ',') AS vpc_cidrs,
    STR_SPLIT($2, ',') AS peer_cidrs,
    $3 AS direction,
    ATHENA_NETWORKS(LIST_TRANSFORM(STR_SPLIT($2, ','), LAMBDA c : ATHENA_TRIM(c))) AS athena_networks_1,
    ATHENA_NETWORKS(LIST_TRANSFORM(STR_SPLIT($1, ','), LAMBDA c : ATHENA_TRIM(c))) AS athena_networks_2
), records AS (
  SELECT
    f.*
  FROM vpcflowlogscidrdb.vpcflowlogstable AS f
  WHERE
    f.day BETWEEN COALESCE(
      NULLIF($4, ''),
      STRFTIME(
        CAST(CAST('2026-11-27' AS DATE) - INTERVAL '1' DAY * (
          $5 - 1
        ) AS DATE),
        '%Y/%m/%d'
      )
    ) AND COALESCE(NULLIF($6, ''), STRFTIME(CAST('2026-11-27' AS DATE), '%Y/%m/%d'))
    AND f.log_status = 'OK'
), matched AS (
  SELECT
    w.*
  FROM records AS w
  CROSS JOIN params AS p
  WHERE
    (
      p.direction IN ('both', 'outbound')
      AND (
        ATHENA_ANY_NETWORK(p.athena_networks_2, ATHENA_TRY_IPADDRESS(w.srcaddr))
      )
      AND (
        ATHENA_ANY_NETWORK(p.athena_networks_1, ATHENA_TRY_IPADDRESS(w.dstaddr))
      )
    )
    OR (
      p.direction IN ('both', 'inbound')
      AND (
        ATHENA_ANY_NETWORK(p.athena_networks_1, ATHENA_TRY_IPADDRESS(w.srcaddr))
      )
      AND (
        ATHENA_ANY_NETWORK(p.athena_networks_2, ATHENA_TRY_IPADDRESS(w.dstaddr))
      )
    )
)
SELECT
  srcaddr,
  dstaddr,
  dstport,
  protocol,
  action,
  COUNT(*) AS flows,
  SUM(packets) AS packets,
  SUM(bytes) AS bytes,
  TO_TIMESTAMP(MIN("start")) AS first_seen,
  TO_TIMESTAMP(MAX("end")) AS last_seen
FROM matched
GROUP BY
  srcaddr,
  dstaddr,
  dstport,
  protocol,
  action
ORDER BY
  bytes DESC,
  srcaddr,
  dstaddr,
  dstport,
  protocol,
  action
