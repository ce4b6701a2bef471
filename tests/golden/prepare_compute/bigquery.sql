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
  CAST(DATE_TRUNC(`day`, MONTH) AS DATE) AS `month`
FROM `orders`;
