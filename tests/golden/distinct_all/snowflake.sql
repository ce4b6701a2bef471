WITH "slim" AS (
  SELECT
    "status",
    "qty"
  FROM "orders"
)
SELECT DISTINCT
  "status",
  "qty"
FROM "slim";
