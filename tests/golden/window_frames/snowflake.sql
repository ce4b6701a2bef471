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
  SUM("qty") OVER (ORDER BY "id" NULLS FIRST ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS "running",
  AVG("qty") OVER (ORDER BY "id" NULLS FIRST ROWS BETWEEN 2 PRECEDING AND CURRENT ROW) AS "moving_avg",
  SUM("qty") OVER (ORDER BY "id" NULLS FIRST ROWS BETWEEN 1 PRECEDING AND 1 FOLLOWING) AS "centered",
  SUM("qty") OVER (
    ORDER BY "id" NULLS FIRST
    ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING
  ) AS "part_total"
FROM "orders";
