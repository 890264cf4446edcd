/**
 * The demo application's SQLite schema, first release: sites own sensors, sensors own readings.
 * `v2.ts` is the next release; the change between them needs a table rebuild.
 */
import { sql } from 'drizzle-orm';
import { index, integer, real, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';

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
    kind: text('kind'),
    unit: text('unit'),
  },
  (t) => [uniqueIndex('sensors_site_serial').on(t.siteId, t.serial)],
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
  },
  (t) => [index('readings_sensor_time').on(t.sensorId, t.takenAt)],
);
