SELECT from_unixtime("start", 'Asia/Tokyo') AS started,
       date_format(from_unixtime("start", 'Asia/Tokyo'), '%Y-%m-%d %H:%i') AS tokyo_time,
       hour(TIMESTAMP '2001-01-09 13:04:05.321 +07:09') AS offset_hour,
       date(with_timezone(TIMESTAMP '2001-08-22 23:04:05', 'America/New_York')) AS ny_day,
       from_unixtime("start", 5, 30) = from_unixtime("start") AS same_instant,
       ARRAY[TIME '01:02:03.456-08:00'] < ARRAY[TIME '10:20:30.456-08:00'] AS earlier
FROM vpcflowlogstable
