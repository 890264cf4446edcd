import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateKeyPair, makeTestBundle, schemaWithTables } from '../bundles/test-bundles.js';
import { testDrivers } from '../store/test-store.js';
import { MAX_SESSIONS_PER_TENANT } from '../store/sessions.js';
import { createHttpServer } from './http-server.js';
import { MetricsRegistry } from './metrics-registry.js';
import { startTestApi, type TestApi } from './test-server.js';

/** The dashboard's side of the API: the device table's query, the fleet totals, one device's drift, sessions. */
describe.each(testDrivers())('device query, fleet summary and sessions on %s', (driver) => {
  let api: TestApi;
  let a: { id: string; token: string };
  let b: { id: string; token: string };
  const signer = generateKeyPair();
  const bundle = makeTestBundle(signer.privateKey, ['q_0001', 'q_0002']);
  const fp = (revision: string) => bundle.revisions.get(revision)!.fingerprint;

  beforeAll(async () => {
    api = await startTestApi(driver);
    a = (await api.call('POST', '/v1/tenants', api.adminToken, { name: 'a' })).json;
    b = (await api.call('POST', '/v1/tenants', api.adminToken, { name: 'b' })).json;
    await api.call('POST', '/v1/keys', a.token, { publicKey: signer.publicKey.export({ type: 'spki', format: 'pem' }) });
    expect((await api.call('POST', '/v1/bundles', a.token, bundle.bytes)).status).toBe(201);
    const fleet: [string, string, Record<string, string>][] = [
      ['alpha', 'stable', { site: 'north' }],
      ['bravo', 'stable', { site: 'south' }],
      ['charlie', 'beta', { site: 'north' }],
      ['delta', 'beta', { room: 'x_1' }],
      ['echo', 'stable', {}],
    ];
    for (const [id, channel, labels] of fleet) expect((await api.call('POST', '/v1/devices', a.token, { id, channel, labels })).status).toBe(201);
    await api.call('POST', '/v1/devices', b.token, { id: 'alpha', channel: 'stable' });
    const report = (deviceId: string, revision: string, fingerprint: string, seconds: number) => ({
      tenantId: a.id, deviceId, counter: 1, revision, fingerprint, bundleSequence: 1, lastResults: [], receivedAt: new Date(1_700_000_000_000 + seconds * 1000),
      schema: deviceId === 'charlie' ? schemaWithTables('t_0', 't_1', 'extra') : null,
    });
    await api.store.writeReports(
      [report('alpha', 'q_0002', fp('q_0002'), 3), report('bravo', 'q_0001', fp('q_0001'), 1), report('charlie', 'q_0002', 'c'.repeat(64), 2), report('delta', 'q_0002', fp('q_0002'), 4)],
      [{ tenantId: a.id, deviceId: 'delta', counter: 1, at: 1, from: 'q_0001', to: 'q_0001', revisions: ['q_0002'], outcome: 'rolled-back', durationMs: 3, error: 'boom' }],
    );
    await api.store.setPresence([{ tenantId: a.id, deviceId: 'delta', online: false, at: new Date(1_700_000_010_000) }]);
  });
  afterAll(() => api?.close());

  const ids = async (query: string, token = a.token) => {
    const res = await fetch(`${api.url}/v1/devices?${query}`, { headers: { authorization: `Bearer ${token}` } });
    expect(res.status, query).toBe(200);
    return { ids: ((await res.json()) as { id: string }[]).map((d) => d.id), total: Number(res.headers.get('x-total-count')) };
  };

  it('searches, filters, sorts and pages on the server; without a query the answer is the plain list as before', async () => {
    const plain = await api.call('GET', '/v1/devices', a.token);
    expect(plain.json.map((d: { id: string }) => d.id)).toEqual(['alpha', 'bravo', 'charlie', 'delta', 'echo']);
    expect(await ids('search=NORTH')).toEqual({ ids: ['alpha', 'charlie'], total: 2 });
    expect(await ids('search=x_')).toEqual({ ids: ['delta'], total: 1 });
    expect(await ids('search=%25')).toEqual({ ids: [], total: 0 });
    expect(await ids('channel=beta')).toEqual({ ids: ['charlie', 'delta'], total: 2 });
    expect(await ids('revision=q_0002')).toEqual({ ids: ['alpha', 'charlie', 'delta'], total: 3 });
    expect(await ids('revision=none')).toEqual({ ids: ['echo'], total: 1 });
    expect(await ids('drift=true')).toEqual({ ids: ['charlie'], total: 1 });
    expect(await ids('drift=false&online=true')).toEqual({ ids: ['alpha', 'bravo'], total: 2 });
    expect(await ids('sort=lastSeen&order=desc&drift=false&online=true')).toEqual({ ids: ['alpha', 'bravo'], total: 2 });
    expect(await ids('sort=lastSeen&order=asc&channel=stable')).toEqual({ ids: ['bravo', 'alpha', 'echo'], total: 3 });
    expect(await ids('sort=id&order=desc&limit=2&offset=1')).toEqual({ ids: ['delta', 'charlie'], total: 5 });
    expect(await ids('search=alpha', b.token)).toEqual({ ids: ['alpha'], total: 1 });
    for (const bad of ['sort=secret', 'order=up', 'limit=0', 'limit=501', 'offset=-1', 'drift=yes', 'page=2', 'channel=a%20b', 'rollout=done', 'rollout=%00']) {
      const res = await api.call('GET', `/v1/devices?${bad}`, a.token);
      expect(res.status, bad).toBe(400);
    }
  });

  it('filters by the state in the newest rollout reaching a device', async () => {
    const older = makeTestBundle(signer.privateKey, ['q_0001', 'q_0002', 'q_0003'], { sequence: 2 });
    expect((await api.call('POST', '/v1/bundles', a.token, older.bytes)).status).toBe(201);
    const first = (await api.call('POST', '/v1/rollouts', a.token, { bundle: older.bundleId, channel: 'beta' })).json;
    const event = (deviceId: string, counter: number, outcome: 'applied' | 'rolled-back') => ({
      tenantId: a.id, deviceId, counter, at: counter, from: 'q_0002', to: outcome === 'applied' ? 'q_0003' : 'q_0002', revisions: ['q_0003'], outcome, durationMs: 1,
    });
    await api.store.writeReports([], [event('charlie', 10, 'rolled-back'), event('delta', 10, 'applied')]);
    expect(await ids('rollout=failed')).toEqual({ ids: ['charlie'], total: 1 });
    expect(await ids('rollout=succeeded')).toEqual({ ids: ['delta'], total: 1 });
    expect(await ids('rollout=none')).toEqual({ ids: ['alpha', 'bravo', 'echo'], total: 3 });
    // A newer rollout reaching charlie decides its state; paused, its undecided target counts as paused.
    const newer = makeTestBundle(signer.privateKey, ['q_0001', 'q_0002', 'q_0003', 'q_0004'], { sequence: 3 });
    expect((await api.call('POST', '/v1/bundles', a.token, newer.bytes)).status).toBe(201);
    const second = (await api.call('POST', '/v1/rollouts', a.token, { bundle: newer.bundleId, channel: 'beta', selectors: { site: 'north' } })).json;
    expect(await ids('rollout=pending')).toEqual({ ids: ['charlie'], total: 1 });
    expect(await ids('rollout=failed')).toEqual({ ids: [], total: 0 });
    await api.call('POST', `/v1/rollouts/${second.id}/pause`, a.token);
    expect(await ids('rollout=paused')).toEqual({ ids: ['charlie'], total: 1 });
    expect(await ids('rollout=paused', b.token)).toEqual({ ids: [], total: 0 });
    expect(first.targets).toEqual(['charlie', 'delta']);
  });

  it("serves an upgrade's rows copied and table sizes when the device sent them", async () => {
    const tableSizes = [{ table: 't_1', before: 8192, after: 12_288 }, { table: 't_2', before: null, after: 4096 }];
    await api.store.writeReports([], [
      { tenantId: a.id, deviceId: 'alpha', counter: 20, at: 20, from: 'q_0001', to: 'q_0002', revisions: ['q_0002'], outcome: 'applied', durationMs: 40, rowsCopied: 300, tableSizes },
      { tenantId: a.id, deviceId: 'alpha', counter: 21, at: 21, from: 'q_0002', to: 'q_0002', revisions: [], outcome: 'up-to-date', durationMs: 1 },
    ]);
    const { events } = (await api.call('GET', '/v1/devices/alpha/events?limit=2', a.token)).json;
    expect(events[0]).not.toHaveProperty('rowsCopied');
    expect(events[1]).toEqual({ counter: 20, at: 20, from: 'q_0001', to: 'q_0002', revisions: ['q_0002'], outcome: 'applied', durationMs: 40, rowsCopied: 300, tableSizes });
  });

  it('sums the fleet and shows one device its drift diff', async () => {
    const summary = (await api.call('GET', '/v1/fleet/summary', a.token)).json;
    expect(summary).toEqual({
      devices: 5, online: 3, offline: 2, drifted: 1, failed: 1,
      byRevision: [{ revision: 'q_0002', devices: 3 }, { revision: null, devices: 1 }, { revision: 'q_0001', devices: 1 }],
      byChannel: [{ channel: 'beta', devices: 2, online: 1, drifted: 1 }, { channel: 'stable', devices: 3, online: 2, drifted: 0 }],
    });
    expect((await api.call('GET', '/v1/fleet/summary', b.token)).json).toMatchObject({ devices: 1, drifted: 0 });
    const drift = (await api.call('GET', '/v1/devices/charlie/drift', a.token)).json;
    expect(drift).toMatchObject({ id: 'charlie', drift: true, fingerprint: 'c'.repeat(64), expectedFingerprint: fp('q_0002') });
    expect(drift.diff).toMatch(/^\+ table extra/m);
    expect(drift.liveSchema.tables.map((table: { name: string }) => table.name)).toEqual(['extra', 't_0', 't_1']);
    expect(drift.expectedSchema.tables.map((table: { name: string }) => table.name)).toEqual(['t_0', 't_1']);
    expect((await api.call('GET', '/v1/devices/alpha/drift', a.token)).json).toMatchObject({ drift: false, diff: null });
    expect((await api.call('GET', '/v1/devices/charlie/drift', b.token)).status).toBe(404);
  });

  it('signs in with an operator token only; a revoked token ends its sessions', async () => {
    const signIn = (token: string) =>
      fetch(`${api.url}/v1/session`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-godwit-csrf': '1' }, body: JSON.stringify({ token }) });
    expect((await signIn(api.adminToken)).status).toBe(401);
    expect((await signIn('gwo_nope')).status).toBe(401);
    const extra = (await api.call('POST', '/v1/tokens', a.token)).json;
    const res = await signIn(extra.token);
    expect(res.status).toBe(201);
    const cookie = res.headers.get('set-cookie')!.split(';')[0]!;
    const session = () => fetch(`${api.url}/v1/session`, { headers: { cookie } });
    expect(await (await session()).json()).toEqual({ tenant: a.id });
    expect((await api.call('POST', `/v1/tokens/${extra.id}/revoke`, a.token)).status).toBe(200);
    expect((await session()).status).toBe(401);
  });

  it('a session is known to every replica and outlives the server that made it; signing out anywhere ends it', async () => {
    const other = createHttpServer({ store: api.store, adminToken: api.adminToken, access: { grant: async () => {}, revoke: async () => {}, reconcile: async () => 0 }, metrics: new MetricsRegistry() });
    await new Promise<void>((resolve) => other.listen(0, '127.0.0.1', resolve));
    const otherUrl = `http://127.0.0.1:${(other.address() as AddressInfo).port}`;
    try {
      const res = await fetch(`${api.url}/v1/session`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-godwit-csrf': '1' }, body: JSON.stringify({ token: a.token }) });
      const cookie = res.headers.get('set-cookie')!.split(';')[0]!;
      const session = (url: string) => fetch(`${url}/v1/session`, { headers: { cookie } });
      expect(await (await session(otherUrl)).json()).toEqual({ tenant: a.id });
      expect((await fetch(`${otherUrl}/v1/session/sign-out`, { method: 'POST', headers: { cookie, 'x-godwit-csrf': '1' } })).status).toBe(200);
      expect((await session(api.url)).status).toBe(401);
      expect((await session(otherUrl)).status).toBe(401);
    } finally {
      other.closeAllConnections();
      await new Promise<void>((resolve) => other.close(() => resolve()));
    }
  });

  it(`keeps at most ${MAX_SESSIONS_PER_TENANT} sessions a tenant, ending the oldest; other tenants' stay`, async () => {
    const [token] = (await api.call('GET', '/v1/tokens', b.token)).json as { id: string }[];
    const identity = { tenantId: b.id, tokenId: token!.id };
    const expires = new Date(Date.now() + 60_000);
    await api.store.sessions.create('a-first', { tenantId: a.id, tokenId: ((await api.call('GET', '/v1/tokens', a.token)).json as { id: string }[])[0]!.id }, expires);
    for (let i = 0; i <= MAX_SESSIONS_PER_TENANT; i++) await api.store.sessions.create(`b-${String(i).padStart(5, '0')}`, identity, expires);
    expect(await api.store.sessions.find('b-00000')).toBeNull();
    expect(await api.store.sessions.find('b-00001')).toMatchObject(identity);
    expect(await api.store.sessions.find(`b-${String(MAX_SESSIONS_PER_TENANT).padStart(5, '0')}`)).toMatchObject(identity);
    expect(await api.store.sessions.find('a-first')).toMatchObject({ tenantId: a.id });
  }, 60_000);
});
