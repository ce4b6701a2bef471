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
)
SELECT DISTINCT
  "status",
  "customer_id"
FROM "orders";
