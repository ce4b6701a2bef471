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
), "out__group" AS (
  SELECT
    AVG("amount") AS "_col_0"
  FROM "orders"
), "out__scalar" AS (
  SELECT
    "l"."id",
    "l"."customer_id",
    "l"."amount",
    "r"."_col_0"
  FROM "orders" AS "l"
  CROSS JOIN "out__group" AS "r"
), "out__where" AS (
  SELECT
    *
  FROM "out__scalar"
  WHERE
    "amount" > "_col_0"
), "out__exists" AS (
  SELECT
    "l"."id",
    "l"."customer_id",
    "l"."amount"
  FROM "out__where" AS "l"
  WHERE
    EXISTS(
      SELECT
        1
      FROM "customers" AS "r"
      WHERE
        "r"."customer_id" = "l"."customer_id"
    )
), "out__keys" AS (
  SELECT
    "customer_id" AS "_pushdown_key_0"
  FROM "orders"
), "out__copy" AS (
  SELECT
    AVG("amount") AS "_col_0"
  FROM "orders"
), "out__copy_2" AS (
  SELECT
    "l"."customer_id",
    "l"."amount",
    "r"."_col_0"
  FROM "orders" AS "l"
  CROSS JOIN "out__copy" AS "r"
), "out__copy_3" AS (
  SELECT
    *
  FROM "out__copy_2"
  WHERE
    "amount" > "_col_0"
), "out__copy_4" AS (
  SELECT
    "l"."customer_id"
  FROM "out__copy_3" AS "l"
  WHERE
    EXISTS(
      SELECT
        1
      FROM "customers" AS "r"
      WHERE
        "r"."customer_id" = "l"."customer_id"
    )
), "out__outer_keys" AS (
  SELECT
    "l"."_pushdown_key_0"
  FROM "out__keys" AS "l"
  WHERE
    EXISTS(
      SELECT
        1
      FROM "out__copy_4" AS "r"
      WHERE
        "l"."_pushdown_key_0" = "r"."customer_id"
    )
), "out__correlated" AS (
  SELECT
    "_pushdown_key_0",
    COUNT(*) AS "_pushdown_sub_2"
  FROM "out__outer_keys"
  GROUP BY
    "_pushdown_key_0"
), "out__scalar_2" AS (
  SELECT
    "l"."id",
    "l"."amount",
    "r"."_pushdown_sub_2"
  FROM "out__exists" AS "l"
  LEFT JOIN "out__correlated" AS "r"
    ON "l"."customer_id" = "r"."_pushdown_key_0"
)
SELECT
  "id",
  "amount",
  COALESCE("_pushdown_sub_2", 0) AS "same_customer"
FROM "out__scalar_2";
