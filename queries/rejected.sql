-- name: rejected
-- title: Rejected traffic of a VPC
-- description: Connections to or from the VPC that were rejected (any record REJECT): scans,
--   blocked egress, misconfigured clients; reject_reason tells VPC Block Public Access (BPA)
--   from security groups and network ACLs where the logs carry it. NODATA and SKIPDATA records
--   are excluded. Largest first.
-- param: vpc_cidrs | cidr_list | required | example 10.0.0.0/16,100.64.0.0/20,2600:1f18:aaaa:ab00::/56 | The VPC's CIDR blocks, comma-separated (primary, secondary, IPv6).
-- param: start_day | day | default '' | example 2026/11/01 | First day (yyyy/MM/dd); '' means use days.
-- param: days | int 1..3660 | default 10 | example 10 | When start_day is '': the N days ending at end_day (today included when end_day is '').
-- param: end_day | day | default '' | example 2026/11/27 | Last day (yyyy/MM/dd); '' means today.
-- column: client | varchar | Address that started the connections (from pkt-srcaddr/pkt-dstaddr where logged: NAT and transit gateway hops are not endpoints).
-- column: server | varchar | Address that answered them.
-- column: server_port | integer | Port the client connected to (0 for ICMP).
-- column: protocol | bigint | IANA protocol number (6 TCP, 17 UDP, 1 ICMP, 58 ICMPv6).
-- column: action | varchar | REJECT when any record of a connection was rejected, else ACCEPT.
-- column: connections | bigint | Connections: distinct client ports (TCP/UDP; one per pair for ICMP).
-- column: records | bigint | Flow-log records merged, over every interface that logged them.
-- column: client_packets | bigint | Packets the client sent (each connection counted once: the interface that logged the most).
-- column: client_bytes | bigint | Bytes the client sent (counted once, likewise).
-- column: server_packets | bigint | Packets the server sent (counted once, likewise).
-- column: server_bytes | bigint | Bytes the server sent (counted once, likewise).
-- column: first_seen | timestamp(3) with time zone | Start of the earliest record.
-- column: last_seen | timestamp(3) with time zone | End of the latest record.
-- column: decided_by | varchar | How the client was told (the weakest over the row's connections): tcp-flags, port, time or unknown (see usage/initiator.py).
-- column: reject_reason | varchar | v8 reject-reason (BPA: VPC Block Public Access), NULL for security-group/NACL rejects or without the field.
WITH records AS (
  SELECT f.*
  FROM vpcflowlogscidrdb.vpcflowlogstable f
  WHERE f.day BETWEEN coalesce(nullif(? /* start_day */, ''),
                               date_format(coalesce(date(date_parse(nullif(? /* end_day */, ''),
                                                                    '%Y/%m/%d')),
                                                    current_date)
                                           - interval '1' day * (? /* days */ - 1), '%Y/%m/%d'))
                  AND coalesce(nullif(? /* end_day */, ''), date_format(current_date, '%Y/%m/%d'))
    AND (f.log_status = 'OK' OR (f.log_status IS NULL AND f.srcaddr <> '-'))
),
-- Each record as a half of its connection: endpoints from pkt-srcaddr/pkt-dstaddr where
-- logged; a = the lower (address, port) end, b = the other.
halves AS (
  SELECT h.*,
         CASE WHEN h.forward THEN h.src ELSE h.dst END AS a,
         CASE WHEN h.forward THEN h.srcport ELSE h.dstport END AS a_port,
         CASE WHEN h.forward THEN h.dst ELSE h.src END AS b,
         CASE WHEN h.forward THEN h.dstport ELSE h.srcport END AS b_port
  FROM (
    SELECT e.*,
           (e.src < e.dst OR (e.src = e.dst AND coalesce(e.srcport, 0) <= coalesce(e.dstport, 0)))
             AS forward
    FROM (
      SELECT r.*,
             coalesce(nullif(r.pkt_srcaddr, '-'), r.srcaddr) AS src,
             coalesce(nullif(r.pkt_dstaddr, '-'), r.dstaddr) AS dst
      FROM records r
    ) e
  ) h
),
-- Per interface and connection: what each end sent, which end opened it (tcp-flags), and the
-- hop: the address logged in srcaddr/dstaddr where pkt-* names another endpoint (a NAT
-- gateway, transit gateway or other middlebox interface).
sides AS (
  SELECT interface_id, a, a_port, b, b_port, protocol,
         max(action) AS action, max(nullif(reject_reason, '-')) AS reject_reason, count(*) AS records,
         sum(CASE WHEN forward THEN packets WHEN packets IS NOT NULL THEN 0 END) AS ab_packets,
         sum(CASE WHEN forward THEN bytes WHEN bytes IS NOT NULL THEN 0 END) AS ab_bytes,
         sum(CASE WHEN NOT forward THEN packets WHEN packets IS NOT NULL THEN 0 END) AS ba_packets,
         sum(CASE WHEN NOT forward THEN bytes WHEN bytes IS NOT NULL THEN 0 END) AS ba_bytes,
         bool_or(bitwise_and(tcp_flags, 18) = CASE WHEN forward THEN 2 ELSE 18 END) AS a_opened,
         bool_or(bitwise_and(tcp_flags, 18) = CASE WHEN forward THEN 18 ELSE 2 END) AS b_opened,
         min(CASE WHEN forward THEN "start" END) AS ab_first,
         min(CASE WHEN forward THEN NULL ELSE "start" END) AS ba_first,
         min("start") AS first_start, max("end") AS last_end,
         max(CASE WHEN src <> srcaddr THEN srcaddr WHEN dst <> dstaddr THEN dstaddr END) AS hop
  FROM halves
  GROUP BY interface_id, a, a_port, b, b_port, protocol
),
-- A hop's own leg (its address as an endpoint) is the traffic it forwarded, again.
hops AS (
  SELECT DISTINCT hop FROM sides WHERE hop IS NOT NULL
),
-- Per connection over all interfaces that logged it: each direction counted once, as logged
-- by the interface that logged the most; the initiator rule (usage/initiator.py) picks the client.
connections AS (
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
    SELECT a, a_port, b, b_port, protocol,
           max(action) AS action, max(reject_reason) AS reject_reason, sum(records) AS records,
           max(ab_packets) AS ab_packets, max(ab_bytes) AS ab_bytes,
           max(ba_packets) AS ba_packets, max(ba_bytes) AS ba_bytes,
           coalesce(bool_or(a_opened), false) AS a_opened,
           coalesce(bool_or(b_opened), false) AS b_opened,
           min(ab_first) AS ab_first, min(ba_first) AS ba_first,
           min(first_start) AS first_start, max(last_end) AS last_end
    FROM sides
    WHERE a NOT IN (SELECT hop FROM hops) AND b NOT IN (SELECT hop FROM hops)
    GROUP BY a, a_port, b, b_port, protocol
  ) c
),
oriented AS (
  SELECT CASE WHEN a_client THEN a ELSE b END AS client,
         CASE WHEN a_client THEN b ELSE a END AS server,
         CASE WHEN a_client THEN b_port ELSE a_port END AS server_port,
         protocol, action, reject_reason, records, rule, first_start, last_end,
         CASE WHEN a_client THEN ab_packets ELSE ba_packets END AS client_packets,
         CASE WHEN a_client THEN ab_bytes ELSE ba_bytes END AS client_bytes,
         CASE WHEN a_client THEN ba_packets ELSE ab_packets END AS server_packets,
         CASE WHEN a_client THEN ba_bytes ELSE ab_bytes END AS server_bytes
  FROM connections
),
conversations AS (
  SELECT client, server, server_port, protocol, action, max(reject_reason) AS reject_reason,
         count(*) AS connections, sum(records) AS records,
         sum(client_packets) AS client_packets, sum(client_bytes) AS client_bytes,
         sum(server_packets) AS server_packets, sum(server_bytes) AS server_bytes,
         from_unixtime(min(first_start)) AS first_seen, from_unixtime(max(last_end)) AS last_seen,
         CASE max(rule) WHEN 1 THEN 'tcp-flags' WHEN 2 THEN 'port' WHEN 3 THEN 'time'
                        ELSE 'unknown' END AS decided_by
  FROM oriented
  GROUP BY client, server, server_port, protocol, action
),
matched AS (
  SELECT w.*
  FROM conversations w
  WHERE w.action = 'REJECT'
    AND (any_match(split(? /* vpc_cidrs */, ','), c -> contains(trim(c), TRY_CAST(w.client AS IPADDRESS)))
         OR any_match(split(? /* vpc_cidrs */, ','), c -> contains(trim(c), TRY_CAST(w.server AS IPADDRESS))))
)
SELECT client, server, server_port, protocol, action, connections, records,
       client_packets, client_bytes, server_packets, server_bytes, first_seen, last_seen,
       decided_by, reject_reason
FROM matched
ORDER BY client_bytes + server_bytes DESC, client, server, server_port, protocol, action
