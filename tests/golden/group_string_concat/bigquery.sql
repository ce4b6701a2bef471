SELECT
  `region`,
  STRING_AGG(`name`, ','
  ORDER BY
    `name`) AS `names`,
  COUNT(`name`) AS `n`
FROM `customers`
GROUP BY
  `region`;
