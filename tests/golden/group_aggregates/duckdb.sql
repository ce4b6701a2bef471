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
  ARG_MIN_NULL("id", "ts") AS "first_id",
  ARG_MAX_NULL("id", "ts") AS "last_id"
FROM "orders"
GROUP BY
  "status";
