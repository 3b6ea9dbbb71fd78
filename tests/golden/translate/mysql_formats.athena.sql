SELECT date_format(from_unixtime("start"), '%Y-%m-%d %H:%i:%s') AS started,
       date_parse(day, '%Y/%m/%d') AS day_start,
       approx_distinct(srcaddr) AS sources,
       format_datetime(from_unixtime("end"), 'yyyy-MM-dd HH:mm') AS ended
FROM vpcflowlogstable
GROUP BY 1, 2, 4
