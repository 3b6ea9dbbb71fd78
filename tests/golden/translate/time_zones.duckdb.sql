SELECT
  ATHENA_ZONE_CHECKED(TO_TIMESTAMP("start"), 'Asia/Tokyo') AS started,
  STRFTIME(
    TIMEZONE('Asia/Tokyo', ATHENA_ZONE_CHECKED(TO_TIMESTAMP("start"), 'Asia/Tokyo')),
    '%Y-%m-%d %H:%M'
  ) AS tokyo_time,
  HOUR(
    (
      CAST(CAST((
        CAST('2001-01-09 13:04:05.321' AS TIMESTAMP) - INTERVAL 429 MINUTE
      ) AS TIMESTAMPTZ) AS TIMESTAMP) + INTERVAL 429 MINUTE
    )
  ) AS offset_hour,
  CAST(TIMEZONE(
    'America/New_York',
    TIMEZONE('America/New_York', CAST(CAST('2001-08-22 23:04:05' AS TIMESTAMP) AS TIMESTAMP))
  ) AS DATE) AS ny_day,
  ATHENA_OFFSET_CHECKED(TO_TIMESTAMP("start"), 5, 30) = TO_TIMESTAMP("start") AS same_instant,
  [CAST('01:02:03.456-08:00' AS TIMETZ)] < [CAST('10:20:30.456-08:00' AS TIMETZ)] AS earlier
FROM vpcflowlogstable
