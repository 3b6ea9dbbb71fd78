-- name: eni_ports
-- title: Listening ports per network interface
-- description: Ports on which each ENI accepted connections that others started (inbound,
--   by flow-direction). A TCP record starts a connection when tcp-flags has SYN without
--   SYN-ACK; without tcp-flags, and for UDP, when its destination port is below its source
--   port (the service port is the lower one). Replies and REJECT records never count. ICMP
--   has no ports and is left out. Needs the flow-direction field (v5 custom formats): with
--   older formats use `vpc-cidr-analysis usage enis`, which reads direction from an inventory.
-- param: start_day | day | default '' | example 2026/11/01 | First day (yyyy/MM/dd); '' means use days.
-- param: days | int 1..3660 | default 10 | example 10 | When start_day is '': the N days ending at end_day (today included when end_day is '').
-- param: end_day | day | default '' | example 2026/11/27 | Last day (yyyy/MM/dd); '' means today.
-- column: interface_id | varchar | Network interface (eni-…).
-- column: protocol | bigint | IANA protocol number (6 TCP, 17 UDP).
-- column: port | integer | Destination port the ENI accepted connections on.
-- column: connections | bigint | Connection starts (records) accepted on it.
-- column: clients | bigint | Distinct source addresses.
-- column: first_seen | timestamp(3) with time zone | Start of the earliest record.
-- column: last_seen | timestamp(3) with time zone | End of the latest record.
WITH records AS (
  SELECT f.*
  FROM vpcflowlogscidrdb.vpcflowlogstable f
  WHERE f.day BETWEEN coalesce(nullif(? /* start_day */, ''),
                               date_format(coalesce(date(date_parse(nullif(? /* end_day */, ''),
                                                                    '%Y/%m/%d')),
                                                    current_date)
                                           - interval '1' day * (? /* days */ - 1), '%Y/%m/%d'))
                  AND coalesce(nullif(? /* end_day */, ''), date_format(current_date, '%Y/%m/%d'))
    AND f.log_status = 'OK'
),
matched AS (
  SELECT w.*
  FROM records w
  WHERE w.action = 'ACCEPT'
    AND w.flow_direction = 'ingress'
    AND w.protocol NOT IN (1, 58)
    AND (CASE WHEN w.protocol = 6 AND w.tcp_flags IS NOT NULL
              THEN bitwise_and(w.tcp_flags, 18) = 2
              ELSE w.dstport < w.srcport END)
)
SELECT interface_id, protocol, dstport AS port,
       count(*) AS connections, count(DISTINCT srcaddr) AS clients,
       from_unixtime(min("start")) AS first_seen, from_unixtime(max("end")) AS last_seen
FROM matched
GROUP BY interface_id, protocol, dstport
ORDER BY interface_id, protocol, port
