SELECT TO_DATE(day, 'yyyy/mm/dd') AS d,
       TO_DATE('2024-06-05 10:11:12', 'yyyy-mm-dd hh24:mi:ss') AS parsed,
       to_char(from_unixtime("start"), 'yyyy/mm/dd hh24:mi') AS started
FROM vpcflowlogstable
