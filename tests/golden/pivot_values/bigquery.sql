SELECT
  `customer_id`,
  SUM(CASE WHEN `status` = 'paid' THEN `amount` END) AS `paid`,
  SUM(CASE WHEN `status` = 'open' THEN `amount` END) AS `open`,
  SUM(CASE WHEN `status` = 'refunded' THEN `amount` END) AS `refunded`
FROM `orders`
GROUP BY
  `customer_id`;
