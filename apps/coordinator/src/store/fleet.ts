import { and, eq, sql } from 'drizzle-orm';
import { coordinator as t } from '@godwit/schema';
import { diffSchemas, emptySchema, fingerprintOf, formatSchemaDiff, type SchemaDescription } from '../bundles/engine.js';
import type { Tx } from './database.js';
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

let emptyFingerprint: string | undefined;
// A device at base (no revision) must have an empty schema.
function baseFingerprint(): string {
  return (emptyFingerprint ??= fingerprintOf(emptySchema()));
}

/** The per-device view support reads: state joined with what each revision should look like. */
export class FleetView {
  constructor(private readonly scopes: Scopes) {}

  async devices(tenantId: string): Promise<FleetDevice[]> {
    const rows = await this.scopes.tenant(tenantId, selectFleet);
    return rows.map(toFleetDevice);
  }

  async drift(tenantId: string): Promise<DriftedDevice[]> {
    return this.scopes.tenant(tenantId, async (tx) => {
      const drifted = (await selectFleet(tx)).map((row) => ({ row, device: toFleetDevice(row) })).filter((d) => d.device.drift);
      const out: DriftedDevice[] = [];
      for (const { row, device } of drifted) {
        const expected = row.revision === null ? emptySchema() : await expectedSchema(tx, row.revision);
        out.push({ ...device, diff: describeDrift(device, expected, row.schema as SchemaDescription | null) });
      }
      return out;
    });
  }
}

function selectFleet(tx: Tx) {
  // Any bundle carrying the revision will do: a revision's content, hence its schema, is fixed by its checksum chain.
  const expected = sql<string | null>`(select br.fingerprint from ${t.bundleRevisions} br where br.tenant_id = ${t.devices.tenantId} and br.revision_id = ${t.deviceState.revision} limit 1)`;
  return tx
    .select({
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
      expected,
    })
    .from(t.devices)
    .leftJoin(t.deviceState, and(eq(t.deviceState.tenantId, t.devices.tenantId), eq(t.deviceState.deviceId, t.devices.id)))
    .orderBy(t.devices.id);
}

type Row = Awaited<ReturnType<typeof selectFleet>>[number];

function toFleetDevice(row: Row): FleetDevice {
  const reported = row.counter !== null && row.fingerprint !== null;
  const expectedFingerprint = row.revision === null ? (reported ? baseFingerprint() : null) : row.expected;
  return {
    id: row.id,
    tenant: row.tenantId,
    channel: row.channel,
    labels: row.labels,
    revision: row.revision ?? null,
    fingerprint: row.fingerprint ?? null,
    expectedFingerprint,
    bundleSequence: row.bundleSequence ?? null,
    drift: reported && row.fingerprint !== expectedFingerprint,
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

function describeDrift(device: FleetDevice, expected: SchemaDescription | null, actual: SchemaDescription | null): string {
  if (expected === null) return `revision ${device.revision} is unknown to the coordinator (no uploaded bundle contains it)`;
  if (actual === null) return `fingerprint ${device.fingerprint} differs from the expected ${device.expectedFingerprint}; the device sent no schema description`;
  const changes = diffSchemas(expected, actual);
  return changes.length === 0 ? `fingerprint ${device.fingerprint} differs from the expected ${device.expectedFingerprint}` : formatSchemaDiff(changes);
}
