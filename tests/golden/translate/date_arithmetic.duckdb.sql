SELECT
  DATE_SUB('day', TO_TIMESTAMP(MIN("start")), TO_TIMESTAMP(MAX("end"))) AS days,
  CAST(DATE_TRUNC('MONTH', CAST(STRPTIME(day, '%Y/%m/%d') AS DATE)) AS DATE) AS month,
  ISODOW(CAST(STRPTIME(day, '%Y/%m/%d') AS DATE)) AS weekday,
  CAST(CAST('2024-01-31' AS DATE) + INTERVAL '1' MONTH AS DATE) AS next_month
FROM vpcflowlogstable
GROUP BY
  day
