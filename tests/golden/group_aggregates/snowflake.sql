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
  "status",
  COUNT(*) AS "n",
  COUNT(DISTINCT "customer_id") AS "buyers",
  SUM("amount") AS "total",
  AVG("amount") AS "mean",
  MIN("amount") AS "low",
  MAX("amount") AS "high",
  MEDIAN("amount") AS "mid",
  STDDEV_SAMP("amount") AS "spread",
  MIN_BY("id", "ts") AS "first_id",
  MAX_BY("id", "ts") AS "last_id"
FROM "orders"
GROUP BY
  "status";
