SELECT
  ATHENA_ARRAYS_OVERLAP([srcport, dstport], [22, 3389]) AS admin_port,
  ATHENA_ARRAY_MIN([srcport, dstport]) AS low_port,
  ATHENA_ARRAY_MAX([srcport, dstport]) AS high_port,
  ATHENA_ARRAY_POSITION(['ACCEPT', 'REJECT'], action) AS action_code,
  ATHENA_ARRAY_EQ1([srcport, dstport], [dstport, srcport]) AS "symmetric",
  ATHENA_ARRAY_APPEND([protocol], srcport) AS protocol_port,
  ATHENA_ARRAY_JOIN(STR_SPLIT(srcaddr, '.'), v.sep) AS dashed,
  ATHENA_SLICE(ATHENA_SEQUENCE(1, 10, 3), 2, 2) AS steps,
  ATHENA_SEQUENCE_DATE(
    CAST('2026-11-01' AS DATE),
    CAST('2026-11-03' AS DATE),
    CASE
      WHEN CAST('2026-11-03' AS DATE) >= CAST('2026-11-01' AS DATE)
      THEN INTERVAL '1' DAY
      ELSE -INTERVAL '1' DAY
    END
  ) AS days,
  ATHENA_JSON_ARRAY1([srcport, NULL]) AS ports_json,
  ATHENA_SORT_BY_RANKS(
    [srcport, dstport],
    LIST_TRANSFORM(
      RANGE(1, LEN([srcport, dstport]) + 1),
      LAMBDA athena_i : LEN(
        LIST_FILTER(
          RANGE(1, LEN([srcport, dstport]) + 1),
          LAMBDA athena_j : athena_j <> athena_i
          AND (
            (
              CASE
                WHEN LIST_EXTRACT([srcport, dstport], athena_j) < LIST_EXTRACT([srcport, dstport], athena_i)
                THEN 1
                ELSE CASE
                  WHEN LIST_EXTRACT([srcport, dstport], athena_j) = LIST_EXTRACT([srcport, dstport], athena_i)
                  THEN 0
                  ELSE -1
                END
              END
            ) < 0
            OR (
              athena_j < athena_i
              AND (
                CASE
                  WHEN LIST_EXTRACT([srcport, dstport], athena_j) < LIST_EXTRACT([srcport, dstport], athena_i)
                  THEN 1
                  ELSE CASE
                    WHEN LIST_EXTRACT([srcport, dstport], athena_j) = LIST_EXTRACT([srcport, dstport], athena_i)
                    THEN 0
                    ELSE -1
                  END
                END
              ) = 0
            )
          )
        )
      )
    ),
    COALESCE(
      LIST_BOOL_AND(
        LIST_TRANSFORM(
          RANGE(1, LEN([srcport, dstport]) + 1),
          LAMBDA athena_i : LIST_BOOL_AND(
            LIST_TRANSFORM(
              RANGE(1, LEN([srcport, dstport]) + 1),
              LAMBDA athena_j : athena_i = athena_j
              OR COALESCE(
                (
                  CASE
                    WHEN LIST_EXTRACT([srcport, dstport], athena_j) < LIST_EXTRACT([srcport, dstport], athena_i)
                    THEN 1
                    ELSE CASE
                      WHEN LIST_EXTRACT([srcport, dstport], athena_j) = LIST_EXTRACT([srcport, dstport], athena_i)
                      THEN 0
                      ELSE -1
                    END
                  END
                ) IN (-1, 0, 1),
                FALSE
              )
            )
          )
        )
      ),
      TRUE
    )
  ) AS ports_desc
FROM vpcflowlogstable, (VALUES
  ('-')) AS v(sep)
