import { and, eq, sql } from 'drizzle-orm';
import { QueryBuilder } from 'drizzle-orm/pg-core';
import { coordinator as t } from '@godwit/schema';
import { emptySchema, type SchemaDescription } from '../bundles/engine.js';
import { assessDrift, type DriftReason, type ExpectedRevision } from '../drift/index.js';
import type { Tx } from './database.js';
import { notFound } from './errors.js';
import type { Scopes } from './scopes.js';

/** One row of `coordinator devices`. */
export interface FleetDevice {
  id: string;
  tenant: string;
  channel: string;
  labels: Record<string, string>;
  revision: string | null;
  fingerprint: string | null;
  /** The fingerprint the reported revision should have, or null when the coordinator never saw it. */
  expectedFingerprint: string | null;
  bundleSequence: number | null;
  drift: boolean;
  online: boolean;
  lastSeen: string | null;
  reportedAt: string | null;
  revoked: boolean;
}

/** One row of `coordinator drift`: a drifted device and why. */
export interface DriftedDevice extends FleetDevice {
  /** Readable difference between the expected and the reported schema, or the reason there is none. */
  diff: string;
}

/** The per-device view support reads: state joined with what each revision should look like. */
export class FleetView {
  constructor(private readonly scopes: Scopes) {}

  async devices(tenantId: string): Promise<FleetDevice[]> {
    const rows = await this.scopes.tenant(tenantId, (tx) => selectFleet(tx));
    return rows.map(fleetDeviceOf);
  }

  async device(tenantId: string, id: string): Promise<FleetDevice> {
    const [row] = await this.scopes.tenant(tenantId, (tx) => selectFleet(tx, id));
    if (!row) throw notFound(`device ${id}`);
    return fleetDeviceOf(row);
  }

  /** The schema the device's revision should have (null: at base, or a revision no bundle holds) and the one it reported (null: none sent). */
  async schemas(tenantId: string, deviceId: string): Promise<{ expected: SchemaDescription | null; live: SchemaDescription | null }> {
    return this.scopes.tenant(tenantId, async (tx) => {
      const [row] = await tx
        .select({ revision: t.deviceState.revision, live: t.deviceState.schema })
        .from(t.deviceState)
        .where(eq(t.deviceState.deviceId, deviceId));
      if (!row) throw notFound(`device ${deviceId}`);
      const expected = row.revision === null ? emptySchema() : await expectedSchema(tx, row.revision);
      return { expected, live: (row.live as SchemaDescription | null) ?? null };
    });
  }

  /** Drifted devices (or the one named, if drifted), each with a readable diff when the device sent its schema. */
  async drift(tenantId: string, deviceId?: string): Promise<DriftedDevice[]> {
    return this.scopes.tenant(tenantId, async (tx) => {
      const out: DriftedDevice[] = [];
      for (const row of await selectFleet(tx, deviceId)) {
        if (!judge(row, undefined).verdict?.drifted) continue;
        const schema = row.revision === null ? null : await expectedSchema(tx, row.revision);
        const { verdict } = judge(row, schema);
        out.push({ ...toFleetDevice(row, verdict), diff: verdict?.diff ?? explain(verdict!.reason!, row) });
      }
      return out;
    });
  }
}

/**
 * Each stored revision's fingerprint, from any of the tenant's bundles carrying it (a revision's
 * content, hence its schema, is fixed by its checksum chain). Joined once per query rather than
 * looked up once per device row; by tenant as well as by revision, so that it stays right without
 * row-level security (a query across tenants) too.
 */
export const revisionFingerprints = new QueryBuilder()
  .select({
    tenantId: t.bundleRevisions.tenantId,
    revisionId: t.bundleRevisions.revisionId,
    fingerprint: sql<string>`min(${t.bundleRevisions.fingerprint})`.as('expected_fingerprint'),
  })
  .from(t.bundleRevisions)
  .groupBy(t.bundleRevisions.tenantId, t.bundleRevisions.revisionId)
  .as('expected');

/** The expected fingerprint of the device's reported revision: null when no stored bundle holds it (the alias is unique, so unqualified). */
export const expectedFingerprint = sql<string | null>`${revisionFingerprints.fingerprint}`;

/** The join conditions of a fleet row: a device, its state, its revision's expected fingerprint. */
export const stateOfDevice = and(eq(t.deviceState.tenantId, t.devices.tenantId), eq(t.deviceState.deviceId, t.devices.id));
export const fingerprintOfState = and(eq(revisionFingerprints.tenantId, t.deviceState.tenantId), eq(revisionFingerprints.revisionId, t.deviceState.revision));

/** The columns of a fleet row: `devices` left-joined with `device_state` (see {@link fleetDeviceOf}). */
export const fleetColumns = {
  id: t.devices.id,
  tenantId: t.devices.tenantId,
  channel: t.devices.channel,
  labels: t.devices.labels,
  revokedAt: t.devices.revokedAt,
  revision: t.deviceState.revision,
  fingerprint: t.deviceState.fingerprint,
  counter: t.deviceState.counter,
  bundleSequence: t.deviceState.bundleSequence,
  online: t.deviceState.online,
  lastSeen: t.deviceState.lastSeen,
  reportedAt: t.deviceState.reportedAt,
  schema: t.deviceState.schema,
  expected: expectedFingerprint,
};

/** Fleet rows (see {@link fleetDeviceOf}), to filter, order and page. */
export function selectFleetRows(tx: Tx) {
  return tx.select(fleetColumns).from(t.devices).leftJoin(t.deviceState, stateOfDevice).leftJoin(revisionFingerprints, fingerprintOfState);
}

function selectFleet(tx: Tx, deviceId?: string) {
  return selectFleetRows(tx)
    .where(deviceId === undefined ? undefined : eq(t.devices.id, deviceId))
    .orderBy(t.devices.id);
}

type Row = Awaited<ReturnType<typeof selectFleet>>[number];

/** A fleet row as `GET /v1/devices` shows it. */
export function fleetDeviceOf(row: Row): FleetDevice {
  return toFleetDevice(row, judge(row, undefined).verdict);
}

/** The drift verdict for a device that has reported; null for one that never did. */
function judge(row: Row, expectedSchemaOfRevision: SchemaDescription | null | undefined) {
  if (row.counter === null || row.fingerprint === null) return { verdict: null };
  const expected: ExpectedRevision | undefined =
    row.expected === null ? undefined : { fingerprint: row.expected, schema: expectedSchemaOfRevision ?? null };
  const verdict = assessDrift(
    { revision: row.revision, fingerprint: row.fingerprint, schema: (row.schema as SchemaDescription | null) ?? null },
    expected,
  );
  return { verdict };
}

function explain(reason: DriftReason, row: Row): string {
  if (reason === 'unknown-revision') return `revision ${row.revision} is in no bundle the coordinator has stored`;
  return `fingerprint ${row.fingerprint} is not the expected ${row.expected ?? ''}; the device sent no schema to compare`;
}

function toFleetDevice(row: Row, verdict: ReturnType<typeof assessDrift> | null): FleetDevice {
  return {
    id: row.id,
    tenant: row.tenantId,
    channel: row.channel,
    labels: row.labels,
    revision: row.revision ?? null,
    fingerprint: row.fingerprint ?? null,
    expectedFingerprint: verdict?.expectedFingerprint ?? null,
    bundleSequence: row.bundleSequence ?? null,
    drift: verdict?.drifted ?? false,
    online: row.online ?? false,
    lastSeen: row.lastSeen?.toISOString() ?? null,
    reportedAt: row.reportedAt?.toISOString() ?? null,
    revoked: row.revokedAt !== null,
  };
}

async function expectedSchema(tx: Tx, revision: string): Promise<SchemaDescription | null> {
  const [row] = await tx.select({ schema: t.bundleRevisions.schema }).from(t.bundleRevisions).where(eq(t.bundleRevisions.revisionId, revision)).limit(1);
  return (row?.schema as SchemaDescription | undefined) ?? null;
}
