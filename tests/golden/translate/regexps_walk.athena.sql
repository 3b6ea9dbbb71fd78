SELECT regexp_count(interface_id, '[0-9a-f]') AS hex_digits,
       regexp_position(srcaddr, '\.', 1, 2) AS second_dot,
       regexp_extract_all(interface_id, 'e(n)i', 1) AS ns,
       regexp_replace(srcaddr, '(\d+)', action) AS by_column,
       regexp_replace(action, '(\w)(\w*)', x -> upper(x[1]) || lower(x[2])) AS capitalised
FROM vpcflowlogstable
