SELECT
  ATHENA_STRPOS(interface_id, '-', -1) AS last_dash,
  ATHENA_HAMMING(action, 'REJECT') AS changed,
  ATHENA_LEVENSHTEIN(action, 'ACCEPT') AS edits,
  ATHENA_SOUNDEX(account_id) AS sounds,
  ATHENA_CODEPOINT('A') AS a,
  TRANSLATE(action, 'AC', 'ac') AS translated,
  ATHENA_SPLIT_TO_MAP('k=v', ',', '=') AS kv,
  ATHENA_FROM_UTF8(ENCODE(action)) AS round_trip
FROM vpcflowlogstable
