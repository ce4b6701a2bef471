WITH "weird" AS (
  SELECT
    "a""b; DROP TABLE x",
    "SELECT" AS "select",
    "`tick`"
  FROM "WEIRD"
), "prep" AS (
  SELECT
    "a""b; DROP TABLE x",
    "select",
    "`tick`",
    "a""b; DROP TABLE x" * 2 AS "x""y",
    UPPER("select") AS "it's"
  FROM "weird"
)
SELECT
  *
FROM "prep"
WHERE
  "`tick`" > 2;
