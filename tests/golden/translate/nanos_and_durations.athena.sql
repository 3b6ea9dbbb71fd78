SELECT from_unixtime_nanos("start" * 1000000000) AS started_ns,
       from_iso8601_timestamp('2001-08-22T03:04:05.321-11:00') AS iso_instant,
       parse_duration('1.5h') AS duration,
       INTERVAL '3' DAY / 2.5 AS fraction_of_days,
       DATE '2024-01-31' + INTERVAL '24' HOUR AS next_day
FROM vpcflowlogstable
