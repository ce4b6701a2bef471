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
  ROW_NUMBER() OVER (PARTITION BY "status" ORDER BY "qty" DESC NULLS LAST, "id" NULLS FIRST) AS "rn",
  RANK() OVER (PARTITION BY "status" ORDER BY "qty" DESC NULLS LAST, "id" NULLS FIRST) AS "rk",
  DENSE_RANK() OVER (PARTITION BY "status" ORDER BY "qty" DESC NULLS LAST, "id" NULLS FIRST) AS "drk"
FROM "orders";
