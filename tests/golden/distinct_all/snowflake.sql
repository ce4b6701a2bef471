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
), "slim" AS (
  SELECT
    "status",
    "qty"
  FROM "orders"
)
SELECT DISTINCT
  "status",
  "qty"
FROM "slim";
