-- try() of a division by zero is NULL; an IN list without FROM is evaluated whole; doubles
-- as text are written as Trino writes them; DECIMAL literals keep their digits.
SELECT try(10 / 0) AS ratio,
       3 IN (2, 4, 3, abs(-5)) AS listed,
       CAST(2.1E0 AS VARCHAR) AS text,
       sqrt(-1) AS root,
       DECIMAL '3.14' AS pi
