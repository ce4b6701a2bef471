SELECT
  `id`,
  `customer_id`,
  `amount`,
  `qty`,
  `status`,
  `ts`,
  `day`,
  `amount` * `qty` AS `total`,
  CONCAT(UPPER(`status`), '-', CAST(`id` AS STRING)) AS `label`,
  CAST(DATE_FORMAT(`day`, 'yyyy-MM-01') AS DATE) AS `month`
FROM `orders`;
