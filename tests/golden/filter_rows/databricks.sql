SELECT
  *
FROM `orders`
WHERE
  `status` = 'paid' AND `amount` >= 10 OR `customer_id` IS NULL;
