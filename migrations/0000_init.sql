CREATE TABLE `accounts` (
	`id` text PRIMARY KEY NOT NULL,
	`tenant_id` text,
	`name` text NOT NULL,
	`role` text NOT NULL,
	`customer_id` text,
	`reseller_id` text,
	`project_id` text,
	`scopes` text NOT NULL,
	`secret_hash` text NOT NULL,
	`disabled` integer DEFAULT false NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`tenant_id`) REFERENCES `tenants`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`customer_id`) REFERENCES `customers`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`reseller_id`) REFERENCES `resellers`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`project_id`) REFERENCES `projects`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `accounts_tenant_created_idx` ON `accounts` (`tenant_id`,`created_at`,`id`);--> statement-breakpoint
CREATE TABLE `audit_events` (
	`id` text PRIMARY KEY NOT NULL,
	`tenant_id` text NOT NULL,
	`at` integer NOT NULL,
	`actor_id` text NOT NULL,
	`action` text NOT NULL,
	`target_type` text NOT NULL,
	`target_id` text NOT NULL,
	`customer_id` text,
	`correlation_id` text NOT NULL,
	`changes` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `audit_tenant_at_idx` ON `audit_events` (`tenant_id`,`at`,`id`);--> statement-breakpoint
CREATE INDEX `audit_tenant_correlation_idx` ON `audit_events` (`tenant_id`,`correlation_id`,`at`,`id`);--> statement-breakpoint
CREATE INDEX `audit_tenant_target_idx` ON `audit_events` (`tenant_id`,`target_id`,`at`,`id`);--> statement-breakpoint
CREATE INDEX `audit_tenant_actor_idx` ON `audit_events` (`tenant_id`,`actor_id`,`at`,`id`);--> statement-breakpoint
CREATE TABLE `customers` (
	`id` text PRIMARY KEY NOT NULL,
	`tenant_id` text NOT NULL,
	`project_id` text,
	`reseller_id` text,
	`key` text,
	`name` text NOT NULL,
	`tenant_name` text,
	`region` text,
	`is_nfr` integer DEFAULT false NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`tenant_id`) REFERENCES `tenants`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`project_id`) REFERENCES `projects`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`reseller_id`) REFERENCES `resellers`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `customers_project_key_uq` ON `customers` (`project_id`,`key`);--> statement-breakpoint
CREATE INDEX `customers_tenant_created_idx` ON `customers` (`tenant_id`,`created_at`,`id`);--> statement-breakpoint
CREATE INDEX `customers_reseller_idx` ON `customers` (`reseller_id`);--> statement-breakpoint
CREATE TABLE `groups` (
	`id` text PRIMARY KEY NOT NULL,
	`tenant_id` text NOT NULL,
	`name` text NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`tenant_id`) REFERENCES `tenants`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `groups_tenant_name_uq` ON `groups` (`tenant_id`,`name`);--> statement-breakpoint
CREATE INDEX `groups_tenant_created_idx` ON `groups` (`tenant_id`,`created_at`,`id`);--> statement-breakpoint
CREATE TABLE `login_throttle` (
	`email_norm` text PRIMARY KEY NOT NULL,
	`failures` integer NOT NULL,
	`locked_until` integer,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `projects` (
	`id` text PRIMARY KEY NOT NULL,
	`tenant_id` text NOT NULL,
	`key` text NOT NULL,
	`name` text NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`tenant_id`) REFERENCES `tenants`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `projects_tenant_key_uq` ON `projects` (`tenant_id`,`key`);--> statement-breakpoint
CREATE INDEX `projects_tenant_created_idx` ON `projects` (`tenant_id`,`created_at`,`id`);--> statement-breakpoint
CREATE TABLE `resellers` (
	`id` text PRIMARY KEY NOT NULL,
	`tenant_id` text NOT NULL,
	`name` text NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`tenant_id`) REFERENCES `tenants`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `resellers_tenant_created_idx` ON `resellers` (`tenant_id`,`created_at`,`id`);--> statement-breakpoint
CREATE TABLE `subroles` (
	`id` text PRIMARY KEY NOT NULL,
	`tenant_id` text NOT NULL,
	`customer_id` text,
	`code` text NOT NULL,
	`label` text NOT NULL,
	`display_name` text NOT NULL,
	`description` text DEFAULT '' NOT NULL,
	`permissions` text NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`tenant_id`) REFERENCES `tenants`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`customer_id`) REFERENCES `customers`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `subroles_customer_code_uq` ON `subroles` (`tenant_id`,`customer_id`,`code`) WHERE "subroles"."customer_id" IS NOT NULL;--> statement-breakpoint
CREATE UNIQUE INDEX `subroles_tenant_code_uq` ON `subroles` (`tenant_id`,`code`) WHERE "subroles"."customer_id" IS NULL;--> statement-breakpoint
CREATE INDEX `subroles_tenant_created_idx` ON `subroles` (`tenant_id`,`created_at`,`id`);--> statement-breakpoint
CREATE TABLE `tenants` (
	`id` text PRIMARY KEY NOT NULL,
	`domain` text NOT NULL,
	`name` text NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `tenants_domain_uq` ON `tenants` (`domain`);--> statement-breakpoint
CREATE INDEX `tenants_created_idx` ON `tenants` (`created_at`,`id`);--> statement-breakpoint
CREATE TABLE `user_groups` (
	`user_id` text NOT NULL,
	`group_id` text NOT NULL,
	PRIMARY KEY(`user_id`, `group_id`),
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`group_id`) REFERENCES `groups`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `user_groups_group_idx` ON `user_groups` (`group_id`);--> statement-breakpoint
CREATE TABLE `users` (
	`id` text PRIMARY KEY NOT NULL,
	`tenant_id` text NOT NULL,
	`customer_id` text,
	`reseller_id` text,
	`first_name` text NOT NULL,
	`last_name` text NOT NULL,
	`email` text NOT NULL,
	`email_norm` text NOT NULL,
	`mobile` text,
	`status` text NOT NULL,
	`email_verified` integer NOT NULL,
	`is_first_login` integer NOT NULL,
	`subrole_id` text,
	`password_hash` text,
	`ext_auth_ref_id` text NOT NULL,
	`created_at` integer NOT NULL,
	`created_by` text NOT NULL,
	`updated_at` integer NOT NULL,
	`updated_by` text NOT NULL,
	`deleted_at` integer,
	FOREIGN KEY (`tenant_id`) REFERENCES `tenants`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`customer_id`) REFERENCES `customers`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`reseller_id`) REFERENCES `resellers`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`subrole_id`) REFERENCES `subroles`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `users_tenant_email_uq` ON `users` (`tenant_id`,`email_norm`) WHERE "users"."deleted_at" IS NULL;--> statement-breakpoint
CREATE INDEX `users_customer_created_idx` ON `users` (`customer_id`,`created_at`,`id`) WHERE "users"."deleted_at" IS NULL;--> statement-breakpoint
CREATE INDEX `users_tenant_created_idx` ON `users` (`tenant_id`,`created_at`,`id`) WHERE "users"."deleted_at" IS NULL;--> statement-breakpoint
CREATE INDEX `users_email_idx` ON `users` (`email_norm`) WHERE "users"."deleted_at" IS NULL;--> statement-breakpoint
CREATE INDEX `users_reseller_idx` ON `users` (`reseller_id`) WHERE "users"."deleted_at" IS NULL;--> statement-breakpoint
CREATE INDEX `users_subrole_idx` ON `users` (`subrole_id`);