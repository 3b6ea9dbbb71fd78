SELECT sum(bytes) / 1024 AS kib, sum(bytes) / 1e3 AS kb, sum(bytes) / 1024.0 AS kib_decimal,
       bytes % 7 AS rest, avg(packets) / 2 AS half, count(*) / 2 AS pairs
FROM vpcflowlogstable
GROUP BY bytes
