SELECT DISTINCT
  `status`,
  `customer_id`
FROM `orders`;
