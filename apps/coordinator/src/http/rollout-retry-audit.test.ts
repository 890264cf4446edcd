import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keyIdOf } from '../bundles/engine.js';
import { generateKeyPair, makeTestBundle } from '../bundles/test-bundles.js';
import { testDrivers } from '../store/test-store.js';
import { startTestApi, type TestApi } from './test-server.js';

/** What the dashboard's rollout, bundle and audit pages stand on: retry of failed targets, attempts, signers and expiry, the audit log. */
describe.each(testDrivers())('rollout retry, bundle signers and the audit log on %s', (driver) => {
  let api: TestApi;
  let a: { id: string; token: string };
  let b: { id: string; token: string };
  let second: { id: string; token: string };
  let rollout: string;
  const signer = generateKeyPair();
  const expiresAt = Date.UTC(2099, 0, 1);
  const bundle = makeTestBundle(signer.privateKey, ['r_0001', 'r_0002'], { expiresAt });
  const head = 'r_0002';

  const result = (deviceId: string, counter: number, outcome: 'applied' | 'rolled-back', error?: string) => ({
    tenantId: a.id, deviceId, counter, at: counter, from: null, to: outcome === 'applied' ? head : null, revisions: [head], outcome, durationMs: 5, ...(error && { error }),
  });

  beforeAll(async () => {
    api = await startTestApi(driver);
    a = (await api.call('POST', '/v1/tenants', api.adminToken, { name: 'a' })).json;
    b = (await api.call('POST', '/v1/tenants', api.adminToken, { name: 'b' })).json;
    second = (await api.call('POST', '/v1/tokens', a.token)).json;
    await api.call('POST', '/v1/keys', a.token, { publicKey: signer.publicKey.export({ type: 'spki', format: 'pem' }) });
    expect((await api.call('POST', '/v1/bundles', a.token, bundle.bytes)).status).toBe(201);
    for (const id of ['d1', 'd2', 'd3']) expect((await api.call('POST', '/v1/devices', a.token, { id, channel: 'stable' })).status).toBe(201);
    // A threshold no result can pass, so failures leave the rollout active.
    const published = await api.call('POST', '/v1/rollouts', second.token, { bundle: bundle.bundleId, channel: 'stable', failureThresholdPercent: 100 });
    expect(published.status).toBe(201);
    rollout = published.json.id;
    await api.store.writeReports([], [result('d1', 1, 'applied'), result('d2', 1, 'rolled-back', 'disk full'), result('d3', 1, 'rolled-back', 'locked')]);
  });
  afterAll(() => api?.close());

  it('lists bundles with the key ids that signed them and their expiry', async () => {
    const [listed] = (await api.call('GET', '/v1/bundles', a.token)).json;
    expect(listed).toMatchObject({ id: bundle.bundleId, revisions: ['r_0001', 'r_0002'], signers: [keyIdOf(signer.publicKey)], expiresAt: new Date(expiresAt).toISOString() });
    const keys = (await api.call('GET', '/v1/keys', a.token)).json as { keyId: string }[];
    expect(keys.map((k) => k.keyId)).toEqual(listed.signers);
  });

  it('retries the failed targets: pending again with their attempts kept, failures off the threshold count', async () => {
    const before = (await api.call('GET', `/v1/rollouts/${rollout}`, a.token)).json;
    expect(before).toMatchObject({ succeeded: 1, failed: 2, pending: 0, paused: 0, successes: 1, failures: 2 });
    expect(before.devices.map((d: { id: string; attempts: number; error: string | null }) => [d.id, d.attempts, d.error])).toEqual([
      ['d1', 1, null],
      ['d2', 1, 'disk full'],
      ['d3', 1, 'locked'],
    ]);

    const retried = await api.call('POST', `/v1/rollouts/${rollout}/retry`, a.token);
    expect(retried.status).toBe(200);
    expect(retried.json).toMatchObject({ succeeded: 1, failed: 0, pending: 2, successes: 1, failures: 0 });
    expect(retried.json.devices.filter((d: { status: string }) => d.status === 'pending').map((d: { id: string; attempts: number; error: null }) => [d.id, d.attempts, d.error])).toEqual([
      ['d2', 1, null],
      ['d3', 1, null],
    ]);
    // Retried, not targeted anew: the order of targets and when each was reached stay.
    expect(retried.json.targets).toEqual(before.targets);
    expect(retried.json.devices.map((d: { addedAt: string }) => d.addedAt)).toEqual(before.devices.map((d: { addedAt: string }) => d.addedAt));
    expect(retried.json.devices.map((d: { retriedAt: string | null }) => d.retriedAt !== null)).toEqual([false, true, true]);
    // Nothing failed any more: a second retry changes nothing and logs nothing.
    expect((await api.call('POST', `/v1/rollouts/${rollout}/retry`, a.token)).json).toMatchObject({ failed: 0, pending: 2 });

    await api.store.writeReports([], [result('d2', 2, 'applied')]);
    const after = (await api.call('GET', `/v1/rollouts/${rollout}`, a.token)).json;
    expect(after.devices.find((d: { id: string }) => d.id === 'd2')).toMatchObject({ status: 'succeeded', attempts: 2 });
  });

  it('counts the undecided targets of a paused rollout as paused', async () => {
    const paused = (await api.call('POST', `/v1/rollouts/${rollout}/pause`, a.token)).json;
    expect(paused).toMatchObject({ state: 'paused', pending: 1, paused: 1 });
    expect((await api.call('POST', `/v1/rollouts/${rollout}/resume`, a.token, {})).json).toMatchObject({ state: 'active', paused: 0 });
  });

  it('logs who did what, newest first, in pages, with the token that did it', async () => {
    await api.call('POST', '/v1/devices/d3/revoke', second.token);
    const { entries, next } = (await api.call('GET', '/v1/audit', a.token)).json;
    expect(next).toBeNull();
    expect(entries.map((e: { action: string; subject: string }) => `${e.action} ${e.subject}`)).toEqual([
      'revoked device d3',
      `resumed rollout ${rollout}`,
      `paused rollout ${rollout}`,
      `retried rollout ${rollout}`,
      `published rollout ${rollout}`,
      'registered device d3',
      'registered device d2',
      'registered device d1',
      `uploaded bundle ${bundle.bundleId}`,
    ]);
    const byAction = (action: string) => entries.find((e: { action: string }) => e.action === action);
    const tokens = (await api.call('GET', '/v1/tokens', a.token)).json as { id: string; current: boolean }[];
    const first = tokens.find((t) => t.current)!.id;
    expect(byAction('published').tokenId).toBe(second.id);
    expect(byAction('retried')).toMatchObject({ tokenId: first, detail: { devices: ['d2', 'd3'] } });
    expect(byAction('revoked').tokenId).toBe(second.id);

    const page1 = (await api.call('GET', '/v1/audit?limit=4', a.token)).json;
    expect(page1.entries).toHaveLength(4);
    const page2 = (await api.call('GET', `/v1/audit?limit=4&before=${page1.next}`, a.token)).json;
    expect([...page1.entries, ...page2.entries].map((e: { id: number }) => e.id)).toEqual(entries.slice(0, 8).map((e: { id: number }) => e.id));
  });

  it("keeps tenants apart: B sees none of A's entries and cannot retry A's rollout", async () => {
    expect((await api.call('GET', '/v1/audit', b.token)).json).toEqual({ entries: [], next: null });
    expect((await api.call('POST', `/v1/rollouts/${rollout}/retry`, b.token)).status).toBe(404);
    expect((await api.call('GET', '/v1/audit', api.adminToken)).status).toBe(403);
  });

  it('refuses bad input with one line: bodies, NUL, lone surrogates, paging', async () => {
    const refusals: [string, string, unknown?][] = [
      ['POST', `/v1/rollouts/${rollout}/retry`, { devices: ['d2'] }],
      ['POST', `/v1/rollouts/${rollout}/retry`, '{not json'],
      ['POST', `/v1/rollouts/${rollout}/retry`, '{"\\u0000": 1}'],
      ['POST', `/v1/rollouts/${rollout}/retry`, '{"x": "\\ud800"}'],
      ['POST', '/v1/rollouts/not-a-uuid/retry'],
      ['GET', '/v1/audit?limit=0'],
      ['GET', '/v1/audit?before=x'],
      ['GET', '/v1/audit?limit=501'],
      ['GET', '/v1/audit?tenant=x'],
      ['GET', '/v1/audit?limit=%00'],
      ['GET', '/v1/audit?limit=%ED%A0%80'],
    ];
    for (const [method, path, body] of refusals) {
      const res = await api.call(method, path, a.token, body);
      expect(res.status, `${method} ${path} ${String(body)}`).toBe(400);
      expect(res.json.error.message, path).toMatch(/^[^\n]+$/);
    }
  });
});
