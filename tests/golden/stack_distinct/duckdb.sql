WITH "slim" AS (
  SELECT
    "id",
    "amount",
    "status"
  FROM "orders"
), "arch" AS (
  SELECT
    "id",
    "amount",
    "status"
  FROM "archive"
)
SELECT
  "id",
  "amount",
  "status"
FROM "slim"
UNION
SELECT
  "id",
  "amount",
  "status"
FROM "arch";
