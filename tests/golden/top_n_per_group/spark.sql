SELECT
  `id`,
  `customer_id`,
  `amount`,
  `qty`,
  `status`,
  `ts`,
  `day`
FROM (
  SELECT
    *,
    ROW_NUMBER() OVER (PARTITION BY `status` ORDER BY `amount` DESC, `id`) AS `_pushdown_rn`
  FROM `orders`
) AS `ranked`
WHERE
  `_pushdown_rn` <= 2;
