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
  *
FROM "orders"
ORDER BY
  "amount" DESC NULLS LAST,
  "id" NULLS FIRST
LIMIT 3;
