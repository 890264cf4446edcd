import type { KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateKeyPair, makeTestBundle, schemaWithTables } from '../bundles/test-bundles.js';
import { testDrivers } from '../store/test-store.js';
import { startTestApi, type TestApi } from './test-server.js';

const pem = (key: KeyObject) => key.export({ type: 'spki', format: 'pem' }).toString();

describe.each(testDrivers())('HTTP API on %s', (driver) => {
  let api: TestApi;
  let a: { id: string; token: string };
  let b: { id: string; token: string };
  let signer: ReturnType<typeof generateKeyPair>;

  beforeAll(async () => {
    api = await startTestApi(driver);
    a = (await api.call('POST', '/v1/tenants', api.adminToken, { name: 'a' })).json;
    b = (await api.call('POST', '/v1/tenants', api.adminToken, { name: 'b' })).json;
    signer = generateKeyPair();
    expect((await api.call('POST', '/v1/keys', a.token, { publicKey: pem(signer.publicKey) })).status).toBe(201);
  });
  afterAll(() => api.close());

  it('serves /healthz and an OpenAPI document naming every route', async () => {
    expect((await api.call('GET', '/healthz', null)).json).toEqual({ status: 'ok', driver });
    const served = (await api.call('GET', '/openapi.json', null)).json;
    expect(served).toEqual(JSON.parse(readFileSync(new URL('../../openapi.json', import.meta.url), 'utf8')));
    for (const path of ['/v1/tenants', '/v1/keys', '/v1/devices', '/v1/devices/{id}', '/v1/devices/{id}/revoke', '/v1/drift', '/v1/bundles', '/v1/bundles/{id}', '/v1/rollouts', '/v1/rollouts/{id}', '/v1/rollouts/{id}/pause', '/v1/rollouts/{id}/resume', '/v1/rollouts/{id}/widen', '/metrics']) {
      expect(served.paths, path).toHaveProperty([path]);
    }
  });

  it('asks for the right token', async () => {
    expect((await api.call('GET', '/v1/devices', null)).status).toBe(401);
    expect((await api.call('GET', '/v1/devices', 'gwo_nope')).json.error.code).toBe('unauthorized');
    expect((await api.call('POST', '/v1/tenants', a.token, { name: 'x' })).status).toBe(403);
    expect((await api.call('GET', '/v1/devices', api.adminToken)).status).toBe(403);
  });

  it('answers bad bodies with a 400 naming the problem', async () => {
    const cases: [string, string, unknown, RegExp][] = [
      ['/v1/tenants', api.adminToken, '{nope', /not valid JSON/],
      ['/v1/tenants', api.adminToken, { name: 'x', extra: 1 }, /extra: unknown field/],
      ['/v1/tenants', api.adminToken, {}, /name: a string/],
      ['/v1/devices', a.token, { id: 'a/b' }, /^id: /],
      ['/v1/devices', a.token, { id: 'ok', labels: { k: 1 } }, /labels\.k/],
      ['/v1/keys', a.token, { publicKey: 'not a key' }, /publicKey: not a PEM/],
      ['/v1/rollouts', a.token, { bundle: 'x', channel: 'c', percent: 0 }, /percent: a number above 0/],
      ['/v1/rollouts', a.token, { bundle: 'x', channel: 'c', percent: 5, selectors: { a: 'b' } }, /one or the other/],
    ];
    for (const [path, token, body, message] of cases) {
      const res = await api.call('POST', path, token, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.json.error.message).toMatch(message);
    }
    const huge = await api.call('POST', '/v1/tenants', api.adminToken, { name: 'x'.repeat(100_000) });
    expect(huge.status).toBe(413);
    expect(await api.store.tenants.authenticate('x')).toBeNull();
  });

  it('registers devices with MQTT credentials shown once', async () => {
    const res = await api.call('POST', '/v1/devices', a.token, { id: 'a-1', channel: 'stable', labels: { site: 'north' } });
    expect(res.status).toBe(201);
    expect(res.json).toMatchObject({ id: 'a-1', tenant: a.id, channel: 'stable', mqtt: { username: expect.any(String), password: expect.any(String) } });
    expect(await api.store.authenticateDevice(res.json.mqtt.username, res.json.mqtt.password)).toMatchObject({ deviceId: 'a-1' });
    expect((await api.call('POST', '/v1/devices', a.token, { id: 'a-1' })).status).toBe(409);
    expect((await api.call('POST', '/v1/devices', a.token, { id: 'a-2' })).json.channel).toBe('default');
  });

  it('refuses bundles that are unsigned by a trusted key, malformed or too large, and stores valid ones once', async () => {
    const stranger = makeTestBundle(generateKeyPair().privateKey, ['x_0001']);
    const refused = await api.call('POST', '/v1/bundles', a.token, stranger.bytes);
    expect(refused.status).toBe(422);
    expect(refused.json.error.message).toMatch(/^untrusted-key/);
    expect((await api.call('POST', '/v1/bundles', b.token, makeTestBundle(signer.privateKey, ['y_0001']).bytes)).status).toBe(422);
    expect((await api.call('POST', '/v1/bundles', a.token, new Uint8Array([1, 2, 3]))).json.error.message).toMatch(/^malformed/);
    expect((await api.call('POST', '/v1/bundles', a.token, new Uint8Array(16 * 1024 * 1024 + 1))).status).toBe(413);
    expect((await api.call('GET', '/v1/bundles', a.token)).json).toEqual([]);

    const good = makeTestBundle(signer.privateKey, ['a_0001', 'a_0002']);
    const stored = await api.call('POST', '/v1/bundles', a.token, good.bytes);
    expect(stored.status).toBe(201);
    expect(stored.json).toMatchObject({ id: good.bundleId, revisions: ['a_0001', 'a_0002'], heads: ['a_0002'], size: good.bytes.length });
    expect((await api.call('POST', '/v1/bundles', a.token, good.bytes)).status).toBe(200);
  });

  it('publishes, widens, pauses and resumes rollouts', async () => {
    for (let i = 0; i < 10; i++) await api.call('POST', '/v1/devices', a.token, { id: `r-${i}`, channel: 'ring' });
    const bundle = (await api.call('GET', '/v1/bundles', a.token)).json[0].id;
    const started = await api.call('POST', '/v1/rollouts', a.token, { bundle, channel: 'ring', percent: 40 });
    expect(started.status).toBe(201);
    expect(started.json).toMatchObject({ bundle, channel: 'ring', percent: 40, state: 'active' });
    const first: string[] = started.json.targets;
    expect(first).toHaveLength(4);
    const id = started.json.id;
    // A body has always been ignored here (retry, newer, is strict).
    expect((await api.call('POST', `/v1/rollouts/${id}/pause`, a.token, { reason: 'maintenance' })).json.state).toBe('paused');
    expect((await api.call('POST', `/v1/rollouts/${id}/widen`, a.token, { percent: 70 })).json.targets).toEqual(first);
    const resumed = (await api.call('POST', `/v1/rollouts/${id}/resume`, a.token)).json;
    expect(resumed.state).toBe('active');
    expect(resumed.targets).toHaveLength(7);
    expect(resumed.targets).toEqual(expect.arrayContaining(first));
    expect((await api.call('GET', `/v1/rollouts/${id}`, a.token)).json.percent).toBe(70);
    expect((await api.call('POST', '/v1/rollouts', a.token, { bundle: 'nope', channel: 'ring' })).status).toBe(404);
  });

  it('lists devices with drift, and drifted ones with a diff', async () => {
    const bundle = makeTestBundle(signer.privateKey, ['d_0001']);
    await api.call('POST', '/v1/bundles', a.token, bundle.bytes);
    await api.call('POST', '/v1/devices', a.token, { id: 'drifty', channel: 'd' });
    await api.call('POST', '/v1/devices', a.token, { id: 'clean', channel: 'd' });
    await api.call('POST', '/v1/devices', a.token, { id: 'lost', channel: 'd' });
    const expected = bundle.revisions.get('d_0001')!;
    const live = schemaWithTables('t_0', 'extra');
    const report = (deviceId: string, revision: string, fingerprint: string, schema: typeof live | null) => ({
      tenantId: a.id, deviceId, counter: 1, revision, fingerprint, bundleSequence: 1, lastResults: [], schema, receivedAt: new Date(),
    });
    await api.store.writeReports(
      [
        report('drifty', 'd_0001', 'b'.repeat(64), live),
        report('clean', 'd_0001', expected.fingerprint, null),
        report('lost', 'zz_unknown', 'c'.repeat(64), null),
      ],
      [],
    );
    const devices: any[] = (await api.call('GET', '/v1/devices', a.token)).json;
    const clean = devices.find((d) => d.id === 'clean');
    expect(clean).toMatchObject({ tenant: a.id, channel: 'd', revision: 'd_0001', fingerprint: expected.fingerprint, drift: false, online: true });
    expect(typeof clean.lastSeen).toBe('string');
    expect(devices.find((d) => d.id === 'a-2')).toMatchObject({ revision: null, drift: false, online: false, lastSeen: null });

    const drift: any[] = (await api.call('GET', '/v1/drift', a.token)).json;
    expect(drift.map((d) => d.id).sort()).toEqual(['drifty', 'lost']);
    expect(drift.find((d) => d.id === 'drifty').diff).toMatch(/extra/);
    expect(drift.find((d) => d.id === 'lost').diff).toMatch(/zz_unknown/);
  });

  it("with A's token, B's devices, bundles and rollouts can be neither read nor changed", async () => {
    await api.call('POST', '/v1/keys', b.token, { publicKey: pem(signer.publicKey) });
    await api.call('POST', '/v1/devices', b.token, { id: 'b-1', channel: 'bc' });
    const bundle = makeTestBundle(signer.privateKey, ['b_0001']);
    await api.call('POST', '/v1/bundles', b.token, bundle.bytes);
    const rollout = (await api.call('POST', '/v1/rollouts', b.token, { bundle: bundle.bundleId, channel: 'bc', percent: 50 })).json;

    expect((await api.call('GET', '/v1/devices/b-1', a.token)).status).toBe(404);
    expect((await api.call('POST', '/v1/devices/b-1/revoke', a.token)).status).toBe(404);
    expect((await api.call('GET', `/v1/bundles/${bundle.bundleId}`, a.token)).status).toBe(404);
    expect((await api.call('POST', '/v1/rollouts', a.token, { bundle: bundle.bundleId, channel: 'bc' })).status).toBe(404);
    expect((await api.call('GET', `/v1/rollouts/${rollout.id}`, a.token)).status).toBe(404);
    expect((await api.call('POST', `/v1/rollouts/${rollout.id}/pause`, a.token)).status).toBe(404);
    expect((await api.call('POST', `/v1/rollouts/${rollout.id}/widen`, a.token, { percent: 100 })).status).toBe(404);
    const aDevices: any[] = (await api.call('GET', '/v1/devices', a.token)).json;
    expect(aDevices.some((d) => d.tenant !== a.id)).toBe(false);
    expect((await api.call('GET', '/v1/rollouts', a.token)).json.some((r: any) => r.id === rollout.id)).toBe(false);

    // Nothing of B's changed.
    expect((await api.call('GET', '/v1/devices/b-1', b.token)).json.revoked).toBe(false);
    expect((await api.call('GET', `/v1/rollouts/${rollout.id}`, b.token)).json).toMatchObject({ state: 'active', percent: 50, targets: ['b-1'] });
  });

  it('exposes fleet metrics', async () => {
    const text: string = (await api.call('GET', '/metrics', api.adminToken)).json;
    expect(text).toMatch(new RegExp(`godwit_devices\\{tenant="${a.id}",revision="d_0001"\\} 2`));
    expect(text).toMatch(/# TYPE godwit_rollout_targets gauge/);
    expect(text).toMatch(/godwit_rollout_results\{tenant="[^"]+",rollout="[^"]+",result="succeeded"\} 0/);
  });
});
