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
), "big" AS (
  SELECT
    *
  FROM "orders"
  WHERE
    COALESCE((
      "amount" >= 20
    ), FALSE)
), "big_tagged" AS (
  SELECT
    "id",
    "customer_id",
    "amount",
    "qty",
    "status",
    "ts",
    "day",
    'big' AS "part"
  FROM "big"
), "paid" AS (
  SELECT
    *
  FROM "orders"
  WHERE
    COALESCE((
      "status" = 'paid'
    ), FALSE)
    AND NOT COALESCE((
      "amount" >= 20
    ), FALSE)
), "paid_tagged" AS (
  SELECT
    "id",
    "customer_id",
    "amount",
    "qty",
    "status",
    "ts",
    "day",
    'paid' AS "part"
  FROM "paid"
), "rest" AS (
  SELECT
    *
  FROM "orders"
  WHERE
    NOT COALESCE((
      "amount" >= 20
    ), FALSE)
    AND NOT COALESCE((
      "status" = 'paid'
    ), FALSE)
), "rest_tagged" AS (
  SELECT
    "id",
    "customer_id",
    "amount",
    "qty",
    "status",
    "ts",
    "day",
    'rest' AS "part"
  FROM "rest"
)
SELECT
  "id",
  "customer_id",
  "amount",
  "qty",
  "status",
  "ts",
  "day",
  "part"
FROM "big_tagged"
UNION ALL
SELECT
  "id",
  "customer_id",
  "amount",
  "qty",
  "status",
  "ts",
  "day",
  "part"
FROM "paid_tagged"
UNION ALL
SELECT
  "id",
  "customer_id",
  "amount",
  "qty",
  "status",
  "ts",
  "day",
  "part"
FROM "rest_tagged";
