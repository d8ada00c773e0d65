-- Keeps customer_user_counts equal to the number of live users of each customer, whatever writes
-- the users table (every dialect, a bulk load), in the same transaction as the write.
CREATE TRIGGER `users_live_count_insert` AFTER INSERT ON `users`
WHEN NEW.`customer_id` IS NOT NULL AND NEW.`deleted_at` IS NULL
BEGIN
  INSERT INTO `customer_user_counts` (`customer_id`, `live`) VALUES (NEW.`customer_id`, 1)
  ON CONFLICT(`customer_id`) DO UPDATE SET `live` = `live` + 1;
END;
--> statement-breakpoint
CREATE TRIGGER `users_live_count_leave` AFTER UPDATE OF `deleted_at`, `customer_id` ON `users`
WHEN OLD.`customer_id` IS NOT NULL AND OLD.`deleted_at` IS NULL
BEGIN
  UPDATE `customer_user_counts` SET `live` = `live` - 1 WHERE `customer_id` = OLD.`customer_id`;
END;
--> statement-breakpoint
CREATE TRIGGER `users_live_count_join` AFTER UPDATE OF `deleted_at`, `customer_id` ON `users`
WHEN NEW.`customer_id` IS NOT NULL AND NEW.`deleted_at` IS NULL
BEGIN
  INSERT INTO `customer_user_counts` (`customer_id`, `live`) VALUES (NEW.`customer_id`, 1)
  ON CONFLICT(`customer_id`) DO UPDATE SET `live` = `live` + 1;
END;
--> statement-breakpoint
CREATE TRIGGER `users_live_count_delete` AFTER DELETE ON `users`
WHEN OLD.`customer_id` IS NOT NULL AND OLD.`deleted_at` IS NULL
BEGIN
  UPDATE `customer_user_counts` SET `live` = `live` - 1 WHERE `customer_id` = OLD.`customer_id`;
END;
--> statement-breakpoint
INSERT INTO `customer_user_counts` (`customer_id`, `live`)
SELECT `customer_id`, count(*) FROM `users` WHERE `customer_id` IS NOT NULL AND `deleted_at` IS NULL GROUP BY `customer_id`
ON CONFLICT(`customer_id`) DO UPDATE SET `live` = excluded.`live`;
