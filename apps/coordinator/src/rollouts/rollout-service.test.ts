import type { KeyObject } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateKeyPair, makeTestBundle } from '../bundles/test-bundles.js';
import { verifyUpload } from '../bundles/verify-upload.js';
import type { Store } from '../store/store.js';
import { openTestStore, testDrivers } from '../store/test-store.js';
import type { RolloutDelivery, RolloutStateChanged, TargetsAdded } from './delivery.js';

/** Keeps what the rollouts asked to deliver, as the MQTT side would receive it. */
class RecordingDelivery implements RolloutDelivery {
  targets: TargetsAdded[] = [];
  states: RolloutStateChanged[] = [];
  targetsAdded(event: TargetsAdded) {
    this.targets.push(event);
  }
  stateChanged(event: RolloutStateChanged) {
    this.states.push(event);
  }
}

describe.each(testDrivers())('rollouts on %s', (driver) => {
  let store: Store;
  let tenant: string;
  let key: KeyObject;
  const delivery = new RecordingDelivery();

  async function upload(revisions: string[]): Promise<string> {
    const bundle = makeTestBundle(key, revisions);
    return (await store.bundles.add(tenant, verifyUpload(bundle.bytes, await store.keys.trusted(tenant)))).id;
  }

  async function channel(name: string, count: number, labels: (i: number) => Record<string, string> = () => ({})) {
    for (let i = 0; i < count; i++) await store.devices.register(tenant, { id: `${name}-${i}`, channel: name, labels: labels(i) });
  }

  async function targetsOf(rolloutId: string): Promise<string[]> {
    return delivery.targets.filter((t) => t.rolloutId === rolloutId).flatMap((t) => t.deviceIds);
  }

  beforeAll(async () => {
    store = await openTestStore(driver, delivery);
    tenant = (await store.tenants.create('fleet')).id;
    const pair = generateKeyPair();
    key = pair.privateKey;
    await store.keys.add(tenant, pair.publicKey.export({ type: 'spki', format: 'pem' }).toString());
  });
  afterAll(() => store.close());

  it('40% of a 10-device channel reaches 4; widening to 70% keeps them and adds 3', async () => {
    await channel('ten', 10);
    const bundle = await upload(['ten_0001']);
    const rollout = await store.rollouts.publish(tenant, { bundleId: bundle, channel: 'ten', targeting: { percent: 40 } });
    expect(rollout).toMatchObject({ pending: 4, state: 'active', percent: 40 });
    const first = await targetsOf(rollout.id);
    expect(first).toHaveLength(4);
    expect([...rollout.targets].sort()).toEqual([...first].sort());

    const widened = await store.rollouts.widen(tenant, rollout.id, 70);
    expect(widened.targets).toHaveLength(7);
    expect(widened.targets.slice(0, 4).sort()).toEqual([...first].sort());
    const all = await targetsOf(rollout.id);
    expect(all).toHaveLength(7);
    expect(all.slice(0, 4)).toEqual(first);
    expect(new Set(all).size).toBe(7);
    const forDevice = await store.rollouts.forDevice(tenant, all[6]!);
    expect(forDevice).toEqual([expect.objectContaining({ rolloutId: rollout.id, bundleId: bundle, state: 'active' })]);
  });

  it('pause holds: no widening and no new devices until resume', async () => {
    await channel('hold', 4);
    const rollout = await store.rollouts.publish(tenant, { bundleId: await upload(['hold_0001']), channel: 'hold', targeting: { percent: 50 } });
    expect(rollout.targets).toHaveLength(2);
    expect((await store.rollouts.pause(tenant, rollout.id)).state).toBe('paused');
    expect((await store.rollouts.widen(tenant, rollout.id, 100)).targets).toHaveLength(2);
    await store.devices.register(tenant, { id: 'hold-new', channel: 'hold', labels: {} });
    await store.rollouts.refreshChannel(tenant, 'hold');
    expect((await store.rollouts.status(tenant, rollout.id)).targets).toHaveLength(2);
    expect(await targetsOf(rollout.id)).toHaveLength(2);

    const resumed = await store.rollouts.resume(tenant, rollout.id);
    expect(resumed).toMatchObject({ state: 'active', pauseReason: null });
    expect(resumed.targets).toHaveLength(5);
    expect(delivery.states.filter((s) => s.rolloutId === rollout.id).map((s) => s.state)).toEqual(['paused', 'active']);
  });

  it('targets by label selectors', async () => {
    await channel('sel', 6, (i) => ({ site: i < 2 ? 'north' : 'south' }));
    const rollout = await store.rollouts.publish(tenant, { bundleId: await upload(['sel_0001']), channel: 'sel', targeting: { selectors: { site: 'north' } } });
    expect((await targetsOf(rollout.id)).sort()).toEqual(['sel-0', 'sel-1']);
  });

  it('pauses on its own when more than 5% of at least 20 results fail', async () => {
    await channel('big', 25);
    const head = 'big_0001';
    const rollout = await store.rollouts.publish(tenant, { bundleId: await upload([head]), channel: 'big', targeting: { percent: 100 } });
    const report = (i: number, outcome: 'applied' | 'rolled-back') =>
      store.writeReports(
        [{ tenantId: tenant, deviceId: `big-${i}`, counter: 1, revision: head, fingerprint: 'a'.repeat(64), bundleSequence: 1, lastResults: [], schema: null, receivedAt: new Date() }],
        [{ tenantId: tenant, deviceId: `big-${i}`, counter: 1, at: Date.now(), from: null, to: outcome === 'applied' ? head : null, revisions: [head], outcome, durationMs: 3 }],
      );
    for (let i = 0; i < 19; i++) await report(i, 'applied');
    await report(19, 'rolled-back');
    // 1 of 20 is 5%: not more than the threshold.
    expect((await store.rollouts.status(tenant, rollout.id)).state).toBe('active');
    await report(19, 'rolled-back'); // a replay counts once
    await report(20, 'rolled-back');
    const status = await store.rollouts.status(tenant, rollout.id);
    expect(status).toMatchObject({ state: 'paused', pauseReason: 'failure-threshold', succeeded: 19, failed: 2 });
    expect(delivery.states).toContainEqual(
      expect.objectContaining({ tenantId: tenant, rolloutId: rollout.id, state: 'paused', reason: 'failure-threshold' }),
    );
    // The targets that had not reported yet are the ones whose bundle the broker withdraws.
    const paused = delivery.states.find((s) => s.rolloutId === rollout.id && s.state === 'paused')!;
    expect(paused.pendingDeviceIds.sort()).toEqual(['big-21', 'big-22', 'big-23', 'big-24']);
  });

  it('devices registered concurrently into a channel all join its active rollouts, once, and are handed the newest bundle last', async () => {
    await channel('busy', 1);
    const a = await store.rollouts.publish(tenant, { bundleId: await upload(['busy_0001']), channel: 'busy', targeting: { percent: 100 } });
    const b = await store.rollouts.publish(tenant, { bundleId: await upload(['busy_0002']), channel: 'busy', targeting: { percent: 100 } });
    await Promise.all(
      Array.from({ length: 8 }, async (_, i) => {
        await store.devices.register(tenant, { id: `busy-new-${i}`, channel: 'busy', labels: {} });
        await store.rollouts.refreshChannel(tenant, 'busy');
      }),
    );
    for (const rollout of [a, b]) {
      expect((await store.rollouts.status(tenant, rollout.id)).targets).toHaveLength(9);
      const delivered = await targetsOf(rollout.id);
      expect(new Set(delivered).size).toBe(delivered.length);
    }
    // The newer bundle reaches all nine once; the older one only devices the newer did not target yet, never after it.
    expect((await targetsOf(b.id)).sort()).toEqual([...(await store.rollouts.status(tenant, b.id)).targets].sort());
    const last = new Map<string, string>();
    for (const event of delivery.targets.filter((t) => t.rolloutId === a.id || t.rolloutId === b.id)) for (const id of event.deviceIds) last.set(id, event.rolloutId);
    expect([...last.values()].every((id) => id === b.id)).toBe(true);
  });

  it('refuses to narrow a rollout and names an unknown one', async () => {
    const rollout = (await store.rollouts.list(tenant))[0]!;
    await expect(store.rollouts.widen(tenant, rollout.id, 10)).rejects.toMatchObject({ code: 'invalid-request' });
    await expect(store.rollouts.status(tenant, '00000000-0000-4000-8000-000000000000')).rejects.toMatchObject({ code: 'not-found' });
    await expect(store.rollouts.status(tenant, 'nope')).rejects.toMatchObject({ code: 'not-found' });
  });
  it('a retry hands the bundle again, marked as a retry, only to devices no newer rollout targets, whose one retained bundle it would replace', async () => {
    await channel('re', 2, (i) => ({ site: i === 1 ? 'north' : 'south' }));
    const older = await store.rollouts.publish(tenant, { bundleId: await upload(['re_0001']), channel: 're', targeting: { percent: 100 }, failureThresholdPercent: 100 });
    for (const deviceId of ['re-0', 're-1']) {
      await store.writeReports(
        [{ tenantId: tenant, deviceId, counter: 1, revision: null, fingerprint: 'a'.repeat(64), bundleSequence: null, lastResults: [], schema: null, receivedAt: new Date() }],
        [{ tenantId: tenant, deviceId, counter: 1, at: Date.now(), from: null, to: null, revisions: ['re_0001'], outcome: 'rolled-back', durationMs: 3, error: 'disk full' }],
      );
    }
    // A newer bundle reaches re-1 (selected by its label) before the older rollout is retried.
    const newer = await store.rollouts.publish(tenant, { bundleId: await upload(['re_0001', 're_0002']), channel: 're', targeting: { selectors: { site: 'north' } } });
    expect(newer.targets).toEqual(['re-1']);
    delivery.targets.length = 0;

    const retried = await store.rollouts.retry(tenant, older.id);
    expect(retried).toMatchObject({ failed: 0, pending: 2 });
    expect(delivery.targets.map((t) => [t.rolloutId, t.deviceIds, t.retry])).toEqual([[older.id, ['re-0'], true]]);
    // Paused and resumed before it reports: still named as retried, to be told again (re-1 keeps the newer bundle).
    await store.rollouts.pause(tenant, older.id);
    await store.rollouts.resume(tenant, older.id);
    const resumed = delivery.states.filter((s) => s.rolloutId === older.id).at(-1)!;
    expect(resumed.state).toBe('active');
    expect(resumed.retriedDeviceIds).toEqual(['re-0']);
  });

  it("never hands a device an older rollout's bundle, nor withdraws one, where a newer rollout's sits: pause, resume, new devices, redelivery", async () => {
    await channel('ov', 2, (i) => ({ site: i === 1 ? 'north' : 'south' }));
    const older = await store.rollouts.publish(tenant, { bundleId: await upload(['ov_0001']), channel: 'ov', targeting: { percent: 100 } });
    const newer = await store.rollouts.publish(tenant, { bundleId: await upload(['ov_0001', 'ov_0002']), channel: 'ov', targeting: { selectors: { site: 'north' } } });
    expect(newer.targets).toEqual(['ov-1']);

    await store.rollouts.pause(tenant, older.id);
    await store.rollouts.resume(tenant, older.id);
    const olderStates = delivery.states.filter((s) => s.rolloutId === older.id);
    expect(olderStates.map((s) => [s.state, s.pendingDeviceIds])).toEqual([['paused', ['ov-0']], ['active', ['ov-0']]]);

    // A device joining the channel is targeted by both; whichever extends first, the newer bundle is the last it is handed.
    delivery.targets.length = 0;
    await store.devices.register(tenant, { id: 'ov-2', channel: 'ov', labels: { site: 'north' } });
    await store.rollouts.refreshChannel(tenant, 'ov');
    expect((await store.rollouts.status(tenant, older.id)).targets).toContain('ov-2');
    expect(delivery.targets.filter((t) => t.deviceIds.includes('ov-2')).at(-1)?.rolloutId).toBe(newer.id);

    delivery.targets.length = 0;
    await store.rollouts.redeliverPending();
    const redelivered = (id: string) => delivery.targets.filter((t) => t.rolloutId === id).flatMap((t) => t.deviceIds).sort();
    expect(redelivered(older.id)).toEqual(['ov-0']);
    expect(redelivered(newer.id)).toEqual(['ov-1', 'ov-2']);
  });
});
