SELECT
  STRFTIME(TO_TIMESTAMP("start"), '%G-W%V %A g') AS week,
  STRPTIME('1970 ' || '17 12:35' || ' AM', '%Y %d %I:%M %p') AS no_year,
  CASE
    WHEN YEAR(STRPTIME('31-MAY-69', '%d-%b-%y')) = 1969
    THEN STRPTIME('31-MAY-69', '%d-%b-%y') + INTERVAL 100 YEAR
    ELSE STRPTIME('31-MAY-69', '%d-%b-%y')
  END AS two_digit_year,
  STRFTIME(TO_TIMESTAMP("start"), '%Y/%m/%d ') || LPAD(CAST(HOUR(TO_TIMESTAMP("start")) % 12 AS TEXT), 2, '0') || STRFTIME(TO_TIMESTAMP("start"), ':%M') AS half_day_clock
FROM vpcflowlogstable
