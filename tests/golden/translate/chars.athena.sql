SELECT CAST(action AS CHAR(8)) AS padded,
       length(CAST(action AS CHAR(8))) AS width,
       ltrim(CAST(action AS CHAR(8))) AS trimmed,
       rtrim(CAST(action AS CHAR(8)), 'T') AS cut,
       concat(CHAR 'ab', 'c ') AS joined,
       CAST(action AS CHAR(8)) = 'ACCEPT' AS accepted
FROM vpcflowlogstable
