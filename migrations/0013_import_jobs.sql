CREATE TABLE `import_errors` (
	`job_id` text NOT NULL,
	`line` integer NOT NULL,
	`seq` integer NOT NULL,
	`field` text,
	`message` text NOT NULL,
	PRIMARY KEY(`job_id`, `line`, `seq`),
	FOREIGN KEY (`job_id`) REFERENCES `import_jobs`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `import_jobs` (
	`id` text PRIMARY KEY NOT NULL,
	`tenant_id` text NOT NULL,
	`mode` text NOT NULL,
	`format` text NOT NULL,
	`status` text NOT NULL,
	`principal` text NOT NULL,
	`created_by` text NOT NULL,
	`total` integer DEFAULT 0 NOT NULL,
	`created` integer DEFAULT 0 NOT NULL,
	`updated` integer DEFAULT 0 NOT NULL,
	`skipped` integer DEFAULT 0 NOT NULL,
	`failed` integer DEFAULT 0 NOT NULL,
	`bytes` integer DEFAULT 0 NOT NULL,
	`created_at` integer NOT NULL,
	`started_at` integer,
	`finished_at` integer,
	`heartbeat_at` integer NOT NULL,
	`error` text,
	FOREIGN KEY (`tenant_id`) REFERENCES `tenants`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `import_jobs_tenant_created_idx` ON `import_jobs` (`tenant_id`,`created_at`,`id`);--> statement-breakpoint
CREATE INDEX `import_jobs_status_idx` ON `import_jobs` (`status`,`heartbeat_at`);--> statement-breakpoint
CREATE TABLE `import_rows` (
	`job_id` text NOT NULL,
	`line` integer NOT NULL,
	`email_norm` text,
	`data` text,
	PRIMARY KEY(`job_id`, `line`),
	FOREIGN KEY (`job_id`) REFERENCES `import_jobs`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `import_rows_pending_idx` ON `import_rows` (`job_id`,`line`) WHERE "import_rows"."data" IS NOT NULL;--> statement-breakpoint
CREATE INDEX `import_rows_email_idx` ON `import_rows` (`job_id`,`email_norm`,`line`);