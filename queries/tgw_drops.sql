-- name: tgw_drops
-- title: What transit gateways dropped, and why
-- description: What did the gateway drop, and why? Packets each transit gateway lost, by cause
--   (no route, blackhole, MTU exceeded, TTL expired), per attachment it entered by, attachment
--   it was to leave by (NULL for no route and blackhole drops), VPCs, destination address, port
--   and protocol, from Transit Gateway flow logs (tgwflowlogstable). A flow is logged where it
--   enters the gateway and, when it crossed, where it leaves: each flow's losses are counted
--   once (the attachment that logged the most), never both records added up. NODATA and
--   SKIPDATA records are excluded. Most packets lost first.
-- param: start_day | day | default '' | example 2026/11/01 | First day (yyyy/MM/dd); '' means use days.
-- param: days | int 1..3660 | default 10 | example 10 | When start_day is '': the N days ending at end_day (today included when end_day is '').
-- param: end_day | day | default '' | example 2026/11/27 | Last day (yyyy/MM/dd); '' means today.
-- column: tgw_id | varchar | Transit gateway that dropped the packets.
-- column: tgw_attachment_id | varchar | Attachment the traffic entered the gateway by.
-- column: tgw_pair_attachment_id | varchar | Attachment it was to leave by; NULL when the gateway had no route for it or a blackhole route.
-- column: src_vpc_id | varchar | VPC the traffic came from; NULL when not a VPC (VPN, Direct Connect).
-- column: dst_vpc_id | varchar | VPC it went to; NULL when not a VPC or it had nowhere to go.
-- column: dstaddr | varchar | Destination address of the dropped traffic.
-- column: dstport | integer | Its destination port (0 for ICMP).
-- column: protocol | bigint | IANA protocol number (6 TCP, 17 UDP, 1 ICMP, 58 ICMPv6).
-- column: flows | bigint | Flows that lost packets: distinct source address and port.
-- column: packets_lost_no_route | bigint | Packets dropped for want of a route.
-- column: packets_lost_blackhole | bigint | Packets dropped by a blackhole route.
-- column: packets_lost_mtu_exceeded | bigint | Packets dropped as larger than the MTU.
-- column: packets_lost_ttl_expired | bigint | Packets dropped as their time to live expired.
-- column: first_seen | timestamp(3) with time zone | Start of the earliest record with a loss.
-- column: last_seen | timestamp(3) with time zone | End of the latest record with a loss.
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
-- The records counted: those with any packet lost (the raw form returns them).
matched AS (
  SELECT r.*
  FROM records r
  WHERE coalesce(r.packets_lost_no_route, 0) + coalesce(r.packets_lost_blackhole, 0)
        + coalesce(r.packets_lost_mtu_exceeded, 0) + coalesce(r.packets_lost_ttl_expired, 0) > 0
),
-- Each record as the attachment the flow entered by and the one it was to leave by: an
-- ingress record is logged on the first, an egress record on the second (its pair is the
-- first). A record without flow-direction is taken as ingress. '-' (a field that does not
-- apply) is NULL.
oriented AS (
  SELECT o.tgw_id, o.attachment,
         CASE WHEN o.ingress THEN o.attachment ELSE o.pair END AS entered,
         CASE WHEN o.ingress THEN o.pair ELSE o.attachment END AS left_by,
         nullif(o.tgw_src_vpc_id, '-') AS src_vpc_id,
         nullif(o.tgw_dst_vpc_id, '-') AS dst_vpc_id,
         o.srcaddr, o.dstaddr, o.srcport, o.dstport, o.protocol,
         o.packets_lost_no_route, o.packets_lost_blackhole, o.packets_lost_mtu_exceeded,
         o.packets_lost_ttl_expired, o."start", o."end"
  FROM (
    SELECT m.*,
           coalesce(m.flow_direction, 'ingress') <> 'egress' AS ingress,
           nullif(m.tgw_attachment_id, '-') AS attachment,
           nullif(m.tgw_pair_attachment_id, '-') AS pair
    FROM matched m
  ) o
),
-- Per flow (addresses, ports, protocol, attachments) and attachment that logged it.
logged AS (
  SELECT tgw_id, attachment, entered, left_by, src_vpc_id, dst_vpc_id,
         srcaddr, dstaddr, srcport, dstport, protocol,
         sum(packets_lost_no_route) AS packets_lost_no_route,
         sum(packets_lost_blackhole) AS packets_lost_blackhole,
         sum(packets_lost_mtu_exceeded) AS packets_lost_mtu_exceeded,
         sum(packets_lost_ttl_expired) AS packets_lost_ttl_expired,
         min("start") AS first_start, max("end") AS last_end
  FROM oriented
  GROUP BY tgw_id, attachment, entered, left_by, src_vpc_id, dst_vpc_id,
           srcaddr, dstaddr, srcport, dstport, protocol
),
-- Per flow: each cause counted once, as logged by the attachment that logged the most (a
-- drops row holds one per source address and port).
flows AS (
  SELECT tgw_id, entered, left_by, src_vpc_id, dst_vpc_id,
         srcaddr, dstaddr, srcport, dstport, protocol,
         max(packets_lost_no_route) AS packets_lost_no_route,
         max(packets_lost_blackhole) AS packets_lost_blackhole,
         max(packets_lost_mtu_exceeded) AS packets_lost_mtu_exceeded,
         max(packets_lost_ttl_expired) AS packets_lost_ttl_expired,
         min(first_start) AS first_start, max(last_end) AS last_end
  FROM logged
  GROUP BY tgw_id, entered, left_by, src_vpc_id, dst_vpc_id,
           srcaddr, dstaddr, srcport, dstport, protocol
),
drops AS (
  SELECT tgw_id, entered AS tgw_attachment_id, left_by AS tgw_pair_attachment_id,
         src_vpc_id, dst_vpc_id, dstaddr, dstport, protocol,
         count(*) AS flows,
         sum(packets_lost_no_route) AS packets_lost_no_route,
         sum(packets_lost_blackhole) AS packets_lost_blackhole,
         sum(packets_lost_mtu_exceeded) AS packets_lost_mtu_exceeded,
         sum(packets_lost_ttl_expired) AS packets_lost_ttl_expired,
         from_unixtime(min(first_start)) AS first_seen, from_unixtime(max(last_end)) AS last_seen
  FROM flows
  GROUP BY tgw_id, entered, left_by, src_vpc_id, dst_vpc_id, dstaddr, dstport, protocol
)
SELECT tgw_id, tgw_attachment_id, tgw_pair_attachment_id, src_vpc_id, dst_vpc_id, dstaddr,
       dstport, protocol, flows, packets_lost_no_route, packets_lost_blackhole,
       packets_lost_mtu_exceeded, packets_lost_ttl_expired, first_seen, last_seen
FROM drops
ORDER BY coalesce(packets_lost_no_route, 0) + coalesce(packets_lost_blackhole, 0)
         + coalesce(packets_lost_mtu_exceeded, 0) + coalesce(packets_lost_ttl_expired, 0) DESC,
         tgw_id, tgw_attachment_id, tgw_pair_attachment_id, src_vpc_id, dst_vpc_id, dstaddr,
         dstport, protocol
