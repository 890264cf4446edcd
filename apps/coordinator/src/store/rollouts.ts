import { and, eq, gt, inArray, isNull, sql } from 'drizzle-orm';
import { coordinator as t } from '@godwit/schema';
import type { Tx } from './database.js';
import { notFound } from './errors.js';

/**
 * The rollout tables' SQL, for `RolloutService` (src/rollouts), which holds the rules and decides
 * the transactions: every function runs in the transaction it is given, the tenant already set
 * (bar `pendingTargetsOfActiveRollouts`, which crosses tenants on the admin scope).
 */

export type RolloutRow = typeof t.rollouts.$inferSelect;
export type NewRollout = Pick<typeof t.rollouts.$inferInsert, 'tenantId' | 'bundleId' | 'channel' | 'percent' | 'selectors' | 'failureThresholdPercent' | 'minAttempts'>;

export interface TargetRow {
  deviceId: string;
  status: t.TargetStatus;
  error: string | null;
  attempts: number;
  addedAt: Date;
  retriedAt: Date | null;
  resultAt: Date | null;
  /** When the device's newest stored report arrived (null: never). */
  reportedAt: Date | null;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export async function bundleExists(tx: Tx, bundleId: string): Promise<boolean> {
  const [bundle] = await tx.select({ id: t.bundles.id }).from(t.bundles).where(eq(t.bundles.id, bundleId));
  return bundle !== undefined;
}

export async function insertRollout(tx: Tx, values: NewRollout): Promise<RolloutRow> {
  const [row] = await tx.insert(t.rollouts).values(values).returning();
  return row!;
}

/** `lock`: the row is held until the transaction ends, so two changes never add targets at once. */
export async function rolloutRow(tx: Tx, id: string, lock = false): Promise<RolloutRow> {
  if (!UUID.test(id)) throw notFound(`rollout ${id}`);
  const query = tx.select().from(t.rollouts).where(eq(t.rollouts.id, id));
  const [row] = lock ? await query.for('update') : await query;
  if (!row) throw notFound(`rollout ${id}`);
  return row;
}

export async function rolloutIds(tx: Tx): Promise<string[]> {
  const rows = await tx.select({ id: t.rollouts.id }).from(t.rollouts).orderBy(t.rollouts.createdAt);
  return rows.map((row) => row.id);
}

/** Active rollouts on a channel, locked in one order for everyone so that two registrations cannot deadlock. */
export function lockActiveOnChannel(tx: Tx, channel: string): Promise<RolloutRow[]> {
  return tx
    .select()
    .from(t.rollouts)
    .where(and(eq(t.rollouts.channel, channel), eq(t.rollouts.state, 'active')))
    .orderBy(t.rollouts.id)
    .for('update');
}

export async function setPercent(tx: Tx, id: string, percent: number): Promise<void> {
  await tx.update(t.rollouts).set({ percent, updatedAt: new Date() }).where(eq(t.rollouts.id, id));
}

export async function setState(tx: Tx, id: string, state: RolloutRow['state'], reason: string | null): Promise<void> {
  await tx.update(t.rollouts).set({ state, pauseReason: reason, updatedAt: new Date() }).where(eq(t.rollouts.id, id));
}

/** Adds settled results to a rollout's running totals; returns the updated row. */
export async function addResults(tx: Tx, id: string, counts: { successes: number; failures: number }): Promise<RolloutRow | undefined> {
  const [row] = await tx
    .update(t.rollouts)
    .set({
      successes: sql`${t.rollouts.successes} + ${counts.successes}`,
      failures: sql`${t.rollouts.failures} + ${counts.failures}`,
      updatedAt: new Date(),
    })
    .where(eq(t.rollouts.id, id))
    .returning();
  return row;
}

/** The devices of a channel a rollout may target: registered there and not revoked. */
export function channelCandidates(tx: Tx, channel: string): Promise<{ id: string; labels: Record<string, string> }[]> {
  return tx
    .select({ id: t.devices.id, labels: t.devices.labels })
    .from(t.devices)
    .where(and(eq(t.devices.channel, channel), isNull(t.devices.revokedAt)));
}

export async function targetIds(tx: Tx, rolloutId: string): Promise<Set<string>> {
  const rows = await tx.select({ id: t.rolloutTargets.deviceId }).from(t.rolloutTargets).where(eq(t.rolloutTargets.rolloutId, rolloutId));
  return new Set(rows.map((row) => row.id));
}

export async function insertTargets(tx: Tx, tenantId: string, rolloutId: string, deviceIds: readonly string[]): Promise<void> {
  await tx.insert(t.rolloutTargets).values(deviceIds.map((deviceId) => ({ tenantId, rolloutId, deviceId })));
}

/** A rollout's undecided targets, and which of them an operator retried. */
export async function pendingTargets(tx: Tx, rolloutId: string): Promise<{ pendingDeviceIds: string[]; retriedDeviceIds: string[] }> {
  const rows = await tx
    .select({ deviceId: t.rolloutTargets.deviceId, retriedAt: t.rolloutTargets.retriedAt })
    .from(t.rolloutTargets)
    .where(and(eq(t.rolloutTargets.rolloutId, rolloutId), eq(t.rolloutTargets.status, 'pending')));
  return { pendingDeviceIds: rows.map((row) => row.deviceId), retriedDeviceIds: rows.filter((row) => row.retriedAt !== null).map((row) => row.deviceId) };
}

/** A rollout's targets in the order they were added (ties by device id), with the device's newest report time. */
export function targetRows(tx: Tx, rolloutId: string): Promise<TargetRow[]> {
  return tx
    .select({
      deviceId: t.rolloutTargets.deviceId,
      status: t.rolloutTargets.status,
      error: t.rolloutTargets.error,
      attempts: t.rolloutTargets.attempts,
      addedAt: t.rolloutTargets.addedAt,
      retriedAt: t.rolloutTargets.retriedAt,
      resultAt: t.rolloutTargets.resultAt,
      reportedAt: t.deviceState.reportedAt,
    })
    .from(t.rolloutTargets)
    .leftJoin(t.deviceState, and(eq(t.deviceState.tenantId, t.rolloutTargets.tenantId), eq(t.deviceState.deviceId, t.rolloutTargets.deviceId)))
    .where(eq(t.rolloutTargets.rolloutId, rolloutId))
    .orderBy(t.rolloutTargets.addedAt, t.rolloutTargets.deviceId);
}

/** Undecided targets among these devices, with the heads their rollout's bundle must reach. */
export function pendingTargetsOf(tx: Tx, deviceIds: readonly string[]): Promise<{ rolloutId: string; deviceId: string; heads: string[] }[]> {
  return tx
    .select({ rolloutId: t.rolloutTargets.rolloutId, deviceId: t.rolloutTargets.deviceId, heads: t.bundles.heads })
    .from(t.rolloutTargets)
    .innerJoin(t.rollouts, eq(t.rollouts.id, t.rolloutTargets.rolloutId))
    .innerJoin(t.bundles, and(eq(t.bundles.tenantId, t.rollouts.tenantId), eq(t.bundles.id, t.rollouts.bundleId)))
    .where(and(eq(t.rolloutTargets.status, 'pending'), inArray(t.rolloutTargets.deviceId, [...deviceIds])));
}

export async function settleTarget(tx: Tx, rolloutId: string, deviceId: string, verdict: { status: 'succeeded' | 'failed'; error: string | null }): Promise<void> {
  await tx
    .update(t.rolloutTargets)
    .set({ ...verdict, resultAt: new Date(), attempts: sql`${t.rolloutTargets.attempts} + 1` })
    .where(and(eq(t.rolloutTargets.rolloutId, rolloutId), eq(t.rolloutTargets.deviceId, deviceId)));
}

/**
 * Failed targets back to pending, stamped as retried now (so "applying" again waits for a report
 * after this; their place in the order of targets stays), and the rollout's failure count down by
 * as many; returns the devices.
 */
export async function retryFailedTargets(tx: Tx, rolloutId: string): Promise<string[]> {
  const rows = await tx
    .update(t.rolloutTargets)
    .set({ status: 'pending', error: null, resultAt: null, retriedAt: new Date() })
    .where(and(eq(t.rolloutTargets.rolloutId, rolloutId), eq(t.rolloutTargets.status, 'failed')))
    .returning({ deviceId: t.rolloutTargets.deviceId });
  if (rows.length > 0) {
    await tx
      .update(t.rollouts)
      .set({ failures: sql`greatest(${t.rollouts.failures} - ${rows.length}, 0)`, updatedAt: new Date() })
      .where(eq(t.rollouts.id, rolloutId));
  }
  return rows.map((row) => row.deviceId).sort();
}

/** Rollouts targeting a device, newest bundle first. */
export function rolloutsOfDevice(tx: Tx, deviceId: string): Promise<{ rolloutId: string; bundleId: string; sequence: number; state: RolloutRow['state'] }[]> {
  return tx
    .select({ rolloutId: t.rollouts.id, bundleId: t.rollouts.bundleId, sequence: t.bundles.sequence, state: t.rollouts.state })
    .from(t.rolloutTargets)
    .innerJoin(t.rollouts, eq(t.rollouts.id, t.rolloutTargets.rolloutId))
    .innerJoin(t.bundles, and(eq(t.bundles.tenantId, t.rollouts.tenantId), eq(t.bundles.id, t.rollouts.bundleId)))
    .where(eq(t.rolloutTargets.deviceId, deviceId))
    .orderBy(sql`${t.bundles.sequence} desc`);
}

/**
 * Of `deviceIds`, those no rollout of a newer bundle targets: the ones this rollout may hand its
 * bundle to (or withdraw it from), since a device has one retained bundle and a newer rollout's
 * must not be replaced by an older one. One query however many devices; the tenant is named so
 * that it holds in the admin scope too.
 */
export async function devicesWithoutNewer(tx: Tx, tenantId: string, rolloutId: string, deviceIds: readonly string[]): Promise<string[]> {
  if (deviceIds.length === 0) return [];
  const own = tx
    .select({ sequence: t.bundles.sequence })
    .from(t.rollouts)
    .innerJoin(t.bundles, and(eq(t.bundles.tenantId, t.rollouts.tenantId), eq(t.bundles.id, t.rollouts.bundleId)))
    .where(eq(t.rollouts.id, rolloutId));
  const newer = await tx
    .selectDistinct({ deviceId: t.rolloutTargets.deviceId })
    .from(t.rolloutTargets)
    .innerJoin(t.rollouts, eq(t.rollouts.id, t.rolloutTargets.rolloutId))
    .innerJoin(t.bundles, and(eq(t.bundles.tenantId, t.rollouts.tenantId), eq(t.bundles.id, t.rollouts.bundleId)))
    .where(and(eq(t.rolloutTargets.tenantId, tenantId), inArray(t.rolloutTargets.deviceId, [...deviceIds]), gt(t.bundles.sequence, sql`(${own})`)));
  const skip = new Set(newer.map((row) => row.deviceId));
  return deviceIds.filter((id) => !skip.has(id));
}

/** Every undecided target of every active rollout, across tenants (admin scope), one row per rollout. */
export function pendingTargetsOfActiveRollouts(tx: Tx) {
  return tx
    .select({
      tenantId: t.rollouts.tenantId,
      rolloutId: t.rollouts.id,
      bundleId: t.rollouts.bundleId,
      channel: t.rollouts.channel,
      deviceIds: sql<string[]>`array_agg(${t.rolloutTargets.deviceId} order by ${t.rolloutTargets.deviceId})`,
    })
    .from(t.rolloutTargets)
    .innerJoin(t.rollouts, eq(t.rollouts.id, t.rolloutTargets.rolloutId))
    .where(and(eq(t.rollouts.state, 'active'), eq(t.rolloutTargets.status, 'pending')))
    .groupBy(t.rollouts.id);
}
