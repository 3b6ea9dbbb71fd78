-- name: eni_usage
-- title: Traffic per network interface
-- description: Per network interface (ENI), its accepted traffic in the window: flow-log
--   records, packets and bytes sent and received, distinct peers, first and last seen.
--   Sent and received come from the flow-direction field (v5 custom formats); logs without it
--   leave them and peers NULL and still give the totals. REJECT, NODATA and SKIPDATA records
--   are left out, so an ENI missing here had no accepted traffic: `vpc-cidr-analysis usage
--   enis` compares with an inventory to list unused ENIs. Busiest first.
-- param: start_day | day | default '' | example 2026/11/01 | First day (yyyy/MM/dd); '' means use days.
-- param: days | int 1..3660 | default 10 | example 10 | When start_day is '': the N days ending at end_day (today included when end_day is '').
-- param: end_day | day | default '' | example 2026/11/27 | Last day (yyyy/MM/dd); '' means today.
-- column: interface_id | varchar | Network interface (eni-…).
-- column: vpc_id | varchar | Its VPC (NULL when the logs lack the vpc-id field).
-- column: subnet_id | varchar | Its subnet (NULL when the logs lack the subnet-id field).
-- column: instance_id | varchar | Attached instance (NULL for none, or when not logged).
-- column: flows | bigint | Accepted flow-log records.
-- column: packets_sent | bigint | Packets the ENI sent (flow-direction egress).
-- column: bytes_sent | bigint | Bytes the ENI sent.
-- column: packets_received | bigint | Packets the ENI received (flow-direction ingress).
-- column: bytes_received | bigint | Bytes the ENI received.
-- column: packets | bigint | Packets either way.
-- column: bytes | bigint | Bytes either way.
-- column: peers | bigint | Distinct addresses it exchanged traffic with.
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
         CASE WHEN w.flow_direction IN ('ingress', 'egress') THEN w.flow_direction END AS side
  FROM records w
  WHERE w.action = 'ACCEPT'
)
SELECT interface_id,
       nullif(max(vpc_id), '-') AS vpc_id,
       nullif(max(subnet_id), '-') AS subnet_id,
       nullif(max(instance_id), '-') AS instance_id,
       count(*) AS flows,
       CASE WHEN count(side) > 0
            THEN coalesce(sum(CASE WHEN side = 'egress' THEN packets END), 0) END AS packets_sent,
       CASE WHEN count(side) > 0
            THEN coalesce(sum(CASE WHEN side = 'egress' THEN bytes END), 0) END AS bytes_sent,
       CASE WHEN count(side) > 0
            THEN coalesce(sum(CASE WHEN side = 'ingress' THEN packets END), 0) END AS packets_received,
       CASE WHEN count(side) > 0
            THEN coalesce(sum(CASE WHEN side = 'ingress' THEN bytes END), 0) END AS bytes_received,
       sum(packets) AS packets,
       sum(bytes) AS bytes,
       CASE WHEN count(side) > 0
            THEN count(DISTINCT CASE WHEN side = 'egress' THEN dstaddr
                                     WHEN side = 'ingress' THEN srcaddr END) END AS peers,
       from_unixtime(min("start")) AS first_seen,
       from_unixtime(max("end")) AS last_seen
FROM matched
GROUP BY interface_id
ORDER BY bytes DESC, interface_id
