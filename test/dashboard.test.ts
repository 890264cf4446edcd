/**
 * The fleet dashboard in a real browser (Debian's Chromium, headless) against a real coordinator
 * (PGlite, embedded broker) whose fleet reports over MQTT as simulated devices.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectAsync } from 'mqtt';
import { sql } from 'drizzle-orm';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deviceTopic, encodeReport, PROTOCOL_VERSION } from '@godwit/fleet-protocol';
import { SimulatedDevice } from '@godwit/fleet-protocol/simulated-device';
import { generateKeyPair, makeTestBundle, schemaWithTables } from '../apps/coordinator/src/bundles/test-bundles.js';
import { serveConfig } from '../apps/coordinator/src/config/serve-config.js';
import { startCoordinator, type RunningCoordinator } from '../apps/coordinator/src/server.js';
import { chromiumMissing, launchChromium, openPage, screenshotAndAudit, shownAt, signIn, waitForText } from './dashboard-browser.js';

/** Polls (every 100 ms, for at most 20 s) until `check` holds. */
async function until(check: () => Promise<boolean>): Promise<void> {
  for (const deadline = Date.now() + 20_000; !(await check()); await new Promise((r) => setTimeout(r, 100))) {
    if (Date.now() > deadline) throw new Error('timed out waiting for the coordinator');
  }
}

function rawGet(base: string, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(`${base}/`, { path }, (res) => {
      let body = '';
      res.on('data', (chunk) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode!, body }));
    });
    req.on('error', reject).end();
  });
}

interface Tenant {
  id: string;
  token: string;
}

describe.skipIf(chromiumMissing)('fleet dashboard in Chromium', () => {
  let folder: string;
  let running: RunningCoordinator;
  let browser: Browser;
  let acme: Tenant;
  let other: Tenant;
  let rolloutId: string;
  const errors: unknown[] = [];
  const devices: SimulatedDevice[] = [];
  const signer = generateKeyPair();
  const bundle = makeTestBundle(signer.privateKey, ['dash_0001', 'dash_0002']);
  const next = makeTestBundle(signer.privateKey, ['dash_0001', 'dash_0002', 'dash_0003'], { sequence: 2 });
  const at = (revision: string) => ({ revision, fingerprint: bundle.revisions.get(revision)!.fingerprint, bundleSequence: 1 });

  const api = async (method: string, path: string, token: string, body?: unknown) => {
    const binary = body instanceof Uint8Array;
    const res = await fetch(`${running.httpUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body !== undefined && { 'content-type': binary ? 'application/octet-stream' : 'application/json' }) },
      ...(body !== undefined && { body: binary ? new Uint8Array(body) : JSON.stringify(body) }),
    });
    return { status: res.status, json: await res.json() };
  };

  async function tenant(name: string): Promise<Tenant> {
    const created = await api('POST', '/v1/tenants', running.adminToken.token, { name });
    expect(created.status).toBe(201);
    const key = await api('POST', '/v1/keys', created.json.token, { publicKey: signer.publicKey.export({ type: 'spki', format: 'pem' }) });
    expect(key.status).toBe(201);
    return { id: created.json.id, token: created.json.token };
  }

  async function register(owner: Tenant, id: string, channel: string, labels: Record<string, string> = {}) {
    const registered = await api('POST', '/v1/devices', owner.token, { id, channel, labels });
    expect(registered.status).toBe(201);
    return registered.json.mqtt as { username: string; password: string };
  }

  async function simulated(owner: Tenant, id: string, channel: string, labels: Record<string, string> = {}): Promise<SimulatedDevice> {
    const device = new SimulatedDevice({ url: running.mqttUrl, tenantId: owner.id, deviceId: id, ...(await register(owner, id, channel, labels)) });
    devices.push(device);
    await device.connect();
    return device;
  }

  /** A device whose live schema has a table its revision does not: reported with the schema, so the coordinator can diff it. */
  async function driftedDevice(owner: Tenant, id: string): Promise<void> {
    const mqtt = await register(owner, id, 'stable', { site: 'south' });
    const client = await connectAsync(running.mqttUrl, { ...mqtt, clientId: mqtt.username, reconnectPeriod: 0 });
    const schema = schemaWithTables('t_0', 't_1', 'hand_made');
    const report = { v: PROTOCOL_VERSION, counter: 1, ...at('dash_0002'), fingerprint: 'd'.repeat(64), lastResults: [], schema, events: [] };
    await client.publishAsync(deviceTopic(owner.id, id, 'state'), encodeReport(report), { qos: 1 });
    await client.endAsync();
  }

  /** A fresh browser context signed in as the tenant's operator, on the fleet page. */
  async function signedIn(owner: Tenant) {
    const opened = await openPage(browser);
    await signIn(opened.page, running.httpUrl, owner.token);
    return opened;
  }

  beforeAll(async () => {
    folder = mkdtempSync(join(tmpdir(), 'godwit-dashboard-'));
    running = await startCoordinator(serveConfig({ 'data-dir': join(folder, 'data'), 'http-port': '0', 'mqtt-port': '0' }, {}), (error) => errors.push(error));
    acme = await tenant('acme');
    other = await tenant('other');
    expect((await api('POST', '/v1/bundles', acme.token, bundle.bytes)).status).toBe(201);
    const fleet = [
      await simulated(acme, 'pump-1', 'stable', { site: 'north' }),
      await simulated(acme, 'pump-2', 'stable', { site: 'north' }),
      await simulated(acme, 'pump-3', 'beta', { site: 'east' }),
      await simulated(acme, 'pump-4', 'beta', { site: 'east' }),
    ];
    for (const device of fleet.slice(0, 3)) device.setState(at('dash_0002'));
    fleet[3]!.record(
      {
        at: Date.now(), from: 'dash_0001', to: 'dash_0001', revisions: ['dash_0002'], outcome: 'rolled-back', durationMs: 41, error: 'statement failed: CREATE TABLE t_1: disk I/O error',
        rowsCopied: 1200, tableSizes: [{ table: 't_0', before: 40_960, after: null }],
      },
      at('dash_0001'),
    );
    await Promise.all(fleet.map((device) => device.waitConfirmed(20_000)));
    await driftedDevice(acme, 'pump-5');
    await simulated(acme, 'pump-6', 'stable', { site: 'west' });
    await simulated(other, 'other-1', 'stable');
    await until(async () => (await api('GET', '/v1/devices/pump-5', acme.token)).json.drift === true);
    expect((await api('POST', '/v1/bundles', acme.token, next.bytes)).status).toBe(201);
    const rollout = await api('POST', '/v1/rollouts', acme.token, { bundle: next.bundleId, channel: 'beta', percent: 50 });
    expect(rollout.status).toBe(201);
    rolloutId = rollout.json.id;
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    for (const device of devices) await device.close();
    await running?.close();
    rmSync(folder, { recursive: true, force: true });
  });

  it('serves the sign-in page without a session, with its security headers; refuses path traversal and cookie writes without the CSRF header', async () => {
    const root = await fetch(`${running.httpUrl}/`, { redirect: 'manual' });
    expect([root.status, root.headers.get('location')]).toEqual([303, '/sign-in']);
    const deep = await fetch(`${running.httpUrl}/devices/pump-4?tab=x`, { redirect: 'manual' });
    expect([deep.status, deep.headers.get('location')]).toEqual([303, '/sign-in?next=%2Fdevices%2Fpump-4%3Ftab%3Dx']);
    const page = await fetch(`${running.httpUrl}/sign-in`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(page.headers.get('content-security-policy')).toMatch(/script-src 'self';.*frame-ancestors 'none'/);
    expect(page.headers.get('x-content-type-options')).toBe('nosniff');
    expect(await page.text()).not.toMatch(/<script>|<script [^>]*>[^<]/);
    // Sent as written: fetch would normalise the dots away before they reach the server.
    for (const path of ['/assets/../../../package.json', '/assets/..%2f..%2f..%2fpackage.json', '/assets/%2e%2e/%2e%2e/%2e%2e/package.json', '/assets/..%5c..%5cpackage.json', '/assets/%00']) {
      const res = await rawGet(running.httpUrl, path);
      expect(res.status === 404 || res.status === 303, `${path}: ${res.status}`).toBe(true);
      expect(res.body).not.toContain('"workspaces"');
    }

    const signIn = (headers: Record<string, string>) =>
      fetch(`${running.httpUrl}/v1/session`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ token: acme.token }) });
    expect((await signIn({})).status).toBe(403);
    const signedIn = await signIn({ 'x-godwit-csrf': '1' });
    expect(signedIn.status).toBe(201);
    const cookie = signedIn.headers.get('set-cookie')!;
    expect(cookie).toMatch(/^godwit_session=[\w-]{43}; Path=\/; HttpOnly; SameSite=Strict; Max-Age=28800$/);
    const session = cookie.split(';')[0]!;
    const pause = (headers: Record<string, string>) => fetch(`${running.httpUrl}/v1/rollouts/${rolloutId}/pause`, { method: 'POST', headers: { cookie: session, ...headers } });
    expect((await pause({})).status).toBe(403);
    expect((await api('GET', `/v1/rollouts/${rolloutId}`, acme.token)).json.state).toBe('active');
    expect((await fetch(`${running.httpUrl}/v1/devices`, { headers: { cookie: session } })).status).toBe(200);
    expect((await fetch(`${running.httpUrl}/v1/session/sign-out`, { method: 'POST', headers: { cookie: session, 'x-godwit-csrf': '1' } })).status).toBe(200);
    expect((await fetch(`${running.httpUrl}/v1/devices`, { headers: { cookie: session } })).status).toBe(401);
  });

  it('signs in, shows the fleet by revision, opens a drifted device and its diff, a failed migration and its error', async () => {
    const { context, page, cspViolations } = await openPage(browser);
    await page.goto(`${running.httpUrl}/`);
    expect(await screenshotAndAudit(page, 'sign-in')).toEqual([]);
    await signIn(page, running.httpUrl, acme.token);

    const [cookie] = await context.cookies();
    expect(cookie).toMatchObject({ name: 'godwit_session', httpOnly: true, sameSite: 'Strict' });
    expect(await page.evaluate(() => [document.cookie, localStorage.length, sessionStorage.length])).toEqual(['', 0, 0]);
    expect(await page.evaluate(() => document.body.innerText)).not.toContain(acme.token);

    await waitForText(page, 'revision-count-dash_0002', '4');
    await waitForText(page, 'revision-count-dash_0001', '1');
    await waitForText(page, 'revision-count-none', '1');
    await waitForText(page, 'total-drifted', '1 Drifted');
    await waitForText(page, 'total-failed', '1 Failed');
    await waitForText(page, 'device-range', 'Devices 1–6 of 6');
    expect(await screenshotAndAudit(page, 'fleet')).toEqual([]);

    await page.getByLabel('Search id or label').fill('south');
    await waitForText(page, 'device-range', 'Devices 1–1 of 1');
    // The table's query is in the URL: a reload keeps it.
    await page.waitForURL(`${running.httpUrl}/?search=south`);
    await page.reload();
    await waitForText(page, 'device-range', 'Devices 1–1 of 1');
    expect(await page.getByLabel('Search id or label').inputValue()).toBe('south');
    await page.getByRole('link', { name: 'pump-5' }).click();
    await page.waitForURL(`${running.httpUrl}/devices/pump-5`);
    await page.getByTestId('drift-diff').getByText('+ table hand_made').waitFor();
    expect(await page.getByTestId('device-revision').textContent()).toBe('dash_0002');
    const sideBySide = page.getByTestId('schema-side-by-side');
    expect(await sideBySide.getByRole('row', { name: /table hand_made/ }).getByRole('cell').allTextContents()).toEqual(['—', 'table hand_made (id INTEGER PRIMARY KEY)', '+ only in the live schema']);
    expect(await sideBySide.getByRole('row', { name: /table t_0/ }).getByRole('cell').nth(2).textContent()).toBe('same');
    expect(await screenshotAndAudit(page, 'device-drift')).toEqual([]);

    await page.goto(`${running.httpUrl}/devices/pump-4`);
    await page.getByText('statement failed: CREATE TABLE t_1: disk I/O error').waitFor();
    expect(await page.getByRole('cell', { name: 'rolled-back' }).count()).toBe(1);
    const failedRun = page.getByRole('row', { name: /rolled-back/ });
    expect(await failedRun.getByRole('cell', { name: '1200', exact: true }).count()).toBe(1);
    expect(await failedRun.textContent()).toContain('t_0: 40.0 KiB → not measured');
    expect(await screenshotAndAudit(page, 'device-history')).toEqual([]);
    expect(cspViolations).toEqual([]);
    await context.close();
  });

  it('pauses a rollout from its page, which the API then reports paused', async () => {
    const { context, page, cspViolations } = await signedIn(acme);
    await page.getByRole('link', { name: 'Rollouts' }).click();
    await page.getByRole('link', { name: rolloutId.slice(0, 8) }).waitFor();
    expect(await screenshotAndAudit(page, 'rollouts')).toEqual([]);
    await page.getByRole('link', { name: rolloutId.slice(0, 8) }).click();
    await page.waitForURL(`${running.httpUrl}/rollouts/${rolloutId}`);
    await waitForText(page, 'rollout-state', 'active');
    const pause = page.getByRole('button', { name: /Pause/ });
    expect(await pause.textContent()).toContain('devices that have the bundle keep it');
    expect(await screenshotAndAudit(page, 'rollout')).toEqual([]);
    await pause.click();
    await waitForText(page, 'rollout-state', 'paused');
    await waitForText(page, 'rollout-paused', '1 paused');
    await waitForText(page, 'rollout-pending', '0 pending');
    expect((await api('GET', `/v1/rollouts/${rolloutId}`, acme.token)).json).toMatchObject({ state: 'paused', pauseReason: 'operator' });
    await page.getByRole('button', { name: 'Resume rollout' }).waitFor();
    expect(cspViolations).toEqual([]);
    await context.close();
  });

  it('brings someone who opened a page without a session back to it after signing in, and never to another site', async () => {
    const { context, page } = await openPage(browser);
    await page.goto(`${running.httpUrl}/rollouts/${rolloutId}`);
    await page.waitForURL(`${running.httpUrl}/sign-in?next=${encodeURIComponent(`/rollouts/${rolloutId}`)}`);
    await page.getByLabel('Operator token').fill(acme.token);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`${running.httpUrl}/rollouts/${rolloutId}`);
    await page.getByTestId('rollout-state').waitFor();
    await page.goto(`${running.httpUrl}/sign-in?next=${encodeURIComponent('//example.com/x')}`);
    await page.getByLabel('Operator token').fill(acme.token);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Fleet' }).waitFor();
    expect(page.url()).toBe(`${running.httpUrl}/`);
    await context.close();
  });

  it('shows a failed target with its error and attempts, and retries it from the rollout page', async () => {
    const [target] = (await api('GET', `/v1/rollouts/${rolloutId}`, acme.token)).json.targets as string[];
    const device = devices.find((d) => d.options.deviceId === target)!;
    const revision = device.state.revision!;
    const error = 'statement failed: CREATE TABLE t_2: database is locked';
    device.record({ at: Date.now(), from: revision, to: revision, revisions: ['dash_0003'], outcome: 'rolled-back', durationMs: 17, error }, at(revision));

    const { context, page, cspViolations } = await signedIn(acme);
    await page.goto(`${running.httpUrl}/rollouts/${rolloutId}`);
    await waitForText(page, 'rollout-failed', '1 failed');
    const row = page.getByRole('row', { name: new RegExp(target!) });
    await row.getByText(error).waitFor();
    expect(await row.getByRole('cell').nth(2).textContent()).toBe('1');
    await page.locator('[data-testid="chart-canvas"] canvas').waitFor();
    await page.getByText('Progress over time as a table').click();
    expect(await page.getByRole('table', { name: /progress over time/ }).getByRole('row').count()).toBe(13);
    expect(await screenshotAndAudit(page, 'rollout')).toEqual([]);

    await page.getByRole('button', { name: 'Retry 1 failed device' }).click();
    await waitForText(page, 'rollout-failed', '0 failed');
    const retried = (await api('GET', `/v1/rollouts/${rolloutId}`, acme.token)).json;
    expect(retried).toMatchObject({ failed: 0, failures: 0 });
    expect(retried.devices.find((d: { id: string }) => d.id === target)).toMatchObject({ status: expect.stringMatching(/pending|applying/), attempts: 1, error: null });
    expect(await page.getByRole('button', { name: /Retry 0 failed/ }).isDisabled()).toBe(true);
    expect(cspViolations).toEqual([]);
    await context.close();
  });

  it('lists bundles with revisions, signer and expiry, and publishes one to labelled devices from the page', async () => {
    const { context, page, cspViolations } = await signedIn(acme);
    await page.getByRole('link', { name: 'Bundles' }).click();
    const row = page.getByRole('row', { name: new RegExp(next.bundleId) });
    await row.waitFor();
    const signerKey = (await api('GET', '/v1/keys', acme.token)).json[0].keyId as string;
    expect(await row.textContent()).toContain('dash_0003');
    expect(await row.textContent()).toContain(signerKey);
    expect(await screenshotAndAudit(page, 'bundles')).toEqual([]);

    await page.getByRole('combobox', { name: /^Bundle/ }).selectOption(next.bundleId);
    await page.getByRole('textbox', { name: 'Channel' }).fill('stable');
    await page.getByLabel('Devices with labels').check();
    await page.getByLabel(/Label selectors/).fill('site=west');
    await page.getByRole('button', { name: 'Publish' }).click();
    await page.waitForURL(/\/rollouts\/[0-9a-f-]{36}$/);
    const published = (await api('GET', `/v1/rollouts/${page.url().split('/').at(-1)}`, acme.token)).json;
    expect(published).toMatchObject({ bundle: next.bundleId, channel: 'stable', selectors: { site: 'west' }, targets: ['pump-6'] });
    expect(cspViolations).toEqual([]);
    await context.close();
  });

  it('shows the audit log: which token published, paused and retried what', async () => {
    const tokenId = ((await api('GET', '/v1/tokens', acme.token)).json as { id: string; current: boolean }[]).find((t) => t.current)!.id;
    const { context, page, cspViolations } = await signedIn(acme);
    await page.getByRole('link', { name: 'Audit' }).click();
    const log = page.getByTestId('audit-log');
    for (const action of ['published', 'paused', 'retried', 'registered', 'uploaded']) await log.getByRole('cell', { name: action, exact: true }).first().waitFor();
    const paused = log.getByRole('row').filter({ has: page.getByRole('cell', { name: 'paused', exact: true }) });
    expect(await paused.textContent()).toContain(tokenId);
    expect(await paused.getByRole('link').textContent()).toBe(`rollout ${rolloutId.slice(0, 8)}`);
    expect(await screenshotAndAudit(page, 'audit')).toEqual([]);
    expect(cspViolations).toEqual([]);
    await context.close();
  });

  it("shows a device's report without a reload, told by the coordinator's change stream", async () => {
    const { context, page } = await openPage(browser);
    const stream = page.waitForResponse((res) => new URL(res.url()).pathname === '/v1/live');
    await signIn(page, running.httpUrl, acme.token);
    expect([(await stream).status(), (await stream).headers()['content-type']]).toEqual([200, 'text/event-stream; charset=utf-8']);
    await waitForText(page, 'revision-count-dash_0002', '4');
    const marker = await page.evaluate(() => ((window as unknown as { marker: number }).marker = Math.random()));
    devices.find((d) => d.options.deviceId === 'pump-6')!.setState(at('dash_0002'));
    await waitForText(page, 'revision-count-dash_0002', '5');
    expect(await page.evaluate(() => (window as unknown as { marker: number }).marker)).toBe(marker);
    await context.close();
  });

  it("shows a second tenant's session none of the first tenant's devices", async () => {
    const { context, page } = await signedIn(other);
    await waitForText(page, 'device-range', 'Devices 1–1 of 1');
    expect(await page.locator('table.devices tbody a').allTextContents()).toEqual(['other-1']);
    await page.goto(`${running.httpUrl}/devices/pump-1`);
    await page.getByRole('alert').getByText('no such device pump-1').waitFor();
    const status = await page.evaluate(async () => (await fetch('/v1/devices?search=pump')).headers.get('x-total-count'));
    expect(status).toBe('0');
    await context.close();
  });

  it('renders and sorts a 10,000-device fleet (figures printed for docs/benchmarks.md, not asserted)', async () => {
    const big = await tenant('big');
    // Seeded straight into the store: 10,000 registrations over HTTP would each hash a secret.
    await running.store.db.execute(sql`
      insert into devices (tenant_id, id, channel, labels, mqtt_username, secret_hash)
      select ${big.id}::uuid, 'dev-' || lpad(i::text, 5, '0'), case when i % 4 = 0 then 'beta' else 'stable' end,
             jsonb_build_object('site', 'site-' || (i % 50)), ${big.id} || ':dev-' || i, 'unused'
      from generate_series(1, 10000) i`);
    await running.store.db.execute(sql`
      insert into device_state (tenant_id, device_id, revision, fingerprint, bundle_sequence, counter, reported_at, online, last_seen)
      select ${big.id}::uuid, 'dev-' || lpad(i::text, 5, '0'), 'rev_' || (i % 3), repeat('a', 64), 1, 1, now(), i % 2 = 0, now() - (i || ' seconds')::interval
      from generate_series(1, 10000) i`);

    const { context, page } = await signedIn(big);
    // Signing in lands on this same page: let its requests finish and leave it (its polling stops), so
    // the measured load does not queue behind them in the coordinator.
    await waitForText(page, 'device-range', 'Devices 1–50 of 10000', 30_000);
    await page.goto('about:blank');
    await page.goto(`${running.httpUrl}/`);
    // Timed in the page (performance.now() counts from the navigation's start), so the driver's round trips do not count.
    const firstRender = await shownAt(page, ['[data-testid="device-range"]', 'Devices 1–50 of 10000'], ['[data-testid="revision-count-rev_1"]']);
    const chartDrawn = await shownAt(page, ['[data-testid="chart-canvas"] canvas']);
    // Where the first render's time went, as the browser saw each request (start and duration).
    const requests = await page.evaluate(() =>
      performance
        .getEntriesByType('resource')
        .map((r) => `${new URL(r.name).pathname.replace(/-[\w-]{8}\./, '.')} ${r.startTime.toFixed(0)}+${r.duration.toFixed(0)} ms`)
        .join(', '),
    );
    const sortStart = await page.evaluate(() => performance.now());
    await page.getByRole('button', { name: 'Last seen' }).click();
    const sort = (await shownAt(page, ['table.devices tbody a', 'dev-10000'])) - sortStart;
    console.log(
      `dashboard, 10,000 devices: fleet page first render ${firstRender.toFixed(0)} ms (chart drawn ${chartDrawn.toFixed(0)} ms), sort by last seen ${sort.toFixed(0)} ms; requests: ${requests}`,
    );
    await context.close();
    expect(errors).toEqual([]);
  });
});
