SELECT
  `l`.`id`,
  `l`.`customer_id`,
  `l`.`amount`,
  `l`.`qty`,
  `l`.`status`,
  `l`.`ts`,
  `l`.`day`
FROM `orders` AS `l`
WHERE
  EXISTS(
    SELECT
      1
    FROM `customers` AS `r`
    WHERE
      `l`.`customer_id` = `r`.`customer_id`
  );
