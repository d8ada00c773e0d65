-- Tokens issued before a revocation (password change, disabled or deleted account, inactive or
-- deleted user, changed grant) are refused; a deleted account's row is its tombstone.
CREATE TABLE `token_revocations` (
	`subject` text PRIMARY KEY NOT NULL,
	`not_before` integer NOT NULL,
	`expires_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `token_revocations_expires_idx` ON `token_revocations` (`expires_at`);--> statement-breakpoint
-- Login attempts are now counted per user (so per tenant), never per bare e-mail: the old rows,
-- keyed by e-mail, cannot be attributed to one tenant's user and are dropped (a lock in progress
-- ends early, once, at this migration).
DROP TABLE `login_throttle`;--> statement-breakpoint
CREATE TABLE `login_throttle` (
	`user_id` text PRIMARY KEY NOT NULL,
	`failures` integer NOT NULL,
	`locked_until` integer,
	`updated_at` integer NOT NULL
);
