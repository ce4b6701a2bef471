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
