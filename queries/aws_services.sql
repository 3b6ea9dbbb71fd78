-- name: aws_services
-- title: Traffic with AWS services
-- description: Bytes per AWS service and region, at connection level (the connection rules of
--   the conversation queries), and the share that went through a NAT gateway: the traffic a
--   gateway endpoint (S3, DynamoDB: free) or an interface endpoint could carry instead. An
--   endpoint is an AWS service where its records name one (v5 pkt-src-aws-service /
--   pkt-dst-aws-service), else where the networks table labels it (`--aws-ranges`: rows
--   'aws:<service>:<region>', longest prefix first); the region is known from the ranges only.
--   A connection counts as through a NAT gateway when an interface logged it as a hop (an
--   address in srcaddr/dstaddr while pkt-srcaddr/pkt-dstaddr name the endpoints): visible only
--   where the format has pkt-*. NODATA and SKIPDATA records are excluded. Largest first.
-- param: start_day | day | default '' | example 2026/11/01 | First day (yyyy/MM/dd); '' means use days.
-- param: days | int 1..3660 | default 10 | example 10 | When start_day is '': the N days ending at end_day (today included when end_day is '').
-- param: end_day | day | default '' | example 2026/11/27 | Last day (yyyy/MM/dd); '' means today.
-- column: service | varchar | AWS service (the subset name of ip-ranges.json and pkt-*-aws-service: S3, DYNAMODB, EC2, AMAZON, ...).
-- column: region | varchar | The service's region from the AWS ranges (NULL when only pkt-*-aws-service named it).
-- column: labelled_by | varchar | pkt-aws-service (the records name it) or ip-ranges (the networks table's AWS rows).
-- column: connections | bigint | Connections with the service (each counted once).
-- column: peers | bigint | Distinct addresses at the other end (your instances, or NAT gateways without pkt-*).
-- column: service_addresses | bigint | Distinct addresses of the service.
-- column: bytes_to_service | bigint | Bytes sent to the service (counted once: the interface that logged the most).
-- column: bytes_from_service | bigint | Bytes the service sent back (counted once, likewise).
-- column: nat_connections | bigint | Connections that went through a NAT gateway (or another hop).
-- column: nat_bytes | bigint | Bytes of those connections, both ways.
-- column: nat_share | double | nat_bytes over all bytes with the service (0 to 1).
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
  SELECT c.*, v.a IS NOT NULL AS via_hop,
         CASE WHEN c.a_client THEN c.a ELSE c.b END AS client,
         CASE WHEN c.a_client THEN c.b ELSE c.a END AS server,
         CASE WHEN c.a_client THEN c.ab_bytes ELSE c.ba_bytes END AS client_bytes,
         CASE WHEN c.a_client THEN c.ba_bytes ELSE c.ab_bytes END AS server_bytes
  FROM connections c
  LEFT JOIN (
    SELECT DISTINCT a, a_port, b, b_port, protocol FROM sides WHERE hop IS NOT NULL
  ) v
    ON v.a = c.a AND v.b = c.b AND v.protocol = c.protocol
   AND coalesce(v.a_port, -1) = coalesce(c.a_port, -1)
   AND coalesce(v.b_port, -1) = coalesce(c.b_port, -1)
),
-- The AWS service an address is: as its records name it (pkt-*-aws-service), else the
-- longest AWS prefix of the networks table ('aws:<service>:<region>').
named AS (
  SELECT address, max(service) AS service
  FROM (
    SELECT src AS address, nullif(pkt_src_aws_service, '-') AS service FROM halves
    UNION ALL
    SELECT dst AS address, nullif(pkt_dst_aws_service, '-') AS service FROM halves
  ) s
  GROUP BY address
),
-- AWS blocks of a /8 or longer (IPv4) or a /16 or longer with a non-zero first group (IPv6)
-- are looked up by their first octet or group, so thousands of ranges stay cheap.
heads AS (
  SELECT address,
         CASE WHEN strpos(address, ':') > 0 THEN lower(split_part(address, ':', 1))
              ELSE split_part(address, '.', 1) END AS head
  FROM named
),
aws_blocks AS (
  SELECT network, cidr, CAST(split_part(cidr, '/', 2) AS integer) AS prefix_length,
         CASE WHEN strpos(cidr, ':') = 0 AND CAST(split_part(cidr, '/', 2) AS integer) >= 8
                THEN split_part(cidr, '.', 1)
              WHEN strpos(cidr, ':') > 0 AND CAST(split_part(cidr, '/', 2) AS integer) >= 16
                   AND lower(split_part(cidr, ':', 1)) NOT IN ('', '0')
                THEN lower(split_part(cidr, ':', 1))
              ELSE '*' END AS head
  FROM vpcflowlogscidrdb.networks
  WHERE network LIKE 'aws:%'
),
ranged AS (
  SELECT address, network
  FROM (
    SELECT address, network,
           row_number() OVER (PARTITION BY address ORDER BY prefix_length DESC, network)
             AS specificity
    FROM (
      SELECT d.address, n.network, n.prefix_length
      FROM heads d
      JOIN aws_blocks n
        ON n.head = d.head AND contains(n.cidr, TRY_CAST(d.address AS IPADDRESS))
      UNION ALL
      SELECT d.address, n.network, n.prefix_length
      FROM heads d
      JOIN aws_blocks n
        ON n.head = '*' AND contains(n.cidr, TRY_CAST(d.address AS IPADDRESS))
    ) candidates
  ) ranked
  WHERE specificity = 1
),
labels AS (
  SELECT d.address,
         coalesce(d.service, split_part(r.network, ':', 2)) AS service,
         CASE WHEN d.service IS NULL OR d.service = split_part(r.network, ':', 2)
              THEN split_part(r.network, ':', 3) END AS region,
         CASE WHEN d.service IS NOT NULL THEN 'pkt-aws-service' ELSE 'ip-ranges' END AS labelled_by
  FROM named d
  LEFT JOIN ranged r ON r.address = d.address
  WHERE d.service IS NOT NULL OR r.network IS NOT NULL
),
-- Each connection with the service at its server end, or else at its client end.
service_connections AS (
  SELECT coalesce(sl.service, cl.service) AS service,
         CASE WHEN sl.address IS NOT NULL THEN sl.region ELSE cl.region END AS region,
         CASE WHEN sl.address IS NOT NULL THEN sl.labelled_by ELSE cl.labelled_by END
           AS labelled_by,
         CASE WHEN sl.address IS NOT NULL THEN m.client ELSE m.server END AS peer,
         CASE WHEN sl.address IS NOT NULL THEN m.server ELSE m.client END AS service_address,
         CASE WHEN sl.address IS NOT NULL THEN m.client_bytes ELSE m.server_bytes END
           AS bytes_to_service,
         CASE WHEN sl.address IS NOT NULL THEN m.server_bytes ELSE m.client_bytes END
           AS bytes_from_service,
         m.via_hop, m.first_start, m.last_end
  FROM matched m
  LEFT JOIN labels sl ON sl.address = m.server
  LEFT JOIN labels cl ON cl.address = m.client
  WHERE sl.address IS NOT NULL OR cl.address IS NOT NULL
)
SELECT service, region, labelled_by, count(*) AS connections,
       count(DISTINCT peer) AS peers, count(DISTINCT service_address) AS service_addresses,
       sum(bytes_to_service) AS bytes_to_service, sum(bytes_from_service) AS bytes_from_service,
       count_if(via_hop) AS nat_connections,
       coalesce(sum(CASE WHEN via_hop THEN coalesce(bytes_to_service, 0)
                                       + coalesce(bytes_from_service, 0) END), 0) AS nat_bytes,
       CAST(coalesce(sum(CASE WHEN via_hop THEN coalesce(bytes_to_service, 0)
                                            + coalesce(bytes_from_service, 0) END), 0) AS double)
         / CAST(nullif(sum(coalesce(bytes_to_service, 0) + coalesce(bytes_from_service, 0)), 0)
                AS double)
         AS nat_share,
       from_unixtime(min(first_start)) AS first_seen, from_unixtime(max(last_end)) AS last_seen
FROM service_connections
GROUP BY service, region, labelled_by
ORDER BY coalesce(sum(bytes_to_service), 0) + coalesce(sum(bytes_from_service), 0) DESC,
         service, region, labelled_by
