SELECT
  *
FROM `orders`
ORDER BY
  `status` DESC,
  `amount`,
  `id`;
