SELECT substr(interface_id, 5) AS eni,
       substring(srcaddr, 1, 3) AS head,
       replace(srcaddr, '.', '-') AS dashed,
       replace(srcaddr, '', '.') AS spread,
       lpad(CAST(srcport AS VARCHAR), 5, '0') AS port,
       split(srcaddr, '.', 2) AS halves,
       trim(action) AS trimmed,
       CAST(dstport AS VARCHAR(5)) AS port_text
FROM vpcflowlogstable
