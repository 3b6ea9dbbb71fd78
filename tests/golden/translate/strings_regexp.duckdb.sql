SELECT
  ATHENA_SPLIT_PART(srcaddr, '.', 1) AS first_octet,
  ATHENA_REGEXP_EXTRACT(interface_id, 'eni-([0-9a-f]+)', 1) AS eni,
  REGEXP_REPLACE(srcaddr, '(\d+)\.(\d+)\.(\d+)\.(\d+)', '\4.\3.\2.\1', 'g') AS reversed,
  REGEXP_MATCHES(action, '^ACC') AS _col3
FROM vpcflowlogstable
