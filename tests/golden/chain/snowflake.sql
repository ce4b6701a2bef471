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
), "customers" AS (
  SELECT
    "CUSTOMER_ID" AS "customer_id",
    "NAME" AS "name",
    "REGION" AS "region"
  FROM "CUSTOMERS"
), "paid" AS (
  SELECT
    *
  FROM "orders"
  WHERE
    "status" = 'paid'
), "joined" AS (
  SELECT
    "l"."amount",
    "r"."region"
  FROM "paid" AS "l"
  LEFT JOIN "customers" AS "r"
    ON "l"."customer_id" = "r"."customer_id"
), "by_region" AS (
  SELECT
    "region",
    SUM("amount") AS "revenue",
    COUNT(*) AS "n"
  FROM "joined"
  GROUP BY
    "region"
)
SELECT
  "region",
  "revenue",
  "n",
  DENSE_RANK() OVER (ORDER BY "revenue" DESC NULLS LAST) AS "share_rank"
FROM "by_region";
