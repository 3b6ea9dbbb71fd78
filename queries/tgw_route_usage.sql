-- name: tgw_route_usage
-- title: Transit gateway route between two networks still in use?
-- description: Does anything still use the transit gateway route between network A and network
--   B? Connections that crossed a transit gateway (not dropped) with one end in a_cidrs and the
--   other in b_cidrs, either end the client (tcp-flags, then ports, then time: the initiator
--   rule of the VPC pack), per gateway, attachments, client, server and port, last seen first.
--   From Transit Gateway flow logs (tgwflowlogstable). A flow is logged where it enters the
--   gateway and where it leaves: each connection is counted once, never both records added up.
--   NODATA and SKIPDATA records are excluded.
-- param: a_cidrs | cidr_list | required | example 10.0.0.0/16 | Network A's CIDR blocks, comma-separated (e.g. VPC-A's).
-- param: b_cidrs | cidr_list | required | example 10.1.0.0/16 | Network B's CIDR blocks, comma-separated (e.g. VPC-B's, or on premises).
-- param: start_day | day | default '' | example 2026/11/01 | First day (yyyy/MM/dd); '' means use days.
-- param: days | int 1..3660 | default 10 | example 10 | When start_day is '': the N days ending at end_day (today included when end_day is '').
-- param: end_day | day | default '' | example 2026/11/27 | Last day (yyyy/MM/dd); '' means today.
-- column: tgw_id | varchar | Transit gateway the connections went through.
-- column: client_attachment_id | varchar | Attachment on the client's side (its requests entered the gateway by it).
-- column: server_attachment_id | varchar | Attachment on the server's side (its answers entered the gateway by it).
-- column: client_vpc_id | varchar | The client's VPC; NULL when its attachment is not a VPC (VPN, Direct Connect).
-- column: server_vpc_id | varchar | The server's VPC; NULL likewise.
-- column: client | varchar | Address that started the connections.
-- column: server | varchar | Address that answered them.
-- column: server_port | integer | Port the client connected to (0 for ICMP).
-- column: protocol | bigint | IANA protocol number (6 TCP, 17 UDP, 1 ICMP, 58 ICMPv6).
-- column: connections | bigint | Connections: distinct client ports (TCP/UDP; one per pair for ICMP).
-- column: client_packets | bigint | Packets the client sent (each connection counted once: the attachment that logged the most, never ingress and egress records added up).
-- column: client_bytes | bigint | Bytes the client sent (counted once, likewise).
-- column: server_packets | bigint | Packets the server sent (counted once, likewise).
-- column: server_bytes | bigint | Bytes the server sent (counted once, likewise).
-- column: first_seen | timestamp(3) with time zone | Start of the earliest record.
-- column: last_seen | timestamp(3) with time zone | End of the latest record.
-- column: decided_by | varchar | How the client was told (the weakest over the row's connections): tcp-flags, port, time or unknown (see usage/initiator.py).
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
-- The records counted (the raw form returns them): those that crossed a gateway (a pair
-- attachment: not dropped) with one end in A and the other in B, either way. Tested per
-- record, in the one scan of the table: Athena reads a CTE once per reference.
matched AS (
  SELECT r.*
  FROM records r
  WHERE nullif(r.tgw_pair_attachment_id, '-') IS NOT NULL
    AND ((any_match(split(? /* a_cidrs */, ','), c -> contains(trim(c), TRY_CAST(r.srcaddr AS IPADDRESS)))
          AND any_match(split(? /* b_cidrs */, ','), c -> contains(trim(c), TRY_CAST(r.dstaddr AS IPADDRESS))))
      OR (any_match(split(? /* b_cidrs */, ','), c -> contains(trim(c), TRY_CAST(r.srcaddr AS IPADDRESS)))
          AND any_match(split(? /* a_cidrs */, ','), c -> contains(trim(c), TRY_CAST(r.dstaddr AS IPADDRESS)))))
),
-- Each record as a half of its connection: a = the lower (address, port) end, b = the other,
-- and the attachment on each end's side. A flow enters the gateway by its sender's attachment
-- and leaves by its receiver's: an ingress record is logged on the first (its pair is the
-- second), an egress record on the second (its pair is the first). A record without
-- flow-direction is taken as ingress. '-' (a field that does not apply) is NULL.
halves AS (
  SELECT h.*,
         CASE WHEN h.forward THEN h.srcaddr ELSE h.dstaddr END AS a,
         CASE WHEN h.forward THEN h.srcport ELSE h.dstport END AS a_port,
         CASE WHEN h.forward THEN h.dstaddr ELSE h.srcaddr END AS b,
         CASE WHEN h.forward THEN h.dstport ELSE h.srcport END AS b_port,
         CASE WHEN h.forward THEN h.entered ELSE h.left_by END AS a_attachment,
         CASE WHEN h.forward THEN h.left_by ELSE h.entered END AS b_attachment,
         CASE WHEN h.forward THEN h.src_vpc_id ELSE h.dst_vpc_id END AS a_vpc_id,
         CASE WHEN h.forward THEN h.dst_vpc_id ELSE h.src_vpc_id END AS b_vpc_id
  FROM (
    SELECT o.*,
           (o.srcaddr < o.dstaddr
            OR (o.srcaddr = o.dstaddr AND coalesce(o.srcport, 0) <= coalesce(o.dstport, 0)))
             AS forward,
           CASE WHEN o.ingress THEN o.attachment ELSE o.pair END AS entered,
           CASE WHEN o.ingress THEN o.pair ELSE o.attachment END AS left_by
    FROM (
      SELECT m.*,
             coalesce(m.flow_direction, 'ingress') <> 'egress' AS ingress,
             nullif(m.tgw_attachment_id, '-') AS attachment,
             nullif(m.tgw_pair_attachment_id, '-') AS pair,
             nullif(m.tgw_src_vpc_id, '-') AS src_vpc_id,
             nullif(m.tgw_dst_vpc_id, '-') AS dst_vpc_id
      FROM matched m
    ) o
  ) h
),
-- Per attachment that logged them (a flow log's record set, as an interface is in the VPC
-- pack) and connection: what each end sent and which end opened it (tcp-flags).
sides AS (
  SELECT tgw_id, attachment, a_attachment, b_attachment, a, a_port, b, b_port, protocol,
         max(a_vpc_id) AS a_vpc_id, max(b_vpc_id) AS b_vpc_id,
         sum(CASE WHEN forward THEN packets WHEN packets IS NOT NULL THEN 0 END) AS ab_packets,
         sum(CASE WHEN forward THEN bytes WHEN bytes IS NOT NULL THEN 0 END) AS ab_bytes,
         sum(CASE WHEN NOT forward THEN packets WHEN packets IS NOT NULL THEN 0 END) AS ba_packets,
         sum(CASE WHEN NOT forward THEN bytes WHEN bytes IS NOT NULL THEN 0 END) AS ba_bytes,
         bool_or(bitwise_and(tcp_flags, 18) = CASE WHEN forward THEN 2 ELSE 18 END) AS a_opened,
         bool_or(bitwise_and(tcp_flags, 18) = CASE WHEN forward THEN 18 ELSE 2 END) AS b_opened,
         min(CASE WHEN forward THEN "start" END) AS ab_first,
         min(CASE WHEN forward THEN NULL ELSE "start" END) AS ba_first,
         min("start") AS first_start, max("end") AS last_end
  FROM halves
  GROUP BY tgw_id, attachment, a_attachment, b_attachment, a, a_port, b, b_port, protocol
),
-- Per connection through a gateway (the VPC pack's `connections`): each direction counted
-- once, as logged by the attachment that logged the most (never the ingress and egress
-- records added up); the initiator rule (usage/initiator.py) picks the client.
links AS (
  SELECT c.*,
         CASE WHEN c.a_opened AND NOT c.b_opened THEN 1
              WHEN c.b_opened AND NOT c.a_opened THEN 1
              WHEN coalesce(c.a_port, 0) <> coalesce(c.b_port, 0) THEN 2
              WHEN c.ab_first IS NOT NULL AND (c.ba_first IS NULL OR c.ab_first < c.ba_first) THEN 3
              WHEN c.ba_first IS NOT NULL AND (c.ab_first IS NULL OR c.ba_first < c.ab_first) THEN 3
              ELSE 4 END AS rule,
         CASE WHEN c.a_opened AND NOT c.b_opened THEN true
              WHEN c.b_opened AND NOT c.a_opened THEN false
              WHEN coalesce(c.a_port, 0) <> coalesce(c.b_port, 0)
                THEN coalesce(c.a_port, 0) > coalesce(c.b_port, 0)
              ELSE coalesce(c.ab_first <= c.ba_first, c.ba_first IS NULL) END AS a_client
  FROM (
    SELECT tgw_id, a_attachment, b_attachment, a, a_port, b, b_port, protocol,
           max(a_vpc_id) AS a_vpc_id, max(b_vpc_id) AS b_vpc_id,
           max(ab_packets) AS ab_packets, max(ab_bytes) AS ab_bytes,
           max(ba_packets) AS ba_packets, max(ba_bytes) AS ba_bytes,
           coalesce(bool_or(a_opened), false) AS a_opened,
           coalesce(bool_or(b_opened), false) AS b_opened,
           min(ab_first) AS ab_first, min(ba_first) AS ba_first,
           min(first_start) AS first_start, max(last_end) AS last_end
    FROM sides
    GROUP BY tgw_id, a_attachment, b_attachment, a, a_port, b, b_port, protocol
  ) c
),
oriented AS (
  SELECT tgw_id,
         CASE WHEN a_client THEN a_attachment ELSE b_attachment END AS client_attachment_id,
         CASE WHEN a_client THEN b_attachment ELSE a_attachment END AS server_attachment_id,
         CASE WHEN a_client THEN a_vpc_id ELSE b_vpc_id END AS client_vpc_id,
         CASE WHEN a_client THEN b_vpc_id ELSE a_vpc_id END AS server_vpc_id,
         CASE WHEN a_client THEN a ELSE b END AS client,
         CASE WHEN a_client THEN b ELSE a END AS server,
         CASE WHEN a_client THEN b_port ELSE a_port END AS server_port,
         protocol, rule, first_start, last_end,
         CASE WHEN a_client THEN ab_packets ELSE ba_packets END AS client_packets,
         CASE WHEN a_client THEN ab_bytes ELSE ba_bytes END AS client_bytes,
         CASE WHEN a_client THEN ba_packets ELSE ab_packets END AS server_packets,
         CASE WHEN a_client THEN ba_bytes ELSE ab_bytes END AS server_bytes
  FROM links
),
-- One row per gateway, attachments, client, server, port and protocol.
routes AS (
  SELECT tgw_id, client_attachment_id, server_attachment_id,
         max(client_vpc_id) AS client_vpc_id, max(server_vpc_id) AS server_vpc_id,
         client, server, server_port, protocol,
         count(*) AS connections,
         sum(client_packets) AS client_packets, sum(client_bytes) AS client_bytes,
         sum(server_packets) AS server_packets, sum(server_bytes) AS server_bytes,
         from_unixtime(min(first_start)) AS first_seen, from_unixtime(max(last_end)) AS last_seen,
         CASE max(rule) WHEN 1 THEN 'tcp-flags' WHEN 2 THEN 'port' WHEN 3 THEN 'time'
                        ELSE 'unknown' END AS decided_by
  FROM oriented
  GROUP BY tgw_id, client_attachment_id, server_attachment_id, client, server, server_port,
           protocol
)
SELECT tgw_id, client_attachment_id, server_attachment_id, client_vpc_id, server_vpc_id,
       client, server, server_port, protocol, connections,
       client_packets, client_bytes, server_packets, server_bytes, first_seen, last_seen,
       decided_by
FROM routes
ORDER BY last_seen DESC, tgw_id, client_attachment_id, server_attachment_id, client, server,
         server_port, protocol
