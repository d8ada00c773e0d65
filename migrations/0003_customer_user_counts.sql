CREATE TABLE `customer_user_counts` (
	`customer_id` text PRIMARY KEY NOT NULL,
	`live` integer NOT NULL
);
