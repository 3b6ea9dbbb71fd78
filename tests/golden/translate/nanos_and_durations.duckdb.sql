SELECT
  ATHENA_NANOS_OUT(MAKE_TIMESTAMP_NS(CAST("start" * 1000000000 AS BIGINT))) AS started_ns,
  CAST((
    CAST('2001-08-22 03:04:05.321' AS TIMESTAMP) - INTERVAL (-660) MINUTE
  ) AS TIMESTAMPTZ) AS iso_instant,
  ATHENA_PARSE_DURATION('1.5h') AS duration,
  ATHENA_DAY_TIME_INTERVAL_DIV(INTERVAL '3' DAY, 2.5) AS fraction_of_days,
  ATHENA_WHOLE_DAYS(
    INTERVAL '24' HOUR,
    CAST(CAST('2024-01-31' AS DATE) + INTERVAL '24' HOUR AS DATE),
    'Cannot add hour, minutes or seconds to a date'
  ) AS next_day
FROM vpcflowlogstable
