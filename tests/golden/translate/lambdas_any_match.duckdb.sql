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
    CASE LIST_MAX(
        LIST_TRANSFORM(
          p.vpc_cidrs,
          LAMBDA c : COALESCE(
            CAST((
              ATHENA_CONTAINS(TRIM(c), ATHENA_TRY_IPADDRESS(f.srcaddr))
            ) AS INT) * 2,
            1
          )
        )
      )
      WHEN 2
      THEN TRUE
      WHEN 1
      THEN NULL
      WHEN 0
      THEN FALSE
      ELSE CASE WHEN p.vpc_cidrs IS NULL THEN NULL ELSE FALSE END
    END
  )
  AND NOT (
    CASE LIST_MIN(
        LIST_TRANSFORM(
          p.vpc_cidrs,
          LAMBDA c : COALESCE(
            CAST((
              ATHENA_CONTAINS(TRIM(c), ATHENA_TRY_IPADDRESS(f.dstaddr))
            ) AS INT) * 2,
            1
          )
        )
      )
      WHEN 2
      THEN TRUE
      WHEN 1
      THEN NULL
      WHEN 0
      THEN FALSE
      ELSE CASE WHEN p.vpc_cidrs IS NULL THEN NULL ELSE TRUE END
    END
  )
