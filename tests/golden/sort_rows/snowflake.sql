SELECT
  *
FROM "orders"
ORDER BY
  "status" DESC NULLS LAST,
  "amount" NULLS FIRST,
  "id" NULLS FIRST;
