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
SELECT
  "id",
  "customer_id",
  "amount",
  "qty",
  "status",
  "ts",
  "day",
  LAG("amount", 1) OVER (PARTITION BY "customer_id" ORDER BY "ts" NULLS FIRST) AS "prev_amount",
  LEAD("id") OVER (PARTITION BY "customer_id" ORDER BY "ts" NULLS FIRST) AS "next_id"
FROM "orders";
