SELECT
  "region",
  LISTAGG("name", ','
  ORDER BY
    "name" NULLS FIRST) AS "names",
  COUNT("name") AS "n"
FROM "customers"
GROUP BY
  "region";
