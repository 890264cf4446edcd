/**
 * The demo application's SQLite schema, second release. Against `v1.ts`: `sensors.kind` becomes
 * NOT NULL with a default and a CHECK (a table rebuild in SQLite), sensors gain `calibrated_at`,
 * readings gain a `quality` flag and a partial index over the suspect ones, and a new `alerts`
 * table references sensors.
 */
import { sql } from 'drizzle-orm';
import { check, index, integer, real, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';

export const sites = sqliteTable('sites', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  name: text('name').notNull().unique(),
  timezone: text('timezone').notNull().default('UTC'),
  createdAt: integer('created_at').notNull().default(sql`(unixepoch())`),
});

export const sensors = sqliteTable(
  'sensors',
  {
    id: integer('id').primaryKey(),
    siteId: integer('site_id')
      .notNull()
      .references(() => sites.id, { onDelete: 'cascade' }),
    serial: text('serial').notNull(),
    kind: text('kind').notNull().default('temperature'),
    unit: text('unit'),
    calibratedAt: integer('calibrated_at'),
  },
  (t) => [
    uniqueIndex('sensors_site_serial').on(t.siteId, t.serial),
    check('sensors_kind_known', sql`${t.kind} IN ('temperature', 'humidity', 'pressure')`),
  ],
);

export const readings = sqliteTable(
  'readings',
  {
    id: integer('id').primaryKey(),
    sensorId: integer('sensor_id')
      .notNull()
      .references(() => sensors.id, { onDelete: 'cascade' }),
    takenAt: integer('taken_at').notNull(),
    value: real('value').notNull(),
    quality: integer('quality').notNull().default(0),
  },
  (t) => [
    index('readings_sensor_time').on(t.sensorId, t.takenAt),
    index('readings_suspect').on(t.sensorId).where(sql`${t.quality} > 0`),
  ],
);

export const alerts = sqliteTable('alerts', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  sensorId: integer('sensor_id')
    .notNull()
    .references(() => sensors.id, { onDelete: 'cascade' }),
  raisedAt: integer('raised_at').notNull(),
  message: text('message').notNull(),
});
