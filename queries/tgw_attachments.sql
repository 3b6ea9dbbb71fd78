-- name: tgw_attachments
-- title: Traffic between transit gateway attachments
-- description: What went through each transit gateway from one attachment (VPC, VPN, Direct
--   Connect, peering) to another, from Transit Gateway flow logs (tgwflowlogstable), with the
--   packets the gateway dropped by cause. A flow is logged where it enters the gateway (ingress)
--   and where it leaves (egress): each attachment pair is counted once, from its ingress records
--   when any were logged, else from its egress ones (a flow log on one attachment only).
--   NODATA and SKIPDATA records are excluded.
-- param: start_day | day | default '' | example 2026/11/01 | First day (yyyy/MM/dd); '' means use days.
-- param: days | int 1..3660 | default 10 | example 10 | When start_day is '': the N days ending at end_day (today included when end_day is '').
-- param: end_day | day | default '' | example 2026/11/27 | Last day (yyyy/MM/dd); '' means today.
-- column: tgw_id | varchar | Transit gateway the traffic went through.
-- column: tgw_attachment_id | varchar | Attachment the traffic entered the gateway by.
-- column: tgw_pair_attachment_id | varchar | Attachment it left by; NULL when the gateway dropped it (no route, blackhole).
-- column: src_vpc_id | varchar | VPC the traffic came from; NULL when not a VPC (VPN, Direct Connect).
-- column: dst_vpc_id | varchar | VPC it went to; NULL when not a VPC or dropped.
-- column: connections | bigint | Distinct flows (source and destination address and port, protocol).
-- column: packets | bigint | Packets through the gateway, each flow counted once.
-- column: bytes | bigint | Bytes through the gateway, each flow counted once.
-- column: packets_lost_no_route | bigint | Packets dropped for want of a route.
-- column: packets_lost_blackhole | bigint | Packets dropped by a blackhole route.
-- column: packets_lost_mtu_exceeded | bigint | Packets dropped as larger than the MTU.
-- column: packets_lost_ttl_expired | bigint | Packets dropped as their time to live expired.
-- column: first_seen | timestamp(3) with time zone | Start of the earliest record.
-- column: last_seen | timestamp(3) with time zone | End of the latest record.
WITH records AS (
  SELECT f.*
  FROM vpcflowlogscidrdb.tgwflowlogstable f
  WHERE f.day BETWEEN coalesce(nullif(? /* start_day */, ''),
                               date_format(coalesce(date(date_parse(nullif(? /* end_day */, ''),
                                                                    '%Y/%m/%d')),
                                                    current_date)
                                           - interval '1' day * (? /* days */ - 1), '%Y/%m/%d'))
                  AND coalesce(nullif(? /* end_day */, ''), date_format(current_date, '%Y/%m/%d'))
    AND (f.log_status = 'OK' OR (f.log_status IS NULL AND f.srcaddr <> '-'))
),
-- Each record as the attachment the flow entered by and the one it left by: an ingress record
-- is logged on the first, an egress record on the second (its pair is the first). A record
-- without flow-direction is taken as ingress. '-' (a field that does not apply) is NULL.
oriented AS (
  SELECT o.tgw_id, o.ingress,
         CASE WHEN o.ingress THEN o.attachment ELSE o.pair END AS entered,
         CASE WHEN o.ingress THEN o.pair ELSE o.attachment END AS left_by,
         nullif(o.tgw_src_vpc_id, '-') AS src_vpc_id,
         nullif(o.tgw_dst_vpc_id, '-') AS dst_vpc_id,
         o.srcaddr, o.dstaddr, o.srcport, o.dstport, o.protocol, o.packets, o.bytes,
         o.packets_lost_no_route, o.packets_lost_blackhole, o.packets_lost_mtu_exceeded,
         o.packets_lost_ttl_expired, o."start", o."end"
  FROM (
    SELECT r.*,
           coalesce(r.flow_direction, 'ingress') <> 'egress' AS ingress,
           nullif(r.tgw_attachment_id, '-') AS attachment,
           nullif(r.tgw_pair_attachment_id, '-') AS pair
    FROM records r
  ) o
),
-- Per attachment pair and VPCs: whether any ingress record was logged.
pairs AS (
  SELECT tgw_id, entered, left_by, src_vpc_id, dst_vpc_id, bool_or(ingress) AS has_ingress
  FROM oriented
  GROUP BY tgw_id, entered, left_by, src_vpc_id, dst_vpc_id
),
-- The records counted: the rows' records (the query's raw form returns them).
matched AS (
  SELECT o.*
  FROM oriented o
  JOIN pairs p
    ON p.tgw_id IS NOT DISTINCT FROM o.tgw_id
   AND p.entered IS NOT DISTINCT FROM o.entered
   AND p.left_by IS NOT DISTINCT FROM o.left_by
   AND p.src_vpc_id IS NOT DISTINCT FROM o.src_vpc_id
   AND p.dst_vpc_id IS NOT DISTINCT FROM o.dst_vpc_id
  WHERE o.ingress = p.has_ingress
),
-- One row per flow (addresses, ports, protocol) of each attachment pair.
flows AS (
  SELECT tgw_id, entered, left_by, src_vpc_id, dst_vpc_id,
         sum(packets) AS packets, sum(bytes) AS bytes,
         sum(packets_lost_no_route) AS packets_lost_no_route,
         sum(packets_lost_blackhole) AS packets_lost_blackhole,
         sum(packets_lost_mtu_exceeded) AS packets_lost_mtu_exceeded,
         sum(packets_lost_ttl_expired) AS packets_lost_ttl_expired,
         min("start") AS first_start, max("end") AS last_end
  FROM matched
  GROUP BY tgw_id, entered, left_by, src_vpc_id, dst_vpc_id,
           srcaddr, dstaddr, srcport, dstport, protocol
)
SELECT tgw_id, entered AS tgw_attachment_id, left_by AS tgw_pair_attachment_id,
       src_vpc_id, dst_vpc_id, count(*) AS connections,
       sum(packets) AS packets, sum(bytes) AS bytes,
       sum(packets_lost_no_route) AS packets_lost_no_route,
       sum(packets_lost_blackhole) AS packets_lost_blackhole,
       sum(packets_lost_mtu_exceeded) AS packets_lost_mtu_exceeded,
       sum(packets_lost_ttl_expired) AS packets_lost_ttl_expired,
       from_unixtime(min(first_start)) AS first_seen, from_unixtime(max(last_end)) AS last_seen
FROM flows
GROUP BY tgw_id, entered, left_by, src_vpc_id, dst_vpc_id
ORDER BY bytes DESC, tgw_id, tgw_attachment_id, tgw_pair_attachment_id, src_vpc_id, dst_vpc_id
