SELECT
  "region",
  CASE
    WHEN COUNT("name") = 0
    THEN NULL
    ELSE LISTAGG("name", ',') WITHIN GROUP (ORDER BY
      "name" NULLS FIRST)
  END AS "names",
  COUNT("name") AS "n"
FROM "customers"
GROUP BY
  "region";
