SELECT current_date, now(), current_timestamp, localtimestamp,
       date_add('day', -9, current_date) AS first_day,
       current_date - interval '1' day * (? - 1) AS window_start
