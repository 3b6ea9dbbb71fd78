WITH params AS (
  SELECT
    STR_SPLIT($1, ',') AS vpc_cidrs
)
SELECT
  f.srcaddr
FROM vpcflowlogscidrdb.vpcflowlogstable AS f
CROSS JOIN params AS p
WHERE
  (
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
                ATHENA_CONTAINS(c, ATHENA_TRY_IPADDRESS(f.srcaddr))
              ) AS INT) * 2, 1)
            )
          ),
          0
        ) + 1
      )
    END
  )
  AND NOT (
    CASE
      WHEN p.vpc_cidrs IS NULL
      THEN NULL
      ELSE LIST_EXTRACT(
        [FALSE, NULL, TRUE],
        COALESCE(
          LIST_MIN(
            LIST_TRANSFORM(
              LIST_TRANSFORM(p.vpc_cidrs, LAMBDA c : TRIM(c)),
              LAMBDA c : COALESCE(CAST((
                ATHENA_CONTAINS(c, ATHENA_TRY_IPADDRESS(f.dstaddr))
              ) AS INT) * 2, 1)
            )
          ),
          2
        ) + 1
      )
    END
  )
