SELECT split(srcaddr, '.')[1] AS first_octet,
       element_at(split(srcaddr, '.'), -1) AS last_octet,
       contains(ARRAY['ACCEPT', NULL], action) AS listed,
       array_join(ARRAY[interface_id, NULL], ',') AS joined,
       v.a[2] AS second
FROM vpcflowlogstable, (VALUES (ARRAY[1, 2, 3])) v(a)
