SELECT
  *
FROM `orders`
ORDER BY
  `amount` DESC,
  `id`
LIMIT 3;
