import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveConfig } from '../config/serve-config.js';
import { startCoordinator, type RunningCoordinator } from '../server.js';
import { createTestDatabase, testDrivers, type TestDatabase } from '../store/test-store.js';

const METRICS_TOKEN = 'scraper-secret-0123456789';

describe.each(testDrivers())('who may read /metrics, on %s', (driver) => {
  let folder: string;
  let database: TestDatabase;
  let running: RunningCoordinator;
  let tenant: { id: string; token: string };
  const get = async (path: string, token?: string) => {
    const res = await fetch(`${running.httpUrl}${path}`, token ? { headers: { authorization: `Bearer ${token}` } } : {});
    return { status: res.status, text: await res.text() };
  };

  beforeAll(async () => {
    folder = mkdtempSync(join(tmpdir(), 'godwit-metrics-'));
    database = await createTestDatabase(driver);
    const flags = { 'data-dir': folder, 'http-port': '0', 'mqtt-port': '0', 'metrics-token': METRICS_TOKEN, ...(database.url && { 'database-url': database.url }) };
    running = await startCoordinator(serveConfig(flags, {}), () => {});
    const res = await fetch(`${running.httpUrl}/v1/tenants`, {
      method: 'POST',
      headers: { authorization: `Bearer ${running.adminToken.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: `metrics-${driver}` }),
    });
    tenant = await res.json();
    await fetch(`${running.httpUrl}/v1/devices`, {
      method: 'POST',
      headers: { authorization: `Bearer ${tenant.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ id: 'm-1' }),
    });
  });
  afterAll(async () => {
    await running?.close();
    await database?.drop();
    rmSync(folder, { recursive: true, force: true });
  });

  it('shows no tenant, device or rollout to a caller without the admin or metrics token', async () => {
    for (const token of [undefined, tenant.token, 'gwa_guess']) {
      const res = await get('/metrics', token);
      expect(res.status).toBe(401);
      expect(JSON.parse(res.text).error.code).toBe('unauthorized');
      expect(res.text).not.toContain(tenant.id);
    }
    expect((await get('/healthz')).status).toBe(200);
  });

  it('serves the fleet totals to the metrics token and the admin token', async () => {
    for (const token of [METRICS_TOKEN, running.adminToken.token]) {
      const res = await get('/metrics', token);
      expect(res.status).toBe(200);
      expect(res.text).toContain(`godwit_devices{tenant="${tenant.id}",revision="none"} 1`);
    }
  });

  it('lets the metrics token do nothing else', async () => {
    expect((await get('/v1/devices', METRICS_TOKEN)).status).toBe(401);
    const created = await fetch(`${running.httpUrl}/v1/tenants`, {
      method: 'POST',
      headers: { authorization: `Bearer ${METRICS_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'sneaky' }),
    });
    expect(created.status).toBe(401);
  });
});
