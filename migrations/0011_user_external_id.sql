ALTER TABLE `users` ADD `external_id` text;--> statement-breakpoint
CREATE INDEX `users_customer_external_idx` ON `users` (`customer_id`,`external_id`) WHERE "users"."deleted_at" IS NULL;