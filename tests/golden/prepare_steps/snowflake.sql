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
  COALESCE("status", 'unknown') AS "status",
  COALESCE("amount", 0) AS "price",
  CAST("qty" AS BIGINT) AS "qty",
  CASE WHEN COALESCE("amount", 0) > 20 THEN 'big' ELSE 'small' END AS "size",
  COALESCE("amount", 0) * 0.9 AS "net"
FROM "orders";
