-- contains() with literal networks: checked at translation, INET containment at run time
SELECT srcaddr, dstaddr
FROM vpcflowlogstable
WHERE contains('10.0.0.0/16', TRY_CAST(srcaddr AS IPADDRESS))
  AND NOT contains('2600:1f18:aaaa:ab00::/56', TRY_CAST(dstaddr AS IPADDRESS))
  AND day >= date_format(current_date - interval '9' day, '%Y/%m/%d')
