CREATE TABLE "bundle_revisions" (
	"tenant_id" uuid NOT NULL,
	"bundle_id" text NOT NULL,
	"revision_id" text NOT NULL,
	"position" integer NOT NULL,
	"fingerprint" text NOT NULL,
	"schema" jsonb NOT NULL,
	CONSTRAINT "bundle_revisions_tenant_id_bundle_id_revision_id_pk" PRIMARY KEY("tenant_id","bundle_id","revision_id")
);
--> statement-breakpoint
ALTER TABLE "bundle_revisions" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "bundles" (
	"tenant_id" uuid NOT NULL,
	"id" text NOT NULL,
	"sequence" bigint NOT NULL,
	"bytes" "bytea" NOT NULL,
	"sha256" text NOT NULL,
	"heads" jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "bundles_tenant_id_id_pk" PRIMARY KEY("tenant_id","id")
);
--> statement-breakpoint
ALTER TABLE "bundles" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "device_state" (
	"tenant_id" uuid NOT NULL,
	"device_id" text NOT NULL,
	"revision" text,
	"fingerprint" text,
	"bundle_sequence" bigint,
	"counter" bigint,
	"last_result" jsonb,
	"schema" jsonb,
	"reported_at" timestamp with time zone,
	"online" boolean DEFAULT false NOT NULL,
	"last_seen" timestamp with time zone,
	CONSTRAINT "device_state_tenant_id_device_id_pk" PRIMARY KEY("tenant_id","device_id")
);
--> statement-breakpoint
ALTER TABLE "device_state" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "devices" (
	"tenant_id" uuid NOT NULL,
	"id" text NOT NULL,
	"channel" text NOT NULL,
	"labels" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"mqtt_username" text NOT NULL,
	"secret_hash" text NOT NULL,
	"revoked_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "devices_tenant_id_id_pk" PRIMARY KEY("tenant_id","id")
);
--> statement-breakpoint
ALTER TABLE "devices" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "migration_events" (
	"tenant_id" uuid NOT NULL,
	"device_id" text NOT NULL,
	"counter" bigint NOT NULL,
	"event" jsonb NOT NULL,
	"received_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "migration_events_tenant_id_device_id_counter_pk" PRIMARY KEY("tenant_id","device_id","counter")
);
--> statement-breakpoint
ALTER TABLE "migration_events" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "operator_tokens" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" uuid NOT NULL,
	"token_hash" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"revoked_at" timestamp with time zone
);
--> statement-breakpoint
ALTER TABLE "operator_tokens" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "rollout_targets" (
	"tenant_id" uuid NOT NULL,
	"rollout_id" uuid NOT NULL,
	"device_id" text NOT NULL,
	"status" text DEFAULT 'pending' NOT NULL,
	"added_at" timestamp with time zone DEFAULT now() NOT NULL,
	"result_at" timestamp with time zone,
	CONSTRAINT "rollout_targets_rollout_id_device_id_pk" PRIMARY KEY("rollout_id","device_id")
);
--> statement-breakpoint
ALTER TABLE "rollout_targets" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "rollouts" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" uuid NOT NULL,
	"bundle_id" text NOT NULL,
	"channel" text NOT NULL,
	"percent" real,
	"selectors" jsonb,
	"state" text DEFAULT 'active' NOT NULL,
	"pause_reason" text,
	"failure_threshold_percent" real DEFAULT 5 NOT NULL,
	"min_attempts" integer DEFAULT 20 NOT NULL,
	"successes" integer DEFAULT 0 NOT NULL,
	"failures" integer DEFAULT 0 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "rollouts" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "signing_keys" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" uuid NOT NULL,
	"key_id" text NOT NULL,
	"public_key_pem" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "signing_keys" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "tenants" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"name" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "tenants" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "bundle_revisions" ADD CONSTRAINT "bundle_revisions_tenant_id_bundle_id_bundles_tenant_id_id_fk" FOREIGN KEY ("tenant_id","bundle_id") REFERENCES "public"."bundles"("tenant_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "bundles" ADD CONSTRAINT "bundles_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "device_state" ADD CONSTRAINT "device_state_tenant_id_device_id_devices_tenant_id_id_fk" FOREIGN KEY ("tenant_id","device_id") REFERENCES "public"."devices"("tenant_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "devices" ADD CONSTRAINT "devices_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "migration_events" ADD CONSTRAINT "migration_events_tenant_id_device_id_devices_tenant_id_id_fk" FOREIGN KEY ("tenant_id","device_id") REFERENCES "public"."devices"("tenant_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "operator_tokens" ADD CONSTRAINT "operator_tokens_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "rollout_targets" ADD CONSTRAINT "rollout_targets_rollout_id_rollouts_id_fk" FOREIGN KEY ("rollout_id") REFERENCES "public"."rollouts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "rollout_targets" ADD CONSTRAINT "rollout_targets_tenant_id_device_id_devices_tenant_id_id_fk" FOREIGN KEY ("tenant_id","device_id") REFERENCES "public"."devices"("tenant_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "rollouts" ADD CONSTRAINT "rollouts_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "rollouts" ADD CONSTRAINT "rollouts_tenant_id_bundle_id_bundles_tenant_id_id_fk" FOREIGN KEY ("tenant_id","bundle_id") REFERENCES "public"."bundles"("tenant_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "signing_keys" ADD CONSTRAINT "signing_keys_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "bundle_revisions_revision_idx" ON "bundle_revisions" USING btree ("tenant_id","revision_id");--> statement-breakpoint
CREATE UNIQUE INDEX "devices_mqtt_username_key" ON "devices" USING btree ("mqtt_username");--> statement-breakpoint
CREATE INDEX "devices_tenant_channel_idx" ON "devices" USING btree ("tenant_id","channel");--> statement-breakpoint
CREATE UNIQUE INDEX "operator_tokens_hash_key" ON "operator_tokens" USING btree ("token_hash");--> statement-breakpoint
CREATE INDEX "rollout_targets_device_idx" ON "rollout_targets" USING btree ("tenant_id","device_id");--> statement-breakpoint
CREATE INDEX "rollouts_tenant_channel_idx" ON "rollouts" USING btree ("tenant_id","channel");--> statement-breakpoint
CREATE UNIQUE INDEX "signing_keys_tenant_key" ON "signing_keys" USING btree ("tenant_id","key_id");--> statement-breakpoint
CREATE UNIQUE INDEX "tenants_name_key" ON "tenants" USING btree ("name");--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "bundle_revisions" AS PERMISSIVE FOR ALL TO public USING ("bundle_revisions"."tenant_id" = nullif(current_setting('app.current_tenant_id', true), '')::uuid) WITH CHECK ("bundle_revisions"."tenant_id" = nullif(current_setting('app.current_tenant_id', true), '')::uuid);--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "bundles" AS PERMISSIVE FOR ALL TO public USING ("bundles"."tenant_id" = nullif(current_setting('app.current_tenant_id', true), '')::uuid) WITH CHECK ("bundles"."tenant_id" = nullif(current_setting('app.current_tenant_id', true), '')::uuid);--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "device_state" AS PERMISSIVE FOR ALL TO public USING ("device_state"."tenant_id" = nullif(current_setting('app.current_tenant_id', true), '')::uuid) WITH CHECK ("device_state"."tenant_id" = nullif(current_setting('app.current_tenant_id', true), '')::uuid);--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "devices" AS PERMISSIVE FOR ALL TO public USING ("devices"."tenant_id" = nullif(current_setting('app.current_tenant_id', true), '')::uuid) WITH CHECK ("devices"."tenant_id" = nullif(current_setting('app.current_tenant_id', true), '')::uuid);--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "migration_events" AS PERMISSIVE FOR ALL TO public USING ("migration_events"."tenant_id" = nullif(current_setting('app.current_tenant_id', true), '')::uuid) WITH CHECK ("migration_events"."tenant_id" = nullif(current_setting('app.current_tenant_id', true), '')::uuid);--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "operator_tokens" AS PERMISSIVE FOR ALL TO public USING ("operator_tokens"."tenant_id" = nullif(current_setting('app.current_tenant_id', true), '')::uuid) WITH CHECK ("operator_tokens"."tenant_id" = nullif(current_setting('app.current_tenant_id', true), '')::uuid);--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "rollout_targets" AS PERMISSIVE FOR ALL TO public USING ("rollout_targets"."tenant_id" = nullif(current_setting('app.current_tenant_id', true), '')::uuid) WITH CHECK ("rollout_targets"."tenant_id" = nullif(current_setting('app.current_tenant_id', true), '')::uuid);--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "rollouts" AS PERMISSIVE FOR ALL TO public USING ("rollouts"."tenant_id" = nullif(current_setting('app.current_tenant_id', true), '')::uuid) WITH CHECK ("rollouts"."tenant_id" = nullif(current_setting('app.current_tenant_id', true), '')::uuid);--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "signing_keys" AS PERMISSIVE FOR ALL TO public USING ("signing_keys"."tenant_id" = nullif(current_setting('app.current_tenant_id', true), '')::uuid) WITH CHECK ("signing_keys"."tenant_id" = nullif(current_setting('app.current_tenant_id', true), '')::uuid);--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "tenants" AS PERMISSIVE FOR ALL TO public USING ("tenants"."id" = nullif(current_setting('app.current_tenant_id', true), '')::uuid) WITH CHECK ("tenants"."id" = nullif(current_setting('app.current_tenant_id', true), '')::uuid);--> statement-breakpoint
-- Appended by hand: drizzle-kit emits ENABLE and the policies but not FORCE, without which the tables' owner would bypass them.
ALTER TABLE "tenants" FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE "operator_tokens" FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE "signing_keys" FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE "devices" FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE "bundles" FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE "bundle_revisions" FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE "rollouts" FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE "rollout_targets" FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE "device_state" FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE "migration_events" FORCE ROW LEVEL SECURITY;
