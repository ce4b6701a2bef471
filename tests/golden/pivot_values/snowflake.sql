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
  "customer_id",
  SUM(CASE WHEN "status" = 'paid' THEN "amount" END) AS "paid",
  SUM(CASE WHEN "status" = 'open' THEN "amount" END) AS "open",
  SUM(CASE WHEN "status" = 'refunded' THEN "amount" END) AS "refunded"
FROM "orders"
GROUP BY
  "customer_id";
