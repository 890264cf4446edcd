import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from '../http/test-server.js';
import { queryRows } from '../store/database.js';
import { testDrivers } from '../store/test-store.js';
import { runCli } from './test-cli.js';

interface Listed {
  id: string;
  tenant: string;
  createdAt: string;
  revokedAt: string | null;
  current: boolean;
}

describe.each(testDrivers())('coordinator token create|list|revoke on %s', (driver) => {
  let api: TestApi;
  let a: { id: string; token: string };
  let b: { id: string; token: string };
  const as = (token: string) => ({ GODWIT_SERVER: api.url, GODWIT_TOKEN: token });
  /** Exit 0 and exactly one JSON value on stdout. */
  const json = async <T>(args: string[], env: Record<string, string>): Promise<T> => {
    const result = await runCli([...args, '--json'], env);
    expect(result.code, result.stderr).toBe(0);
    return JSON.parse(result.stdout) as T;
  };

  beforeAll(async () => {
    api = await startTestApi(driver);
    a = (await api.call('POST', '/v1/tenants', api.adminToken, { name: `tokens-a-${driver}` })).json;
    b = (await api.call('POST', '/v1/tenants', api.adminToken, { name: `tokens-b-${driver}` })).json;
  });
  afterAll(() => api.close());

  it('answers --help on each command', async () => {
    for (const command of ['create', 'list', 'revoke']) {
      const result = await runCli(['token', command, '--help'], {});
      expect(result.code).toBe(0);
      expect(result.stdout).toMatch(new RegExp(`^usage: coordinator token ${command} `));
    }
  });

  it('rotates: a new token works, the old one is refused (exit 7) from the next call on', async () => {
    const created = await json<{ id: string; tenant: string; token: string; createdAt: string }>(['token', 'create'], as(a.token));
    expect(Object.keys(created).sort()).toEqual(['createdAt', 'id', 'tenant', 'token']);
    expect(created.tenant).toBe(a.id);
    expect(created.token).toMatch(/^gwo_/);
    expect((await runCli(['devices'], as(created.token))).code).toBe(0);

    const listed = await json<Listed[]>(['token', 'list'], as(created.token));
    expect(listed).toHaveLength(2);
    expect(listed.find((t) => t.current)?.id).toBe(created.id);
    const first = listed.find((t) => !t.current)!;
    expect(JSON.stringify(listed)).not.toContain(a.token);

    const revoked = await json<Listed>(['token', 'revoke', first.id], as(created.token));
    expect(revoked).toMatchObject({ id: first.id, tenant: a.id, revokedAt: expect.any(String), current: false });
    const refused = await runCli(['devices'], as(a.token));
    expect(refused.code).toBe(7);
    expect(refused.stderr).toBe('coordinator: token refused\n');
    expect((await runCli(['token', 'create'], as(a.token))).code).toBe(7);
    expect((await runCli(['devices'], as(created.token))).code).toBe(0);
    expect((await runCli(['token', 'revoke', first.id], as(created.token))).code).toBe(0);
  });

  it("keeps each tenant's tokens to itself; the admin names a tenant", async () => {
    const [bToken] = await json<Listed[]>(['token', 'list', '--tenant', b.id, '--token', api.adminToken], { GODWIT_SERVER: api.url });
    expect(bToken).toMatchObject({ tenant: b.id, revokedAt: null, current: false });
    const aToken = await newTokenOf(a.id);
    expect((await runCli(['token', 'revoke', bToken!.id], as(aToken))).code).toBe(7);
    expect((await runCli(['token', 'list', '--tenant', b.id], as(aToken))).code).toBe(2);
    expect((await runCli(['devices'], as(b.token))).code).toBe(0);

    const forB = await json<{ tenant: string; token: string }>(['token', 'create', '--tenant', b.id], { GODWIT_SERVER: api.url, GODWIT_ADMIN_TOKEN: api.adminToken });
    expect(forB.tenant).toBe(b.id);
    expect((await runCli(['devices'], as(forB.token))).code).toBe(0);
    expect((await runCli(['token', 'list'], as(api.adminToken))).code).toBe(2);
    expect((await runCli(['token', 'list', '--tenant', 'not-a-uuid'], as(api.adminToken))).code).toBe(2);
    expect((await runCli(['token', 'list', '--tenant', randomUUID()], as(api.adminToken))).code).toBe(7);
    expect((await runCli(['token', 'create', '--tenant', randomUUID()], as(api.adminToken))).code).toBe(7);
    expect((await runCli(['token', 'revoke', 'x%00'], as(aToken))).code).toBe(2);
    expect((await runCli(['token', 'revoke', randomUUID()], as(aToken))).code).toBe(7);
  });

  it('stores tokens as SHA-256 hashes only', async () => {
    const created = await json<{ token: string }>(['token', 'create', '--tenant', a.id], as(api.adminToken));
    const rows = await queryRows<{ token_hash: string }>(api.store.db, sql`select token_hash from operator_tokens`);
    expect(rows.length).toBeGreaterThanOrEqual(5);
    for (const row of rows) expect(row.token_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(rows)).not.toContain(created.token.slice(4));
  });

  /** A fresh operator token for a tenant, issued with the admin token. */
  async function newTokenOf(tenant: string): Promise<string> {
    return (await api.call('POST', `/v1/tokens?tenant=${tenant}`, api.adminToken)).json.token;
  }
});
