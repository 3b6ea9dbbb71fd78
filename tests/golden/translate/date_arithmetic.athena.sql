SELECT date_diff('day', from_unixtime(min("start")), from_unixtime(max("end"))) AS days,
       date_trunc('month', TO_DATE(day, 'yyyy/mm/dd')) AS month,
       extract(dow FROM TO_DATE(day, 'yyyy/mm/dd')) AS weekday,
       DATE '2024-01-31' + interval '1' month AS next_month
FROM vpcflowlogstable
GROUP BY day
