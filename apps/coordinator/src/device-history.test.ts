import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MigrationResult } from '@godwit/fleet-protocol';
import { SimulatedDevice } from '@godwit/fleet-protocol/simulated-device';
import { keyIdOf } from './bundles/engine.js';
import { generateKeyPair, makeTestBundle } from './bundles/test-bundles.js';
import { runCli, type CliResult } from './cli/test-cli.js';
import { serveConfig } from './config/serve-config.js';
import { startCoordinator, type RunningCoordinator } from './server.js';
import { createTestDatabase, testDrivers, type TestDatabase } from './store/test-store.js';

interface Tenant {
  id: string;
  token: string;
  env: Record<string, string>;
}

interface Registered {
  id: string;
  mqtt: { username: string; password: string };
}

/** What support reads about one device, from reports the devices really sent over MQTT. */
describe.each(testDrivers())('device history and rollout progress on %s', (driver) => {
  let folder: string;
  let database: TestDatabase;
  let running: RunningCoordinator;
  const errors: unknown[] = [];
  const devices: SimulatedDevice[] = [];
  const signer = generateKeyPair();

  const cli = (args: string[], env: Record<string, string>): Promise<CliResult> => runCli(args, env, folder);
  const json = async (args: string[], env: Record<string, string>) => {
    const result = await cli([...args, '--json'], env);
    expect(result.code, result.stderr).toBe(0);
    return JSON.parse(result.stdout);
  };
  const http = async (path: string, token: string) => {
    const res = await fetch(`${running.httpUrl}${path}`, { headers: { authorization: `Bearer ${token}` } });
    return { status: res.status, json: await res.json() };
  };

  async function tenant(name: string): Promise<Tenant> {
    const created = await json(['tenant', 'create', name], { GODWIT_SERVER: running.httpUrl, GODWIT_TOKEN: running.adminToken.token });
    const env = { GODWIT_SERVER: running.httpUrl, GODWIT_TOKEN: created.token };
    expect((await cli(['keys', 'add', 'release.pub'], env)).code).toBe(0);
    return { id: created.id, token: created.token, env };
  }

  async function connect(owner: Tenant, deviceId: string, channel = 'stable'): Promise<SimulatedDevice> {
    const registered: Registered = await json(['device', 'register', deviceId, '--channel', channel], owner.env);
    const device = new SimulatedDevice({ url: running.mqttUrl, tenantId: owner.id, deviceId, ...registered.mqtt });
    devices.push(device);
    await device.connect();
    return device;
  }

  beforeAll(async () => {
    folder = mkdtempSync(join(tmpdir(), 'godwit-history-'));
    writeFileSync(join(folder, 'release.pub'), signer.publicKey.export({ type: 'spki', format: 'pem' }));
    database = await createTestDatabase(driver);
    const flags = { 'data-dir': join(folder, 'data'), 'http-port': '0', 'mqtt-port': '0', ...(database.url && { 'database-url': database.url }) };
    running = await startCoordinator(serveConfig(flags, {}), (error) => errors.push(error));
  });
  afterAll(async () => {
    for (const device of devices) await device.close();
    await running?.close();
    await database?.drop();
    rmSync(folder, { recursive: true, force: true });
  });

  it('serves the events a device reported, newest first, in pages; another tenant sees no such device', async () => {
    const acme = await tenant('acme');
    const device = await connect(acme, 'pump-1');
    const fingerprint = 'f'.repeat(64);
    const results: MigrationResult[] = [
      { at: 1_700_000_000_000, from: null, to: 'rev_0001', revisions: ['rev_0001'], outcome: 'applied', durationMs: 12.5 },
      { at: 1_700_000_001_000, from: 'rev_0001', to: 'rev_0001', revisions: [], outcome: 'up-to-date', durationMs: 0 },
      { at: 1_700_000_002_000, from: 'rev_0001', to: 'rev_0001', revisions: ['rev_0002'], outcome: 'rolled-back', durationMs: 40, error: 'statement failed: no such table: t_9' },
      { at: 1_700_000_003_000, from: 'rev_0001', to: 'rev_0002', revisions: ['rev_0002'], outcome: 'applied', durationMs: 30, forced: true },
      { at: 1_700_000_004_000, from: 'rev_0002', to: 'rev_0002', revisions: [], outcome: 'refused', durationMs: 1, error: 'drift: the live schema is not what rev_0002 expects' },
    ];
    // A state without an event in between: event counters need not be contiguous.
    device.record(results[0]!, { revision: 'rev_0001', fingerprint, bundleSequence: 1 });
    device.setState({ revision: 'rev_0001', fingerprint, bundleSequence: 1 });
    for (const result of results.slice(1)) device.record(result, { revision: result.to, fingerprint, bundleSequence: 2 });
    await device.waitConfirmed(20_000);
    const expected = [
      { counter: 6, ...results[4] },
      { counter: 5, ...results[3] },
      { counter: 4, ...results[2] },
      { counter: 3, ...results[1] },
      { counter: 1, ...results[0] },
    ];

    const all = await http('/v1/devices/pump-1/events', acme.token);
    expect(all).toEqual({ status: 200, json: { events: expected, next: null } });
    // Exactly the contract's keys, in its order, with error/forced only where the device sent them.
    expect(Object.keys(all.json.events[0])).toEqual(['counter', 'at', 'from', 'to', 'revisions', 'outcome', 'durationMs', 'error']);
    expect(Object.keys(all.json.events[3])).toEqual(['counter', 'at', 'from', 'to', 'revisions', 'outcome', 'durationMs']);

    const first = await http('/v1/devices/pump-1/events?limit=2', acme.token);
    expect(first.json).toEqual({ events: expected.slice(0, 2), next: 5 });
    const second = await http(`/v1/devices/pump-1/events?limit=2&before=${first.json.next}`, acme.token);
    expect(second.json).toEqual({ events: expected.slice(2, 4), next: 3 });
    const last = await http(`/v1/devices/pump-1/events?limit=2&before=${second.json.next}`, acme.token);
    expect(last.json).toEqual({ events: expected.slice(4), next: null });
    for (const query of ['limit=0', 'limit=1001', 'limit=x', 'before=-1', 'before=1.5', 'page=2']) {
      const refused = await http(`/v1/devices/pump-1/events?${query}`, acme.token);
      expect(refused.status, query).toBe(400);
      expect(refused.json.error.code).toBe('invalid-request');
    }

    const shown = await json(['device', 'show', 'pump-1'], acme.env);
    expect(shown).toMatchObject({ id: 'pump-1', tenant: acme.id, channel: 'stable', revision: 'rev_0002', fingerprint, online: true, events: expected, nextEvents: null });
    expect((await json(['device', 'show', 'pump-1', '--limit', '1'], acme.env))).toMatchObject({ events: expected.slice(0, 1), nextEvents: 6 });
    const text = await cli(['device', 'show', 'pump-1'], acme.env);
    expect(text.stdout).toMatch(/^device pump-1 \(tenant [0-9a-f-]{36}, channel stable\)\n/);
    expect(text.stdout).toMatch(/events, newest first:\nCOUNTER\s+AT\s+OUTCOME\s+FROM -> TO\s+DURATION\s+ERROR\n6\s+2023-11-14T22:13:24\.000Z\s+refused\s+rev_0002 -> rev_0002\s+1 ms\s+drift: /);
    expect(text.stdout).toMatch(/\n5\s+\S+\s+applied \(forced\)\s+rev_0001 -> rev_0002/);
    expect((await cli(['device', 'show', 'pump-1', '--limit', '0'], acme.env)).code).toBe(2);

    const fresh = await json(['device', 'register', 'pump-2'], acme.env);
    expect(await http(`/v1/devices/${fresh.id}/events`, acme.token)).toEqual({ status: 200, json: { events: [], next: null } });
    expect((await cli(['device', 'show', 'pump-2'], acme.env)).stdout).toMatch(/\nno migration events\n$/);

    const other = await tenant('other');
    for (const id of ['pump-1', 'nope']) {
      expect((await http(`/v1/devices/${id}/events`, other.token)).status).toBe(404);
      const refused = await cli(['device', 'show', id], other.env);
      expect(refused).toMatchObject({ code: 7, stdout: '' });
      expect(refused.stderr).toMatch(/^coordinator: no such device [^\n]+\n$/);
    }
    expect(errors).toEqual([]);
  });

  it('bundle upload stores a bundle without a rollout, so a device that shipped with it is not drifted', async () => {
    const factory = await tenant('factory');
    const bundle = makeTestBundle(signer.privateKey, ['fac_0001', 'fac_0002'], { sequence: 3 });
    writeFileSync(join(folder, 'factory.bundle'), bundle.bytes);
    writeFileSync(join(folder, 'stranger.bundle'), makeTestBundle(generateKeyPair().privateKey, ['fac_0001']).bytes);
    const device = await connect(factory, 'kiosk-1', 'field');
    device.setState({ revision: 'fac_0002', fingerprint: bundle.revisions.get('fac_0002')!.fingerprint, bundleSequence: 3 });
    await device.waitConfirmed(20_000);
    expect(await json(['drift'], factory.env)).toEqual([expect.objectContaining({ id: 'kiosk-1', diff: 'revision fac_0002 is in no bundle the coordinator has stored' })]);

    const uploaded = await json(['bundle', 'upload', 'factory.bundle'], factory.env);
    expect(uploaded).toEqual({
      id: bundle.bundleId,
      sequence: 3,
      sha256: expect.stringMatching(/^[0-9a-f]{64}$/),
      size: bundle.bytes.byteLength,
      heads: ['fac_0002'],
      revisions: ['fac_0001', 'fac_0002'],
      signers: [keyIdOf(signer.publicKey)],
      expiresAt: null,
      createdAt: expect.any(String),
      added: true,
    });
    expect(await json(['bundle', 'upload', 'factory.bundle'], factory.env)).toMatchObject({ id: bundle.bundleId, added: false });
    expect((await cli(['bundle', 'upload', 'factory.bundle'], factory.env)).stdout).toBe(
      `already stored: bundle ${bundle.bundleId} (sequence 3, revisions fac_0001 fac_0002)\n`,
    );

    expect(await json(['devices'], factory.env)).toEqual([
      expect.objectContaining({ id: 'kiosk-1', revision: 'fac_0002', drift: false, expectedFingerprint: bundle.revisions.get('fac_0002')!.fingerprint }),
    ]);
    expect(await json(['drift'], factory.env)).toEqual([]);
    expect((await http('/v1/rollouts', factory.token)).json).toEqual([]);

    const refused = await cli(['bundle', 'upload', 'stranger.bundle'], factory.env);
    expect(refused).toMatchObject({ code: 3, stdout: '' });
    expect(refused.stderr).toMatch(/^coordinator: untrusted-key: /);
    expect((await cli(['bundle', 'upload', 'missing.bundle'], factory.env)).code).toBe(1);
    expect((await http('/v1/bundles', factory.token)).json.map((b: { id: string }) => b.id)).toEqual([bundle.bundleId]);
    expect(errors).toEqual([]);
  });

  it('rollout status shows each target: pending, applying, succeeded, failed with the error', async () => {
    const ops = await tenant('ops');
    const bundle = makeTestBundle(signer.privateKey, ['can_0001']);
    const head = { revision: 'can_0001', fingerprint: bundle.revisions.get('can_0001')!.fingerprint, bundleSequence: 1 };
    writeFileSync(join(folder, 'canary.bundle'), bundle.bytes);
    const [ok, bad, slow] = [await connect(ops, 'ok-1', 'canary'), await connect(ops, 'bad-1', 'canary'), await connect(ops, 'slow-1', 'canary')];
    await json(['device', 'register', 'off-1', '--channel', 'canary'], ops.env);
    const { rollout } = await json(['publish', 'canary.bundle', '--channel', 'canary'], ops.env);
    const status = () => json(['rollout', 'status', rollout], ops.env);
    const progress = async () => Object.fromEntries((await status()).devices.map((d: { id: string; status: string; error: string | null }) => [d.id, [d.status, d.error]]));

    expect(await progress()).toEqual({ 'ok-1': ['pending', null], 'bad-1': ['pending', null], 'slow-1': ['pending', null], 'off-1': ['pending', null] });

    const at = Date.now();
    ok.record({ at, from: null, to: 'can_0001', revisions: ['can_0001'], outcome: 'applied', durationMs: 5 }, head);
    const error = 'statement failed: CREATE TABLE t_0: disk I/O error';
    bad.record({ at, from: null, to: null, revisions: ['can_0001'], outcome: 'rolled-back', durationMs: 9, error }, { ...head, revision: null, bundleSequence: null });
    // A report that decides nothing: the device is there and has the bundle, its result is still to come.
    slow.setState({ revision: null, fingerprint: '0'.repeat(64), bundleSequence: null });
    await Promise.all([ok, bad, slow].map((d) => d.waitConfirmed(20_000)));

    const mid = await status();
    expect(mid).toMatchObject({ pending: 1, applying: 1, succeeded: 1, failed: 1, targets: mid.devices.map((d: { id: string }) => d.id) });
    expect(mid.devices.find((d: { id: string }) => d.id === 'bad-1')).toEqual({ id: 'bad-1', status: 'failed', error, attempts: 1, addedAt: expect.any(String), retriedAt: null, resultAt: expect.any(String) });
    expect(mid.devices.find((d: { id: string }) => d.id === 'ok-1')).toEqual({ id: 'ok-1', status: 'succeeded', error: null, attempts: 1, addedAt: expect.any(String), retriedAt: null, resultAt: expect.any(String) });
    expect(mid.devices.find((d: { id: string }) => d.id === 'slow-1')).toEqual({ id: 'slow-1', status: 'applying', error: null, attempts: 0, addedAt: expect.any(String), retriedAt: null, resultAt: null });
    expect((await http(`/v1/rollouts/${rollout}`, ops.token)).json).toEqual(mid);
    const text = (await cli(['rollout', 'status', rollout], ops.env)).stdout;
    expect(text).toMatch(/\ntargets 4: 1 succeeded, 1 failed, 1 applying, 1 pending\nDEVICE\s+STATUS\s+SINCE\s+ERROR\n/);
    expect(text).toMatch(/\nbad-1\s+failed\s+\S+\s+statement failed: CREATE TABLE t_0: disk I\/O error\n/);
    expect(text).toMatch(/\nslow-1\s+applying\s+\S+\n/);

    slow.record({ at: Date.now(), from: null, to: 'can_0001', revisions: ['can_0001'], outcome: 'applied', durationMs: 7 }, head);
    await slow.waitConfirmed(20_000);
    expect(await progress()).toEqual({ 'ok-1': ['succeeded', null], 'bad-1': ['failed', error], 'slow-1': ['succeeded', null], 'off-1': ['pending', null] });
    expect(await status()).toMatchObject({ pending: 1, applying: 0, succeeded: 2, failed: 1 });

    const other = await tenant('others');
    expect((await http(`/v1/rollouts/${rollout}`, other.token)).status).toBe(404);
    expect((await cli(['rollout', 'status', rollout], other.env))).toMatchObject({ code: 7, stdout: '' });
    expect(errors).toEqual([]);
  });
});
