-- name: sg_connections
-- title: Connection starts per network interface
-- description: Accepted connections as each ENI saw them start: one row per ENI, day,
--   initiator (srcaddr), responder (dstaddr), protocol and destination port; the input of
--   security-group rule usage (`vpc-cidr-analysis usage rules`). A TCP record starts a
--   connection when tcp-flags has SYN without SYN-ACK (evidence syn); without tcp-flags,
--   and for UDP and other protocols with ports, when its destination port is below its
--   source port (evidence port; a connection's records over several aggregation intervals
--   count once: distinct client ports). Records with no or equal ports (ICMP, ICMPv6) show no
--   initiator: both directions are returned (evidence pair) for `usage rules` to resolve.
--   Replies and REJECT records never count.
-- param: start_day | day | default '' | example 2026/11/01 | First day (yyyy/MM/dd); '' means use days.
-- param: days | int 1..3660 | default 10 | example 10 | When start_day is '': the N days ending at end_day (today included when end_day is '').
-- param: end_day | day | default '' | example 2026/11/27 | Last day (yyyy/MM/dd); '' means today.
-- column: interface_id | varchar | Network interface (eni-…) that logged the records.
-- column: day | varchar | Partition day (yyyy/MM/dd).
-- column: flow_direction | varchar | ingress or egress as logged (NULL without the field).
-- column: srcaddr | varchar | Initiator (for evidence pair: the record's source).
-- column: dstaddr | varchar | Responder (for evidence pair: the record's destination).
-- column: protocol | bigint | IANA protocol number.
-- column: dstport | integer | Service port (0 for ICMP).
-- column: evidence | varchar | syn, port or pair: how the start was recognised.
-- column: connections | bigint | Connection starts (SYN records; for evidence port, distinct client ports).
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
  SELECT w.*,
         CASE WHEN w.protocol = 6 AND w.tcp_flags IS NOT NULL THEN 'syn'
              WHEN coalesce(w.srcport, 0) = coalesce(w.dstport, 0) THEN 'pair'
              ELSE 'port' END AS evidence
  FROM records w
  WHERE w.action = 'ACCEPT'
    AND (CASE WHEN w.protocol = 6 AND w.tcp_flags IS NOT NULL
              THEN bitwise_and(w.tcp_flags, 18) = 2
              ELSE coalesce(w.dstport, 0) <= coalesce(w.srcport, 0) END)
)
SELECT interface_id, day, flow_direction, srcaddr, dstaddr, protocol, dstport, evidence,
       CASE evidence WHEN 'port' THEN count(DISTINCT srcport) ELSE count(*) END AS connections,
       from_unixtime(min("start")) AS first_seen, from_unixtime(max("end")) AS last_seen
FROM matched
GROUP BY interface_id, day, flow_direction, srcaddr, dstaddr, protocol, dstport, evidence
ORDER BY interface_id, day, srcaddr, dstaddr, protocol, dstport, evidence
