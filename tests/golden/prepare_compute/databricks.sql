SELECT
  `id`,
  `customer_id`,
  `amount`,
  `qty`,
  `status`,
  `ts`,
  `day`,
  `amount` * `qty` AS `total`,
  UPPER(`status`) || '-' || CAST(`id` AS STRING) AS `label`,
  TRUNC(`day`, 'MONTH') AS `month`
FROM `orders`;
