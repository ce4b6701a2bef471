SELECT
  `id`,
  `customer_id`,
  `amount`,
  `qty`,
  `status`,
  `ts`,
  `day`,
  CAST(NULL AS STRING) AS `note`
FROM `orders`
UNION ALL
SELECT
  `id`,
  CAST(NULL AS BIGINT) AS `customer_id`,
  `amount`,
  CAST(NULL AS INT) AS `qty`,
  `status`,
  CAST(NULL AS TIMESTAMP_NTZ) AS `ts`,
  CAST(NULL AS DATE) AS `day`,
  `note`
FROM `archive`;
