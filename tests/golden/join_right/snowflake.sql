SELECT
  "l"."id",
  "r"."customer_id",
  "l"."amount",
  "l"."qty",
  "l"."status",
  "l"."ts",
  "l"."day",
  "r"."name",
  "r"."region"
FROM "orders" AS "l"
RIGHT JOIN "customers" AS "r"
  ON "l"."customer_id" = "r"."customer_id";
