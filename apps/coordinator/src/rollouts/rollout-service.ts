import { COORDINATOR, recordAudit, type Actor } from '../store/audit.js';
import type { Tx } from '../store/database.js';
import { CoordinatorError, notFound } from '../store/errors.js';
import * as queries from '../store/rollouts.js';
import type { RolloutRow, TargetRow } from '../store/rollouts.js';
import type { Scopes } from '../store/scopes.js';
import type { RolloutDelivery, RolloutStateChanged, TargetsAdded } from './delivery.js';
import { newTargets, type Targeting } from './selection.js';
import { DEFAULT_FAILURE_THRESHOLD_PERCENT, DEFAULT_MIN_ATTEMPTS, passesFailureThreshold } from './threshold.js';

export interface RolloutStatus {
  id: string;
  tenant: string;
  bundle: string;
  channel: string;
  percent: number | null;
  selectors: Record<string, string> | null;
  state: 'active' | 'paused';
  pauseReason: string | null;
  /** The devices reached, in the order they were (ties by id): widening only appends. */
  targets: string[];
  /** Each target's progress, in the order of `targets`. */
  devices: TargetProgress[];
  /** Counts of `devices` by status: they add up to the number of targets. */
  pending: number;
  applying: number;
  succeeded: number;
  failed: number;
  /** Of `pending` and `applying`, the targets a paused rollout holds back (0 while active). */
  paused: number;
  /** Results counted against the failure threshold (retried failures are taken off `failures`). */
  successes: number;
  failures: number;
  failureThresholdPercent: number;
  minAttempts: number;
  createdAt: string;
}

export interface PublishInput {
  bundleId: string;
  channel: string;
  targeting: Targeting;
  failureThresholdPercent?: number;
  minAttempts?: number;
}

/**
 * Where one target stands. `pending`: the bundle is handed to the broker and the device has not
 * reported since; `applying`: the device has reported since it was targeted (so it has connected
 * and been given the bundle) but no result of its has decided the target yet; `succeeded` /
 * `failed`: a result decided it (`error` says why it failed).
 */
export interface TargetProgress {
  id: string;
  status: 'pending' | 'applying' | 'succeeded' | 'failed';
  error: string | null;
  /** Results that decided this target, retries included. */
  attempts: number;
  addedAt: string;
  /** When it was last sent back to pending by a retry; null if never. */
  retriedAt: string | null;
  resultAt: string | null;
}

/** One migration result as ingest stored it, for the rollout counters. */
export interface ResultEvent {
  deviceId: string;
  outcome: 'applied' | 'up-to-date' | 'rolled-back' | 'refused';
  to: string | null;
  error?: string;
}

type Notice = { kind: 'targets'; event: TargetsAdded } | { kind: 'state'; event: RolloutStateChanged };

export const FAILURE_THRESHOLD_REASON = 'failure-threshold';

/**
 * Publish, widen, pause and resume rollouts, and count their results: the rules (who is targeted,
 * when a rollout pauses itself, what delivery is told). The SQL is in src/store/rollouts.ts.
 */
export class RolloutService {
  constructor(
    private readonly scopes: Scopes,
    private readonly delivery: RolloutDelivery,
  ) {}

  async publish(tenantId: string, input: PublishInput, actor: Actor = COORDINATOR): Promise<RolloutStatus> {
    return this.change(tenantId, async (tx, notices) => {
      if (!(await queries.bundleExists(tx, input.bundleId))) throw notFound(`bundle ${input.bundleId}`);
      const row = await queries.insertRollout(tx, {
        tenantId,
        bundleId: input.bundleId,
        channel: input.channel,
        percent: 'percent' in input.targeting ? input.targeting.percent : null,
        selectors: 'selectors' in input.targeting ? input.targeting.selectors : null,
        failureThresholdPercent: input.failureThresholdPercent ?? DEFAULT_FAILURE_THRESHOLD_PERCENT,
        minAttempts: input.minAttempts ?? DEFAULT_MIN_ATTEMPTS,
      });
      await this.extend(tx, row, notices);
      await recordAudit(tx, tenantId, actor, 'published', `rollout ${row.id}`, { bundle: row.bundleId, channel: row.channel, percent: row.percent, selectors: row.selectors });
      return load(tx, row.id);
    });
  }

  async status(tenantId: string, id: string): Promise<RolloutStatus> {
    return this.scopes.tenant(tenantId, (tx) => load(tx, id));
  }

  async list(tenantId: string): Promise<RolloutStatus[]> {
    return this.scopes.tenant(tenantId, async (tx) => {
      const out: RolloutStatus[] = [];
      for (const id of await queries.rolloutIds(tx)) out.push(await load(tx, id));
      return out;
    });
  }

  /** A paused rollout reaches no new device (widening and new devices wait for resume). */
  async pause(tenantId: string, id: string, actor: Actor = COORDINATOR): Promise<RolloutStatus> {
    return this.change(tenantId, async (tx, notices) => {
      const row = await queries.rolloutRow(tx, id, true);
      if (row.state !== 'paused') {
        await this.setState(tx, row, 'paused', 'operator', notices);
        await recordAudit(tx, tenantId, actor, 'paused', `rollout ${id}`);
      }
      return load(tx, id);
    });
  }

  async resume(tenantId: string, id: string, actor: Actor = COORDINATOR): Promise<RolloutStatus> {
    return this.change(tenantId, async (tx, notices) => {
      const row = await queries.rolloutRow(tx, id, true);
      if (row.state !== 'active') {
        await this.setState(tx, row, 'active', null, notices);
        await recordAudit(tx, tenantId, actor, 'resumed', `rollout ${id}`);
      }
      await this.extend(tx, { ...row, state: 'active' }, notices);
      return load(tx, id);
    });
  }

  async widen(tenantId: string, id: string, percent: number, actor: Actor = COORDINATOR): Promise<RolloutStatus> {
    return this.change(tenantId, async (tx, notices) => {
      const row = await queries.rolloutRow(tx, id, true);
      if (row.percent === null) throw new CoordinatorError('invalid-request', `rollout ${id} targets by selectors, not by percent`);
      if (percent < row.percent) throw new CoordinatorError('invalid-request', `percent: ${percent} is below the current ${row.percent}; a rollout only widens`);
      await queries.setPercent(tx, id, percent);
      await this.extend(tx, { ...row, percent }, notices);
      await recordAudit(tx, tenantId, actor, 'widened', `rollout ${id}`, { from: row.percent, to: percent });
      return load(tx, id);
    });
  }

  /**
   * Gives the failed targets another attempt: pending again, their failures no longer counted
   * against the threshold, and the bundle handed to delivery again while the rollout is active
   * (a paused rollout delivers them on resume). No failed target: nothing changes. As for every
   * delivery, a device that a rollout of a newer bundle also targets keeps that one.
   */
  async retry(tenantId: string, id: string, actor: Actor = COORDINATOR): Promise<RolloutStatus> {
    return this.change(tenantId, async (tx, notices) => {
      const row = await queries.rolloutRow(tx, id, true);
      const deviceIds = await queries.retryFailedTargets(tx, id);
      if (deviceIds.length > 0) {
        const deliver = await queries.devicesWithoutNewer(tx, tenantId, id, deviceIds);
        if (row.state === 'active' && deliver.length > 0) {
          notices.push({ kind: 'targets', event: { tenantId, rolloutId: id, bundleId: row.bundleId, channel: row.channel, deviceIds: deliver, retry: true } });
        }
        await recordAudit(tx, tenantId, actor, 'retried', `rollout ${id}`, { devices: deviceIds });
      }
      return load(tx, id);
    });
  }

  /** After a device joins a channel: active rollouts there may now reach it. */
  async refreshChannel(tenantId: string, channel: string): Promise<void> {
    await this.change(tenantId, async (tx, notices) => {
      for (const row of await queries.lockActiveOnChannel(tx, channel)) await this.extend(tx, row, notices);
    });
  }

  /** Rollouts targeting a device, newest bundle first: what the device should have delivered. */
  async forDevice(tenantId: string, deviceId: string): Promise<{ rolloutId: string; bundleId: string; sequence: number; state: 'active' | 'paused' }[]> {
    return this.scopes.tenant(tenantId, (tx) => queries.rolloutsOfDevice(tx, deviceId));
  }

  /**
   * Counts newly stored migration results against the rollouts still waiting on those devices, and
   * pauses a rollout whose failures pass its threshold. Runs inside the ingest transaction (the
   * tenant already set); returns the state changes to announce once it commits.
   */
  async applyResults(tx: Tx, tenantId: string, events: readonly ResultEvent[]): Promise<RolloutStateChanged[]> {
    if (events.length === 0) return [];
    const touched = new Map<string, { successes: number; failures: number }>();
    for (const target of await queries.pendingTargetsOf(tx, [...new Set(events.map((e) => e.deviceId))])) {
      const verdict = judge(target, events);
      if (!verdict) continue;
      await queries.settleTarget(tx, target.rolloutId, target.deviceId, verdict);
      const counts = touched.get(target.rolloutId) ?? { successes: 0, failures: 0 };
      counts[verdict.status === 'succeeded' ? 'successes' : 'failures'] += 1;
      touched.set(target.rolloutId, counts);
    }
    const changes: RolloutStateChanged[] = [];
    for (const [rolloutId, counts] of touched) {
      const row = await queries.addResults(tx, rolloutId, counts);
      if (row && row.state === 'active' && passesFailureThreshold(row)) {
        const notices: Notice[] = [];
        await this.setState(tx, row, 'paused', FAILURE_THRESHOLD_REASON, notices);
        await recordAudit(tx, tenantId, COORDINATOR, 'paused', `rollout ${rolloutId}`, { reason: FAILURE_THRESHOLD_REASON, successes: row.successes, failures: row.failures });
        for (const n of notices) if (n.kind === 'state') changes.push(n.event);
      }
    }
    return changes;
  }

  /**
   * Hands every pending target of every active rollout to delivery again: after a restart an
   * embedded broker has lost its retained messages, and re-publishing one is harmless (each device
   * its newest bundle only, whichever rollout comes first here).
   */
  async redeliverPending(): Promise<number> {
    const pending = await this.scopes.admin(async (tx) => {
      const events = await queries.pendingTargetsOfActiveRollouts(tx);
      for (const event of events) event.deviceIds = await queries.devicesWithoutNewer(tx, event.tenantId, event.rolloutId, event.deviceIds);
      return events.filter((event) => event.deviceIds.length > 0);
    });
    for (const event of pending) await this.delivery.targetsAdded(event);
    return pending.length;
  }

  async announce(changes: readonly RolloutStateChanged[]): Promise<void> {
    for (const event of changes) await this.delivery.stateChanged(event);
  }

  /** Runs a change in one tenant transaction, then tells delivery what it did once it has committed. */
  private async change<T>(tenantId: string, fn: (tx: Tx, notices: Notice[]) => Promise<T>): Promise<T> {
    const notices: Notice[] = [];
    const result = await this.scopes.tenant(tenantId, (tx) => fn(tx, notices));
    for (const n of notices) {
      if (n.kind === 'targets') await this.delivery.targetsAdded(n.event);
      else await this.delivery.stateChanged(n.event);
    }
    return result;
  }

  private async extend(tx: Tx, row: RolloutRow, notices: Notice[]): Promise<void> {
    if (row.state !== 'active') return;
    const targeting: Targeting = row.selectors ? { selectors: row.selectors } : { percent: row.percent ?? 100 };
    const added = newTargets(row.id, targeting, await queries.channelCandidates(tx, row.channel), await queries.targetIds(tx, row.id));
    if (added.length === 0) return;
    await queries.insertTargets(tx, row.tenantId, row.id, added);
    const deliver = await queries.devicesWithoutNewer(tx, row.tenantId, row.id, added);
    if (deliver.length > 0) notices.push({ kind: 'targets', event: { tenantId: row.tenantId, rolloutId: row.id, bundleId: row.bundleId, channel: row.channel, deviceIds: deliver } });
  }

  /** Pausing withdraws the bundle and resuming hands it out again, both only where no newer rollout's bundle sits. */
  private async setState(tx: Tx, row: RolloutRow, state: 'active' | 'paused', reason: string | null, notices: Notice[]): Promise<void> {
    await queries.setState(tx, row.id, state, reason);
    const pending = await queries.pendingTargets(tx, row.id);
    const reachable = new Set(await queries.devicesWithoutNewer(tx, row.tenantId, row.id, pending.pendingDeviceIds));
    notices.push({
      kind: 'state',
      event: {
        tenantId: row.tenantId,
        rolloutId: row.id,
        bundleId: row.bundleId,
        state,
        reason,
        pendingDeviceIds: pending.pendingDeviceIds.filter((id) => reachable.has(id)),
        retriedDeviceIds: pending.retriedDeviceIds.filter((id) => reachable.has(id)),
      },
    });
  }
}

async function load(tx: Tx, id: string): Promise<RolloutStatus> {
  const row = await queries.rolloutRow(tx, id);
  const devices = (await queries.targetRows(tx, id)).map(progress);
  const count = (status: TargetProgress['status']) => devices.filter((target) => target.status === status).length;
  const undecided = count('pending') + count('applying');
  return {
    id: row.id,
    tenant: row.tenantId,
    bundle: row.bundleId,
    channel: row.channel,
    percent: row.percent,
    selectors: row.selectors,
    state: row.state,
    pauseReason: row.pauseReason,
    targets: devices.map((target) => target.id),
    devices,
    pending: count('pending'),
    applying: count('applying'),
    succeeded: count('succeeded'),
    failed: count('failed'),
    paused: row.state === 'paused' ? undecided : 0,
    successes: row.successes,
    failures: row.failures,
    failureThresholdPercent: row.failureThresholdPercent,
    minAttempts: row.minAttempts,
    createdAt: row.createdAt.toISOString(),
  };
}

type Verdict = { status: 'succeeded' | 'failed'; error: string | null };

/**
 * A pending target's outcome from the device's newly stored results, or null while none decides
 * it. Device clocks are not trusted, so any new result counts, not only those dated after targeting.
 */
function judge(target: { deviceId: string; heads: string[] }, events: readonly ResultEvent[]): Verdict | null {
  let verdict: Verdict | null = null;
  for (const e of events) {
    if (e.deviceId !== target.deviceId) continue;
    if (e.outcome === 'rolled-back' || e.outcome === 'refused') verdict = { status: 'failed', error: e.error ?? e.outcome };
    else if (e.to !== null && target.heads.includes(e.to)) verdict = { status: 'succeeded', error: null };
  }
  return verdict;
}

/** A stored target as the operator reads it: undecided ones split by whether the device reported since it was targeted. */
function progress(row: TargetRow): TargetProgress {
  const reportedSince = row.reportedAt !== null && row.reportedAt > (row.retriedAt ?? row.addedAt);
  return {
    id: row.deviceId,
    status: row.status === 'pending' && reportedSince ? 'applying' : row.status,
    error: row.error,
    attempts: row.attempts,
    addedAt: row.addedAt.toISOString(),
    retriedAt: row.retriedAt?.toISOString() ?? null,
    resultAt: row.resultAt?.toISOString() ?? null,
  };
}
