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
), "archive" AS (
  SELECT
    "ID" AS "id",
    "AMOUNT" AS "amount",
    "STATUS" AS "status",
    "NOTE" AS "note"
  FROM "ARCHIVE"
)
SELECT
  "l"."id",
  "l"."customer_id",
  "l"."amount",
  "l"."qty",
  "l"."status",
  "l"."ts",
  "l"."day",
  "r"."id" AS "id_old",
  "r"."amount" AS "amount_old",
  "r"."status" AS "status_old",
  "r"."note"
FROM "orders" AS "l"
JOIN "archive" AS "r"
  ON "l"."id" = "r"."id";
