SELECT
  `l`.`id`,
  `l`.`customer_id`,
  `l`.`amount`,
  `l`.`qty`,
  `l`.`status`,
  `l`.`ts`,
  `l`.`day`,
  `r`.`id` AS `id_old`,
  `r`.`amount` AS `amount_old`,
  `r`.`status` AS `status_old`,
  `r`.`note`
FROM `orders` AS `l`
JOIN `archive` AS `r`
  ON `l`.`id` = `r`.`id`;
