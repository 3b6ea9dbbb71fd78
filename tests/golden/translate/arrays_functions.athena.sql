-- Array functions with Trino's NULL rules: the ports a flow used, as arrays.
SELECT arrays_overlap(ARRAY[srcport, dstport], ARRAY[22, 3389]) AS admin_port,
       array_min(ARRAY[srcport, dstport]) AS low_port,
       array_max(ARRAY[srcport, dstport]) AS high_port,
       array_position(ARRAY['ACCEPT', 'REJECT'], action) AS action_code,
       ARRAY[srcport, dstport] = ARRAY[dstport, srcport] AS symmetric,
       ARRAY[protocol] || srcport AS protocol_port,
       array_join(split(srcaddr, '.'), v.sep) AS dashed,
       slice(sequence(1, 10, 3), 2, 2) AS steps,
       sequence(DATE '2026-11-01', DATE '2026-11-03') AS days,
       CAST(ARRAY[srcport, NULL] AS JSON) AS ports_json,
       array_sort(ARRAY[srcport, dstport], (x, y) -> IF(x < y, 1, IF(x = y, 0, -1))) AS ports_desc
FROM vpcflowlogstable, (VALUES ('-')) v(sep)
