SELECT
  STRPOS(interface_id, '-') AS dash_at,
  ATHENA_CHAR2HEXINT(action) AS action_hex,
  CAST(LAST_DAY(TO_TIMESTAMP("start")) AS DATE) AS month_end
FROM vpcflowlogstable
