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
  "day"
FROM (
  SELECT
    *,
    ROW_NUMBER() OVER (PARTITION BY "status" ORDER BY "amount" DESC NULLS LAST, "id" NULLS FIRST) AS "_pushdown_rn"
  FROM "orders"
) AS "ranked"
WHERE
  "_pushdown_rn" <= 2;
