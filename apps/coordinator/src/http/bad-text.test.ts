import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { generateKeyPair, makeTestBundle } from '../bundles/test-bundles.js';
import { describeFailure } from '../store/errors.js';
import { testDrivers } from '../store/test-store.js';
import { startTestApi, type TestApi } from './test-server.js';

const pem = (key: ReturnType<typeof generateKeyPair>['publicKey']) => key.export({ type: 'spki', format: 'pem' }).toString();

describe.each(testDrivers())('text the database cannot hold, on %s', (driver) => {
  let api: TestApi;
  let token: string;
  let rollout: string;
  const signer = generateKeyPair();

  beforeAll(async () => {
    api = await startTestApi(driver);
    token = (await api.call('POST', '/v1/tenants', api.adminToken, { name: `bad-text-${driver}` })).json.token;
    await api.call('POST', '/v1/keys', token, { publicKey: pem(signer.publicKey) });
    await api.call('POST', '/v1/devices', token, { id: 'd-1', channel: 'c' });
    const bundle = makeTestBundle(signer.privateKey, ['t_0001']);
    await api.call('POST', '/v1/bundles', token, bundle.bytes);
    rollout = (await api.call('POST', '/v1/rollouts', token, { bundle: bundle.bundleId, channel: 'c', percent: 50 })).json.id;
  });
  afterAll(() => api.close());

  it('answers 400 naming the field, never 500, and stores nothing', async () => {
    const cases: [string, string, string, unknown, RegExp][] = [
      ['POST', '/v1/tenants', 'admin', { name: 'nul\u0000name' }, /^name: /],
      ['POST', '/v1/tenants', 'admin', '{"name":"lone \\ud800"}', /^name: /],
      ['POST', '/v1/devices', 'op', { id: 'd-2', labels: { site: 'a\u0000b' } }, /^labels\.site: /],
      ['POST', '/v1/devices', 'op', '{"id":"d-3","labels":{"site":"\\udc00"}}', /^labels\.site: /],
      ['POST', '/v1/rollouts', 'op', { bundle: 'b\u0000', channel: 'c' }, /^bundle: /],
      ['POST', '/v1/rollouts', 'op', { bundle: 'b', channel: 'c', percent: 1e-46 }, /^percent: /],
      ['POST', `/v1/rollouts/${rollout}/widen`, 'op', { percent: 1e-46 }, /^percent: /],
      ['GET', '/v1/devices/d%00', 'op', undefined, /^id: /],
      ['POST', '/v1/devices/d%00/revoke', 'op', undefined, /^id: /],
      ['GET', '/v1/bundles/b%00', 'op', undefined, /^id: /],
      ['GET', '/v1/rollouts/r%00', 'op', undefined, /^id: /],
      ['POST', '/v1/rollouts/not-a-uuid/pause', 'op', undefined, /^id: /],
    ];
    for (const [method, path, who, body, message] of cases) {
      const res = await api.call(method, path, who === 'admin' ? api.adminToken : token, body);
      expect(res.status, `${method} ${path} ${JSON.stringify(body)}`).toBe(400);
      expect(res.json.error.message).toMatch(message);
    }
    expect((await api.call('GET', '/v1/devices', token)).json.map((d: { id: string }) => d.id)).toEqual(['d-1']);
    expect((await api.call('GET', `/v1/rollouts/${rollout}`, token)).json.percent).toBe(50);
    const tenants = await api.store.db.execute(sql`select name from tenants`);
    expect((tenants as unknown as { rows: { name: string }[] }).rows.map((r) => r.name)).toEqual([`bad-text-${driver}`]);
  });

  it('describes a failed query by its SQL state and first words, never its parameters', async () => {
    const secret = 'scrypt$1024$1$1$very-secret-hash';
    const failure = await api.store.db.execute(sql`select ${secret}::int`).then(() => null, (error: unknown) => error);
    // What was logged before: drizzle's message lists the parameters.
    expect((failure as Error).message).toContain('very-secret-hash');
    const line = describeFailure(failure);
    expect(line).toMatch(/^database query failed \(SQLSTATE 22P02\): select/);
    expect(line).not.toContain('very-secret-hash');
    expect(line).not.toContain('\n');
  });
});
