SELECT CAST(srcaddr AS IPADDRESS) AS src, TRY_CAST(dstaddr AS IPADDRESS) AS dst,
       IPADDRESS '10.0.0.1' AS fixed
FROM vpcflowlogstable
WHERE log_status = 'OK'
