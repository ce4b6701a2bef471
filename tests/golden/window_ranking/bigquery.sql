SELECT
  `id`,
  `customer_id`,
  `amount`,
  `qty`,
  `status`,
  `ts`,
  `day`,
  ROW_NUMBER() OVER (PARTITION BY `status` ORDER BY `qty` DESC, `id`) AS `rn`,
  RANK() OVER (PARTITION BY `status` ORDER BY `qty` DESC, `id`) AS `rk`,
  DENSE_RANK() OVER (PARTITION BY `status` ORDER BY `qty` DESC, `id`) AS `drk`
FROM `orders`;
