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
)
SELECT
  "l"."id",
  "l"."customer_id",
  "l"."amount",
  "l"."qty",
  "l"."status",
  "l"."ts",
  "l"."day",
  "r"."name",
  "r"."region"
FROM "orders" AS "l"
LEFT JOIN "customers" AS "r"
  ON "l"."customer_id" = "r"."customer_id";
