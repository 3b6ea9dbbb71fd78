SELECT
  RPAD(action, 8, ' ') AS padded,
  LENGTH(RPAD(action, 8, ' ')) AS width,
  ATHENA_LTRIM(RTRIM(RPAD(action, 8, ' '), ' ')) AS trimmed,
  RTRIM(RTRIM(RTRIM(RPAD(action, 8, ' '), ' '), 'T'), ' ') AS cut,
  RPAD('ab', 2, ' ') || RPAD('c ', 2, ' ') AS joined,
  RTRIM(RPAD(action, 8, ' '), ' ') = RTRIM('ACCEPT', ' ') AS accepted
FROM vpcflowlogstable
