SELECT
  COUNT(*) AS `n`,
  SUM(`amount` * `qty`) AS `total`
FROM `orders`;
