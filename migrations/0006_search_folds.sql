ALTER TABLE `users` ADD `first_name_fold` text;--> statement-breakpoint
ALTER TABLE `users` ADD `last_name_fold` text;--> statement-breakpoint
-- Rows written before this migration: SQLite's lower() folds ASCII only, so a name with other
-- letters is found by them once it is next written (every write stores the Unicode fold); see
-- docs/scaling.md#search.
UPDATE `users` SET `first_name_fold` = lower(`first_name`), `last_name_fold` = lower(`last_name`);
