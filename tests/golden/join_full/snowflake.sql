SELECT
  "l"."id",
  COALESCE("l"."customer_id", "r"."customer_id") AS "customer_id",
  "l"."amount",
  "l"."qty",
  "l"."status",
  "l"."ts",
  "l"."day",
  "r"."name",
  "r"."region"
FROM "orders" AS "l"
FULL JOIN "customers" AS "r"
  ON "l"."customer_id" = "r"."customer_id";
