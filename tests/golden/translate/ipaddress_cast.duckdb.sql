SELECT
  ATHENA_IPADDRESS(srcaddr) AS src,
  ATHENA_TRY_IPADDRESS(dstaddr) AS dst,
  ATHENA_IPADDRESS('10.0.0.1') AS fixed
FROM vpcflowlogstable
WHERE
  log_status = 'OK'
