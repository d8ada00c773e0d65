ALTER TABLE `audit_events` ADD `sequence` integer;--> statement-breakpoint
ALTER TABLE `audit_events` ADD `snapshot` text;