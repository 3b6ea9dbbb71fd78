SELECT strpos(interface_id, '-', -1) AS last_dash,
       hamming_distance(action, 'REJECT') AS changed,
       levenshtein_distance(action, 'ACCEPT') AS edits,
       soundex(account_id) AS sounds,
       codepoint('A') AS a,
       translate(action, 'AC', 'ac') AS translated,
       split_to_map('k=v', ',', '=') AS kv,
       from_utf8(to_utf8(action)) AS round_trip
FROM vpcflowlogstable
