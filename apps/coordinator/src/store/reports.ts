import { and, inArray, isNull, sql } from 'drizzle-orm';
import { coordinator as t } from '@godwit/schema';
import type { DeviceStateWrite, EventWrite, StoredCounter } from '../ingest/store-port.js';
import type { RolloutService } from '../rollouts/rollout-service.js';
import type { Tx } from './database.js';
import { retryTransient, type Scopes } from './scopes.js';

export interface Presence {
  tenantId: string;
  deviceId: string;
  online: boolean;
  at: Date;
}

/** Device reports from ingest: batched, idempotent, one transaction per batch. */
export class ReportStore {
  constructor(
    private readonly scopes: Scopes,
    private readonly rollouts: RolloutService,
  ) {}

  /**
   * States replace the stored one only when their counter is higher; events land once per
   * (tenant, device, counter); several states of one device or copies of one event are fine (this
   * is the one place that de-duplicates them). Returns, per device stored, the stored state
   * counter; a revoked device is left out, its reports unstored.
   */
  async writeReports(states: readonly DeviceStateWrite[], events: readonly EventWrite[]): Promise<StoredCounter[]> {
    const byTenant = groupByTenant(states, events);
    const results = await retryTransient(() =>
      this.scopes.tenants(sortedKeys(byTenant), async (tx, tenantId) => {
        const received = byTenant.get(tenantId)!;
        const group = onlyDevices(received, await lockActiveDevices(tx, received));
        await upsertDeviceStates(tx, newestPerDevice(group.states));
        const stored = await insertEvents(tx, uniqueEvents(group.events));
        const changes = await this.rollouts.applyResults(tx, tenantId, stored);
        return { counters: await storedCounters(tx, tenantId, group), changes };
      }),
    );
    await this.rollouts.announce(results.flatMap((r) => r.changes));
    return results.flatMap((r) => r.counters);
  }

  /** One UPDATE per tenant for the whole batch: a reconnect storm is thousands of presence changes. */
  async setPresence(updates: readonly Presence[]): Promise<void> {
    const byTenant = new Map<string, Map<string, Presence>>();
    for (const u of updates) {
      const devices = byTenant.get(u.tenantId) ?? new Map<string, Presence>();
      byTenant.set(u.tenantId, devices);
      // UPDATE ... FROM takes an arbitrary one of several matching rows: keep each device's latest.
      const seen = devices.get(u.deviceId);
      if (!seen || seen.at <= u.at) devices.set(u.deviceId, u);
    }
    await retryTransient(() =>
      this.scopes.tenants(sortedKeys(byTenant), async (tx, tenantId) => {
        const devices = [...byTenant.get(tenantId)!.values()].sort((a, b) => compare(a.deviceId, b.deviceId));
        const rows = devices.map((u) => sql`(${u.deviceId}, ${u.online}::boolean, ${u.at.toISOString()}::timestamptz)`);
        // UPDATE ... FROM locks rows in whatever order its join takes: lock them first in the order
        // ingest writes them (byte order, as JavaScript sorts ASCII ids), so the two never deadlock.
        await tx.execute(sql`
          SELECT 1 FROM ${t.deviceState}
          WHERE ${inArray(t.deviceState.deviceId, devices.map((u) => u.deviceId))}
          ORDER BY ${t.deviceState.deviceId} COLLATE "C" FOR UPDATE`);
        await tx.execute(sql`
          UPDATE ${t.deviceState} AS s SET online = u.online, last_seen = u.at
          FROM (VALUES ${sql.join(rows, sql`, `)}) AS u(device_id, online, at)
          WHERE s.device_id = u.device_id AND (s.last_seen IS NULL OR s.last_seen <= u.at)`);
      }),
    );
  }
}

interface TenantGroup {
  states: DeviceStateWrite[];
  events: EventWrite[];
}

function groupByTenant(states: readonly DeviceStateWrite[], events: readonly EventWrite[]): Map<string, TenantGroup> {
  const groups = new Map<string, TenantGroup>();
  const group = (tenantId: string) => {
    let g = groups.get(tenantId);
    if (!g) groups.set(tenantId, (g = { states: [], events: [] }));
    return g;
  };
  for (const s of states) group(s.tenantId).states.push(s);
  for (const e of events) group(e.tenantId).events.push(e);
  return groups;
}

/**
 * The devices of the group that are not revoked, each row share-locked until the batch commits: a
 * revoke (an UPDATE of that row) waits for the batch, and a batch after the revoke finds it
 * revoked, so no report of a device lands once its revoke has committed.
 */
async function lockActiveDevices(tx: Tx, group: TenantGroup): Promise<Set<string>> {
  const ids = deviceIdsOf(group).sort();
  const active = new Set<string>();
  for (const chunk of chunks(ids)) {
    const rows = await tx
      .select({ id: t.devices.id })
      .from(t.devices)
      .where(and(inArray(t.devices.id, chunk), isNull(t.devices.revokedAt)))
      .orderBy(t.devices.id)
      .for('share');
    for (const row of rows) active.add(row.id);
  }
  return active;
}

function deviceIdsOf(group: TenantGroup): string[] {
  return [...new Set([...group.states, ...group.events].map((r) => r.deviceId))];
}

function onlyDevices(group: TenantGroup, ids: ReadonlySet<string>): TenantGroup {
  return { states: group.states.filter((s) => ids.has(s.deviceId)), events: group.events.filter((e) => ids.has(e.deviceId)) };
}

// ON CONFLICT DO UPDATE cannot touch one row twice in a statement: keep each device's newest.
/** Each device's newest state, in device order: concurrent batches then lock rows in one order. */
function newestPerDevice(states: readonly DeviceStateWrite[]): DeviceStateWrite[] {
  const newest = new Map<string, DeviceStateWrite>();
  for (const s of states) {
    const seen = newest.get(s.deviceId);
    if (!seen || s.counter > seen.counter) newest.set(s.deviceId, s);
  }
  return [...newest.values()].sort((a, b) => compare(a.deviceId, b.deviceId));
}

function uniqueEvents(events: readonly EventWrite[]): EventWrite[] {
  const unique = new Map<string, EventWrite>();
  for (const e of events) unique.set(`${e.deviceId}\u0000${e.counter}`, e);
  return [...unique.values()].sort((a, b) => compare(a.deviceId, b.deviceId) || a.counter - b.counter);
}

function sortedKeys<V>(map: ReadonlyMap<string, V>): string[] {
  return [...map.keys()].sort(compare);
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

// PostgreSQL binds at most 65,535 parameters per statement; a storm batch can carry more.
const ROWS_PER_STATEMENT = 2000;

function* chunks<T>(items: readonly T[]): Generator<T[]> {
  for (let i = 0; i < items.length; i += ROWS_PER_STATEMENT) yield items.slice(i, i + ROWS_PER_STATEMENT);
}

async function upsertDeviceStates(tx: Tx, states: readonly DeviceStateWrite[]): Promise<void> {
  for (const chunk of chunks(states)) await upsertChunk(tx, chunk);
}

async function upsertChunk(tx: Tx, states: readonly DeviceStateWrite[]): Promise<void> {
  await tx
    .insert(t.deviceState)
    .values(
      states.map((s) => ({
        tenantId: s.tenantId,
        deviceId: s.deviceId,
        revision: s.revision,
        fingerprint: s.fingerprint,
        bundleSequence: s.bundleSequence,
        counter: s.counter,
        lastResult: s.lastResults,
        schema: s.schema,
        reportedAt: s.receivedAt,
        online: true,
        lastSeen: s.receivedAt,
      })),
    )
    .onConflictDoUpdate({
      target: [t.deviceState.tenantId, t.deviceState.deviceId],
      set: {
        revision: sql`excluded.revision`,
        fingerprint: sql`excluded.fingerprint`,
        bundleSequence: sql`excluded.bundle_sequence`,
        counter: sql`excluded.counter`,
        lastResult: sql`excluded.last_result`,
        schema: sql`excluded.schema`,
        reportedAt: sql`excluded.reported_at`,
        // A report proves the device was connected when it arrived, unless a later disconnect was already recorded.
        online: sql`case when ${t.deviceState.lastSeen} is null or excluded.last_seen >= ${t.deviceState.lastSeen} then true else ${t.deviceState.online} end`,
        lastSeen: sql`greatest(${t.deviceState.lastSeen}, excluded.last_seen)`,
      },
      // Duplicates and late, older reports never overwrite a newer state.
      setWhere: sql`${t.deviceState.counter} is null or excluded.counter > ${t.deviceState.counter}`,
    });
}

/** Inserts events once each; returns the ones this call stored (not those already there). */
async function insertEvents(tx: Tx, events: readonly EventWrite[]) {
  const stored = [];
  for (const chunk of chunks(events)) stored.push(...(await insertChunk(tx, chunk)));
  return stored;
}

function insertChunk(tx: Tx, events: readonly EventWrite[]) {
  return tx
    .insert(t.migrationEvents)
    .values(
      events.map(({ tenantId, deviceId, counter, ...event }) => ({ tenantId, deviceId, counter, event })),
    )
    .onConflictDoNothing()
    .returning({ deviceId: t.migrationEvents.deviceId, event: t.migrationEvents.event })
    .then((rows) => rows.map((r) => ({ deviceId: r.deviceId, ...(r.event as Omit<EventWrite, 'tenantId' | 'deviceId'>) })));
}

async function storedCounters(tx: Tx, tenantId: string, group: TenantGroup): Promise<StoredCounter[]> {
  const ids = deviceIdsOf(group);
  const rows = [];
  for (const chunk of chunks(ids)) {
    rows.push(
      ...(await tx
        .select({ deviceId: t.deviceState.deviceId, counter: t.deviceState.counter })
        .from(t.deviceState)
        .where(inArray(t.deviceState.deviceId, chunk))),
    );
  }
  return rows.filter((r) => r.counter !== null).map((r) => ({ tenantId, deviceId: r.deviceId, counter: r.counter! }));
}
