-- name: top_talkers
-- title: Top talkers of a VPC
-- description: The conversations that moved the most bytes with at least one endpoint in the
--   VPC (internal, external and peered alike), accepted or rejected. NODATA and SKIPDATA
--   records are excluded.
-- param: vpc_cidrs | cidr_list | default 10.0.0.0/16 | example 10.0.0.0/16,100.64.0.0/20,2600:1f18:aaaa:ab00::/56 | The VPC's CIDR blocks, comma-separated (primary, secondary, IPv6).
-- param: top | int 1..100000 | default 20 | example 50 | How many conversations to return.
-- param: start_day | day | default '' | example 2026/11/01 | First day (yyyy/MM/dd); '' means use days.
-- param: days | int 1..3660 | default 10 | example 10 | When start_day is '': the N days ending at end_day (today included when end_day is '').
-- param: end_day | day | default '' | example 2026/11/27 | Last day (yyyy/MM/dd); '' means today.
-- column: srcaddr | varchar | Source address.
-- column: dstaddr | varchar | Destination address.
-- column: dstport | integer | Destination port (0 for ICMP).
-- column: protocol | bigint | IANA protocol number (6 TCP, 17 UDP, 1 ICMP, 58 ICMPv6).
-- column: action | varchar | ACCEPT or REJECT.
-- column: flows | bigint | Flow-log records (each network interface that sees a flow logs it).
-- column: packets | bigint | Packets, summed.
-- column: bytes | bigint | Bytes, summed.
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
conversations AS (
  SELECT srcaddr, dstaddr, dstport, protocol, action,
         count(*) AS flows, sum(packets) AS packets, sum(bytes) AS bytes,
         from_unixtime(min("start")) AS first_seen, from_unixtime(max("end")) AS last_seen
  FROM records
  GROUP BY srcaddr, dstaddr, dstport, protocol, action
),
matched AS (
  SELECT w.*
  FROM conversations w
  WHERE any_match(split(? /* vpc_cidrs */, ','), c -> contains(trim(c), TRY_CAST(w.srcaddr AS IPADDRESS)))
     OR any_match(split(? /* vpc_cidrs */, ','), c -> contains(trim(c), TRY_CAST(w.dstaddr AS IPADDRESS)))
)
SELECT srcaddr, dstaddr, dstport, protocol, action, flows, packets, bytes, first_seen, last_seen
FROM (
  SELECT m.*,
         row_number() OVER (
           ORDER BY bytes DESC, srcaddr, dstaddr, dstport, protocol, action) AS talker_rank
  FROM matched m
) ranked
WHERE ranked.talker_rank <= ? /* top */
ORDER BY bytes DESC, srcaddr, dstaddr, dstport, protocol, action
