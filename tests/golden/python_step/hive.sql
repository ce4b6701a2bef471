SELECT
  *
FROM `orders`
WHERE
  `qty` > 1;
