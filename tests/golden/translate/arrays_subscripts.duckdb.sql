SELECT
  ATHENA_SUBSCRIPT(STR_SPLIT(srcaddr, '.'), 1) AS first_octet,
  ATHENA_ELEMENT_AT(STR_SPLIT(srcaddr, '.'), -1) AS last_octet,
  ATHENA_ARRAY_CONTAINS(['ACCEPT', NULL], action) AS listed,
  ATHENA_ARRAY_JOIN([interface_id, NULL], ',') AS joined,
  ATHENA_SUBSCRIPT(v.a, 2) AS second
FROM vpcflowlogstable, (VALUES
  ([1, 2, 3])) AS v(a)
