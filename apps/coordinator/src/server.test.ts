import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectAsync } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateKeyPair, makeTestBundle } from './bundles/test-bundles.js';
import { runCli } from './cli/test-cli.js';
import { serveConfig } from './config/serve-config.js';
import { SimulatedDevice } from '@godwit/fleet-protocol/simulated-device';
import { deviceTopic } from '@godwit/fleet-protocol';
import { startCoordinator, type RunningCoordinator } from './server.js';
import { createTestDatabase, testDrivers, type TestDatabase } from './store/test-store.js';

describe.each(testDrivers())('serve wiring on %s: HTTP, store and MQTT together', (driver) => {
  let folder: string;
  let database: TestDatabase;
  let running: RunningCoordinator;
  const errors: unknown[] = [];
  const signer = generateKeyPair();

  beforeAll(async () => {
    folder = mkdtempSync(join(tmpdir(), 'godwit-wiring-'));
    database = await createTestDatabase(driver);
    const flags = { 'data-dir': join(folder, 'data'), 'http-port': '0', 'mqtt-port': '0', ...(database.url && { 'database-url': database.url }) };
    running = await startCoordinator(serveConfig(flags, {}), (error) => errors.push(error));
  });
  afterAll(async () => {
    await running?.close();
    await database?.drop();
    rmSync(folder, { recursive: true, force: true });
  });

  it('delivers a published bundle to its targets, ingests their reports, and shows them', async () => {
    const admin = { GODWIT_SERVER: running.httpUrl, GODWIT_TOKEN: running.adminToken.token };
    const tenant = JSON.parse((await runCli(['tenant', 'create', 'wired', '--json'], admin)).stdout);
    const env = { GODWIT_SERVER: running.httpUrl, GODWIT_TOKEN: tenant.token };
    writeFileSync(join(folder, 'release.pub'), signer.publicKey.export({ type: 'spki', format: 'pem' }));
    expect((await runCli(['keys', 'add', 'release.pub'], env, folder)).code).toBe(0);
    const device = JSON.parse((await runCli(['device', 'register', 'dev-1', '--channel', 'stable', '--json'], env)).stdout);

    await expect(connectAsync(running.mqttUrl, { username: device.mqtt.username, password: 'wrong', reconnectPeriod: 0 })).rejects.toThrow();

    const listener = await connectAsync(running.mqttUrl, { username: device.mqtt.username, password: device.mqtt.password, clientId: device.mqtt.username, reconnectPeriod: 0 });
    const delivered = new Promise<Buffer>((resolve) => listener.on('message', (_topic, payload) => resolve(payload)));
    await listener.subscribeAsync(deviceTopic(tenant.id, 'dev-1', 'bundle'), { qos: 1 });

    const bundle = makeTestBundle(signer.privateKey, ['wire_0001']);
    writeFileSync(join(folder, 'app.bundle'), bundle.bytes);
    const published = await runCli(['publish', 'app.bundle', '--channel', 'stable', '--json'], env, folder);
    expect(published.code, published.stderr).toBe(0);
    const { rollout, targets } = JSON.parse(published.stdout);
    expect(targets).toEqual(['dev-1']);
    expect(Buffer.compare(await delivered, Buffer.from(bundle.bytes))).toBe(0);
    await listener.endAsync();

    const sim = new SimulatedDevice({ url: running.mqttUrl, tenantId: tenant.id, deviceId: 'dev-1', username: device.mqtt.username, password: device.mqtt.password });
    await sim.connect();
    const { fingerprint } = bundle.revisions.get('wire_0001')!;
    sim.record({ at: Date.now(), from: null, to: 'wire_0001', revisions: ['wire_0001'], outcome: 'applied', durationMs: 4 }, { revision: 'wire_0001', fingerprint, bundleSequence: 1 });
    await sim.waitConfirmed(20_000);

    const devices = JSON.parse((await runCli(['devices', '--json'], env)).stdout);
    expect(devices).toEqual([expect.objectContaining({ id: 'dev-1', tenant: tenant.id, revision: 'wire_0001', fingerprint, drift: false, online: true })]);
    expect(JSON.parse((await runCli(['rollout', 'status', rollout, '--json'], env)).stdout)).toMatchObject({ succeeded: 1, pending: 0 });
    await sim.close();

    const metrics = await (await fetch(`${running.httpUrl}/metrics`, { headers: { authorization: `Bearer ${running.adminToken.token}` } })).text();
    expect(metrics).toMatch(/^godwit_ingest_reports_total [1-9]/m);
    expect(metrics).toMatch(/^godwit_ingest_batches_total [1-9]/m);
    expect(errors).toEqual([]);
  });

  it('pausing withdraws the bundle from targets that have not fetched it; resuming hands it out again', async () => {
    const admin = { GODWIT_SERVER: running.httpUrl, GODWIT_TOKEN: running.adminToken.token };
    const tenant = JSON.parse((await runCli(['tenant', 'create', 'paused', '--json'], admin)).stdout);
    const env = { GODWIT_SERVER: running.httpUrl, GODWIT_TOKEN: tenant.token };
    writeFileSync(join(folder, 'release.pub'), signer.publicKey.export({ type: 'spki', format: 'pem' }));
    expect((await runCli(['keys', 'add', 'release.pub'], env, folder)).code).toBe(0);
    const device = JSON.parse((await runCli(['device', 'register', 'dev-9', '--channel', 'beta', '--json'], env)).stdout);
    const bundle = makeTestBundle(signer.privateKey, ['wire_0001']);
    writeFileSync(join(folder, 'beta.bundle'), bundle.bytes);
    const { rollout } = JSON.parse((await runCli(['publish', 'beta.bundle', '--channel', 'beta', '--json'], env, folder)).stdout);
    expect((await runCli(['rollout', 'pause', rollout], env)).code).toBe(0);

    // What an offline device finds when it next connects: the retained message, if any.
    const retained = async () => {
      const client = await connectAsync(running.mqttUrl, { username: device.mqtt.username, password: device.mqtt.password, clientId: device.mqtt.username, reconnectPeriod: 0 });
      const got = new Promise<Buffer | null>((resolve) => {
        client.on('message', (_topic, payload) => resolve(payload));
        setTimeout(() => resolve(null), 1_000);
      });
      await client.subscribeAsync(deviceTopic(tenant.id, 'dev-9', 'bundle'), { qos: 1 });
      const payload = await got;
      await client.endAsync();
      return payload;
    };
    expect(await retained()).toBeNull();

    expect((await runCli(['rollout', 'resume', rollout], env)).code).toBe(0);
    const after = await retained();
    expect(after && Buffer.compare(after, Buffer.from(bundle.bytes))).toBe(0);
    expect(errors).toEqual([]);
  });
});
