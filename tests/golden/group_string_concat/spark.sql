SELECT
  `region`,
  LISTAGG(`name`, ',') WITHIN GROUP (ORDER BY
    `name`) AS `names`,
  COUNT(`name`) AS `n`
FROM `customers`
GROUP BY
  `region`;
