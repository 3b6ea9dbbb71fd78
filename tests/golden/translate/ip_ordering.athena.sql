-- IPADDRESS order as Trino's 16 bytes; a network from a column (IPv4-mapped, IPv4 part);
-- VARBINARY addresses.
SELECT TRY_CAST(srcaddr AS IPADDRESS) < TRY_CAST(dstaddr AS IPADDRESS) AS src_first,
       contains(n.block, TRY_CAST(srcaddr AS IPADDRESS)) AS in_block,
       CAST(X'0a000001' AS IPADDRESS) AS gateway
FROM vpcflowlogstable, (VALUES ('::ffff:10.0.0.0/104')) n(block)
WHERE TRY_CAST(dstaddr AS IPADDRESS) >= IPADDRESS '10.0.0.0'
