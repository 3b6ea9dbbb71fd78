SELECT
  srcaddr,
  dstaddr
FROM vpcflowlogstable
WHERE
  (ATHENA_TRY_IPADDRESS(srcaddr) <<= CAST('10.0.0.0/16' AS INET))
  AND NOT (ATHENA_TRY_IPADDRESS(dstaddr) <<= CAST('2600:1f18:aaaa:ab00::/56' AS INET))
  AND day >= STRFTIME(CAST(CAST('2026-11-27' AS DATE) - INTERVAL '9' DAY AS DATE), '%Y/%m/%d')
