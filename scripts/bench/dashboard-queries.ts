/**
 * The dashboard's fleet queries at 10,000 devices, without the browser: the seed of
 * test/dashboard.test.ts (three revisions, half online, 50 sites, some failed migrations), then
 * `GET /v1/fleet/summary` and pages of `GET /v1/devices` as the store runs them, each timed over
 * several runs (median), and the time of each.
 *
 *   npx tsx --conditions=source scripts/bench/dashboard-queries.ts [--devices 10000] [--runs 7]
 *
 * PGlite in memory by default; with DATABASE_URL, a fresh database on that server (dropped after).
 */
import { parseArgs } from 'node:util';
import { sql } from 'drizzle-orm';
import { openTestStore } from '../../apps/coordinator/src/store/test-store.js';
import type { DeviceQuery } from '../../apps/coordinator/src/store/device-query.js';

const { values } = parseArgs({ options: { devices: { type: 'string', default: '10000' }, runs: { type: 'string', default: '7' }} });
const DEVICES = Number(values.devices);
const RUNS = Number(values.runs);

const store = await openTestStore(process.env.DATABASE_URL ? 'pg' : 'pglite');
try {
  const tenant = await store.tenants.create('bench');
  await store.db.execute(sql`
    insert into devices (tenant_id, id, channel, labels, mqtt_username, secret_hash)
    select ${tenant.id}::uuid, 'dev-' || lpad(i::text, 5, '0'), case when i % 4 = 0 then 'beta' else 'stable' end,
           jsonb_build_object('site', 'site-' || (i % 50)), ${tenant.id} || ':dev-' || i, 'unused'
    from generate_series(1, ${DEVICES}) i`);
  await store.db.execute(sql`
    insert into device_state (tenant_id, device_id, revision, fingerprint, bundle_sequence, counter, reported_at, online, last_seen)
    select ${tenant.id}::uuid, 'dev-' || lpad(i::text, 5, '0'), 'rev_' || (i % 3), repeat('a', 64), 1, 2, now(), i % 2 = 0, now() - (i || ' seconds')::interval
    from generate_series(1, ${DEVICES}) i`);
  // Two events per device, every 20th device's newest one failed.
  await store.db.execute(sql`
    insert into migration_events (tenant_id, device_id, counter, event)
    select ${tenant.id}::uuid, 'dev-' || lpad(i::text, 5, '0'), c,
           jsonb_build_object('outcome', case when c = 2 and i % 20 = 0 then 'rolled-back' else 'applied' end, 'durationMs', 10)
    from generate_series(1, ${DEVICES}) i, generate_series(1, 2) c`);
  await store.db.execute(sql`analyze`);

  const page = (query: Partial<DeviceQuery>) => () => store.deviceQueries.page(tenant.id, { sort: 'id', order: 'asc', limit: 50, offset: 0, ...query });
  const cases: [string, () => Promise<unknown>][] = [
    ['summary', () => store.deviceQueries.summary(tenant.id)],
    ['page, by id', page({})],
    ['page, by last seen', page({ sort: 'lastSeen' })],
    ['page, by drift desc', page({ sort: 'drift', order: 'desc' })],
    ['page, search "site-7"', page({ search: 'site-7' })],
    ['page, online, last page', page({ online: true, offset: DEVICES / 2 - 50 })],
  ];
  console.log(`${store.driver}, ${DEVICES} devices, median of ${RUNS} runs`);
  for (const [name, run] of cases) {
    const times: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const start = performance.now();
      await run();
      times.push(performance.now() - start);
    }
    times.sort((a, b) => a - b);
    console.log(`${name.padEnd(28)} ${times[Math.floor(RUNS / 2)]!.toFixed(1).padStart(8)} ms`);
  }
} finally {
  await store.close();
}
