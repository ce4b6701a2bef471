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
  "amount" * "qty" AS "total",
  UPPER("status") || '-' || CAST("id" AS VARCHAR) AS "label",
  CAST(DATE_TRUNC('MONTH', "day") AS DATE) AS "month"
FROM "orders";
