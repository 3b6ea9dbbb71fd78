-- a network from a parameter is validated at run time (athena_contains macro)
SELECT count(*) FROM vpcflowlogstable
WHERE contains(?, CAST(srcaddr AS IPADDRESS)) AND day BETWEEN ? AND ?
