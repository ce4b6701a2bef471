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
), "out__orders" AS (
  SELECT
    *
  FROM "orders"
  WHERE
    "status" = 'paid'
), "out__join_c" AS (
  SELECT
    "l"."amount",
    "r"."customer_id" AS "customer_id_2",
    "r"."region"
  FROM "out__orders" AS "l"
  JOIN "customers" AS "r"
    ON "r"."customer_id" = "l"."customer_id"
), "out__orders_2" AS (
  SELECT
    *
  FROM "orders"
  WHERE
    "status" = 'refunded' AND NOT "customer_id" IS NULL
), "out__select" AS (
  SELECT
    "customer_id"
  FROM "out__orders_2"
), "out__not_in" AS (
  SELECT
    "l"."amount",
    "l"."customer_id_2",
    "l"."region"
  FROM "out__join_c" AS "l"
  WHERE
    NOT EXISTS(
      SELECT
        1
      FROM "out__select" AS "r"
      WHERE
        "l"."customer_id_2" = "r"."customer_id"
    )
), "out__orders_3" AS (
  SELECT
    *
  FROM "orders"
  WHERE
    "status" = 'refunded' AND NOT "customer_id" IS NULL
), "out__select_2" AS (
  SELECT
    "customer_id"
  FROM "out__orders_3"
), "out__counts" AS (
  SELECT
    COUNT(*) AS "_pushdown_sub_1",
    COUNT(*) - COUNT("customer_id") AS "_pushdown_sub_2"
  FROM "out__select_2"
), "out__counts_2" AS (
  SELECT
    "l"."amount",
    "l"."customer_id_2",
    "l"."region",
    "r"."_pushdown_sub_1",
    "r"."_pushdown_sub_2"
  FROM "out__not_in" AS "l"
  CROSS JOIN "out__counts" AS "r"
), "out__not_in_2" AS (
  SELECT
    *
  FROM "out__counts_2"
  WHERE
    "_pushdown_sub_1" = 0
    OR (
      NOT "customer_id_2" IS NULL AND "_pushdown_sub_2" = 0
    )
), "out__group" AS (
  SELECT
    "region",
    COUNT(*) AS "n",
    SUM("amount") AS "total"
  FROM "out__not_in_2"
  GROUP BY
    "region"
)
SELECT
  *
FROM "out__group"
WHERE
  "n" >= 1;
