-- name: network_matrix
-- title: Traffic between named networks
-- description: The traffic map: one row per ordered pair of networks, client network to server
--   network, at connection level (the same connection rules as the conversation queries: each
--   connection once, NAT and transit gateway hops are not endpoints). Networks are the rows of the
--   networks table (network, cidr): named CIDR groups (`--networks networks.yaml`, pushed to the
--   stack with `networks push`), and AWS's address ranges as `aws:<service>:<region>` where they
--   are loaded (`--aws-ranges`). An address belongs to the most specific block that holds it,
--   a named network before an AWS range; addresses in none are `internet`. NODATA and SKIPDATA
--   records are excluded. Largest first. With per_day=true, one row per pair and day: each
--   connection on the UTC day it started (a connection across midnight counts once, on its first
--   day), oldest day first.
-- param: start_day | day | default '' | example 2026/11/01 | First day (yyyy/MM/dd); '' means use days.
-- param: days | int 1..3660 | default 10 | example 10 | When start_day is '': the N days ending at end_day (today included when end_day is '').
-- param: end_day | day | default '' | example 2026/11/27 | Last day (yyyy/MM/dd); '' means today.
-- param: per_day | enum false,true | default false | example true | true: one row per pair and day (the day each connection started); false: one row per pair for the window.
-- column: client_network | varchar | Network of the addresses that started the connections (internet when in none).
-- column: server_network | varchar | Network of the addresses that answered them.
-- column: connections | bigint | Connections: distinct client ports (TCP/UDP; one per pair for ICMP), each counted once.
-- column: clients | bigint | Distinct client addresses.
-- column: servers | bigint | Distinct server addresses.
-- column: client_bytes | bigint | Bytes the clients sent (each connection counted once: the interface that logged the most).
-- column: server_bytes | bigint | Bytes the servers sent (counted once, likewise).
-- column: client_packets | bigint | Packets the clients sent (counted once, likewise).
-- column: server_packets | bigint | Packets the servers sent (counted once, likewise).
-- column: first_seen | timestamp(3) with time zone | Start of the earliest record.
-- column: last_seen | timestamp(3) with time zone | End of the latest record.
-- column: day | varchar | With per_day=true the day (yyyy/MM/dd, UTC) the connections started; NULL otherwise.
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
         max(action) AS action, count(*) AS records,
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
           max(action) AS action, sum(records) AS records,
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
         protocol, action, records, rule, first_start, last_end,
         CASE WHEN a_client THEN ab_packets ELSE ba_packets END AS client_packets,
         CASE WHEN a_client THEN ab_bytes ELSE ba_bytes END AS client_bytes,
         CASE WHEN a_client THEN ba_packets ELSE ab_packets END AS server_packets,
         CASE WHEN a_client THEN ba_bytes ELSE ab_bytes END AS server_bytes
  FROM connections
),
conversations AS (
  SELECT client, server, server_port, protocol, action,
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
),
-- Each endpoint's network: the most specific block that holds it, a named network before an
-- AWS range (network 'aws:…'); an address in no block is left out here and is 'internet' below.
-- Blocks of a /8 or longer (IPv4) or a /16 or longer with a non-zero first group (IPv6) are
-- looked up by their first octet or group, so thousands of AWS ranges stay cheap; the others
-- are tried for every address.
addresses AS (
  SELECT address,
         CASE WHEN strpos(address, ':') > 0 THEN lower(split_part(address, ':', 1))
              ELSE split_part(address, '.', 1) END AS head
  FROM (
    SELECT client AS address FROM matched
    UNION
    SELECT server AS address FROM matched
  ) u
),
blocks AS (
  SELECT network, cidr, CAST(split_part(cidr, '/', 2) AS integer) AS prefix_length,
         CASE WHEN strpos(cidr, ':') = 0 AND CAST(split_part(cidr, '/', 2) AS integer) >= 8
                THEN split_part(cidr, '.', 1)
              WHEN strpos(cidr, ':') > 0 AND CAST(split_part(cidr, '/', 2) AS integer) >= 16
                   AND lower(split_part(cidr, ':', 1)) NOT IN ('', '0')
                THEN lower(split_part(cidr, ':', 1))
              ELSE '*' END AS head
  FROM vpcflowlogscidrdb.networks
),
candidates AS (
  SELECT a.address, n.network, n.prefix_length
  FROM addresses a
  JOIN blocks n ON n.head = a.head AND contains(n.cidr, TRY_CAST(a.address AS IPADDRESS))
  UNION ALL
  SELECT a.address, n.network, n.prefix_length
  FROM addresses a
  JOIN blocks n ON n.head = '*' AND contains(n.cidr, TRY_CAST(a.address AS IPADDRESS))
),
labels AS (
  SELECT address, network
  FROM (
    SELECT address, network,
           row_number() OVER (PARTITION BY address
                              ORDER BY CASE WHEN network LIKE 'aws:%' THEN 1 ELSE 0 END,
                                       prefix_length DESC, network) AS specificity
    FROM candidates
  ) ranked
  WHERE specificity = 1
),
-- Each connection once, with the day it started when asked per day.
dated AS (
  SELECT o.*,
         CASE WHEN g.per_day THEN date_format(from_unixtime(o.first_start), '%Y/%m/%d') END AS day
  FROM oriented o
  CROSS JOIN (
    SELECT per_day FROM (VALUES true, false) AS t(per_day)
    WHERE per_day = (? /* per_day */ = 'true')
  ) g
)
SELECT coalesce(cl.network, 'internet') AS client_network,
       coalesce(sl.network, 'internet') AS server_network,
       count(*) AS connections,
       count(DISTINCT d.client) AS clients, count(DISTINCT d.server) AS servers,
       sum(d.client_bytes) AS client_bytes, sum(d.server_bytes) AS server_bytes,
       sum(d.client_packets) AS client_packets, sum(d.server_packets) AS server_packets,
       from_unixtime(min(d.first_start)) AS first_seen,
       from_unixtime(max(d.last_end)) AS last_seen,
       d.day
FROM dated d
LEFT JOIN labels cl ON cl.address = d.client
LEFT JOIN labels sl ON sl.address = d.server
GROUP BY d.day, coalesce(cl.network, 'internet'), coalesce(sl.network, 'internet')
ORDER BY d.day,
         coalesce(sum(d.client_bytes), 0) + coalesce(sum(d.server_bytes), 0) DESC,
         client_network, server_network
