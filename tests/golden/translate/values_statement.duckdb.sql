SELECT
  *
FROM (VALUES
  (1, 'a'),
  (2, 'b')) AS t(_col0, _col1)
