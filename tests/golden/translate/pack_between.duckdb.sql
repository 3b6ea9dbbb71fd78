WITH params AS (
  SELECT
    STR_SPLIT($1, ',') AS vpc_cidrs,
    STR_SPLIT($2, ',') AS peer_cidrs,
    $3 AS direction
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
        CASE
          WHEN p.vpc_cidrs IS NULL
          THEN NULL
          ELSE LIST_EXTRACT(
            [FALSE, NULL, TRUE],
            COALESCE(
              LIST_MAX(
                LIST_TRANSFORM(
                  LIST_TRANSFORM(p.vpc_cidrs, LAMBDA c : TRIM(c)),
                  LAMBDA c : COALESCE(CAST((
                    ATHENA_CONTAINS(c, ATHENA_TRY_IPADDRESS(w.srcaddr))
                  ) AS INT) * 2, 1)
                )
              ),
              0
            ) + 1
          )
        END
      )
      AND (
        CASE
          WHEN p.peer_cidrs IS NULL
          THEN NULL
          ELSE LIST_EXTRACT(
            [FALSE, NULL, TRUE],
            COALESCE(
              LIST_MAX(
                LIST_TRANSFORM(
                  LIST_TRANSFORM(p.peer_cidrs, LAMBDA c : TRIM(c)),
                  LAMBDA c : COALESCE(CAST((
                    ATHENA_CONTAINS(c, ATHENA_TRY_IPADDRESS(w.dstaddr))
                  ) AS INT) * 2, 1)
                )
              ),
              0
            ) + 1
          )
        END
      )
    )
    OR (
      p.direction IN ('both', 'inbound')
      AND (
        CASE
          WHEN p.peer_cidrs IS NULL
          THEN NULL
          ELSE LIST_EXTRACT(
            [FALSE, NULL, TRUE],
            COALESCE(
              LIST_MAX(
                LIST_TRANSFORM(
                  LIST_TRANSFORM(p.peer_cidrs, LAMBDA c : TRIM(c)),
                  LAMBDA c : COALESCE(CAST((
                    ATHENA_CONTAINS(c, ATHENA_TRY_IPADDRESS(w.srcaddr))
                  ) AS INT) * 2, 1)
                )
              ),
              0
            ) + 1
          )
        END
      )
      AND (
        CASE
          WHEN p.vpc_cidrs IS NULL
          THEN NULL
          ELSE LIST_EXTRACT(
            [FALSE, NULL, TRUE],
            COALESCE(
              LIST_MAX(
                LIST_TRANSFORM(
                  LIST_TRANSFORM(p.vpc_cidrs, LAMBDA c : TRIM(c)),
                  LAMBDA c : COALESCE(CAST((
                    ATHENA_CONTAINS(c, ATHENA_TRY_IPADDRESS(w.dstaddr))
                  ) AS INT) * 2, 1)
                )
              ),
              0
            ) + 1
          )
        END
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
