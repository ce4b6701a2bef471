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
  "r"."customer_id" AS "customer_id_right",
  "r"."name",
  "r"."region"
FROM "orders" AS "l"
CROSS JOIN "customers" AS "r";
