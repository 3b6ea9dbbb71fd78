SELECT split_part(srcaddr, '.', 1) AS first_octet,
       regexp_extract(interface_id, 'eni-([0-9a-f]+)', 1) AS eni,
       regexp_replace(srcaddr, '(\d+)\.(\d+)\.(\d+)\.(\d+)', '$4.$3.$2.$1') AS reversed,
       regexp_like(action, '^ACC')
FROM vpcflowlogstable
