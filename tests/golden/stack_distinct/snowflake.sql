WITH "orders" AS (
  SELECT
    "ID" AS "id",
    "CUSTOMER_ID" AS "customer_id",
    "AMOUNT" AS "amount",
    "QTY" AS "qty",
    "STATUS" AS "status",
    "TS" AS "ts",
    "DAY" AS "day"
  FROM "ORDERS"
), "archive" AS (
  SELECT
    "ID" AS "id",
    "AMOUNT" AS "amount",
    "STATUS" AS "status",
    "NOTE" AS "note"
  FROM "ARCHIVE"
), "slim" AS (
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
