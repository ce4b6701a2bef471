SELECT
  `region`,
  LISTAGG(`name`, ',') AS `names`,
  COUNT(`name`) AS `n`
FROM `customers`
GROUP BY
  `region`;
