SELECT
  *
FROM "orders"
ORDER BY
  "amount" DESC,
  "id" NULLS FIRST
LIMIT 3;
