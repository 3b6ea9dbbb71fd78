SELECT index(interface_id, '-') AS dash_at,
       char2hexint(action) AS action_hex,
       last_day_of_month(from_unixtime("start")) AS month_end
FROM vpcflowlogstable
