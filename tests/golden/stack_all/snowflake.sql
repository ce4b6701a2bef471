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
  "id",
  "customer_id",
  "amount",
  "qty",
  "status",
  "ts",
  "day",
  CAST(NULL AS VARCHAR) AS "note"
FROM "orders"
UNION ALL
SELECT
  "id",
  CAST(NULL AS BIGINT) AS "customer_id",
  "amount",
  CAST(NULL AS INT) AS "qty",
  "status",
  CAST(NULL AS TIMESTAMPNTZ) AS "ts",
  CAST(NULL AS DATE) AS "day",
  "note"
FROM "archive";
