SELECT
  *
FROM "orders"
ORDER BY
  "status" DESC,
  "amount" NULLS FIRST,
  "id" NULLS FIRST;
