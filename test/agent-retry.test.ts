/**
 * An operator's retry reaches a running daemon: a bundle that failed on a device (its database
 * held locked by another writer) is taken again and applied when the operator retries the rollout,
 * without restarting the agent, with every row kept. On each broker the daemon may meet: the
 * embedded one (aedes) and an external Mosquitto, where the test can also publish on the command
 * topic itself: a command that does not fit is refused and a redelivered one acted on once.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { connectAsync, type MqttClient } from 'mqtt';
import { deviceTopic, encodeCommand, PROTOCOL_VERSION } from '@godwit/fleet-protocol';
import { startMosquitto, waitFor, type Mosquitto } from './coordinator-fixtures.js';
import { bundleFile, EXAMPLE_MIGRATIONS, makeWorkspace, seedShop, sha256File, tableDigest, writeMigrations, type Workspace } from '../apps/edge-agent/test-support/fixtures.js';
import { spawnDaemon, startTestCoordinator, writeDaemonConfig, type TestCoordinator } from './agent-daemon-harness.js';

let ws: Workspace;

function shopUpTo(last: number): string {
  const files = readdirSync(EXAMPLE_MIGRATIONS).filter((f) => Number(f.slice(0, 4)) <= last);
  return writeMigrations(ws, `shop-${last}`, Object.fromEntries(files.map((f) => [f, readFileSync(`${EXAMPLE_MIGRATIONS}/${f}`, 'utf8')])));
}

beforeAll(() => {
  ws = makeWorkspace('agent-retry-');
});
afterAll(() => ws?.cleanup());

interface RolloutCounts {
  succeeded: number;
  failed: number;
  pending: number;
}

/** A device whose first try at shop_0003 fails on a locked database, then the operator's retry. */
async function failThenRetry(coordinator: TestCoordinator, deviceId: string, brokerUrl: string) {
  const mqtt = { url: brokerUrl, ...(await coordinator.register(deviceId)) };
  const config = writeDaemonConfig(ws, deviceId, mqtt, { lockTimeoutMs: 300 });
  const runtime = await bundleFile(ws, `${deviceId}-bundles/runtime.mbundle`, shopUpTo(2), { sequence: 1 });
  await coordinator.upload(readFileSync(runtime));
  const db = ws.path(`${deviceId}.db`);
  const daemon = spawnDaemon(config);
  await daemon.waitFor('ready');
  await waitFor(`${deviceId} at shop_0002 and online`, async () => {
    const device = await coordinator.device(deviceId);
    return device.revision === 'shop_0002' && device.online;
  }, 20_000);
  seedShop(db, 400);
  const columns = ['id', 'customer_id', 'total_cents'];
  const rows = tableDigest(db, 'orders', columns);

  // Another writer holds the database for as long as the first try waits, and longer.
  const writer = new Database(db);
  writer.exec('BEGIN IMMEDIATE');
  const bundle = await coordinator.upload(readFileSync(await bundleFile(ws, `${deviceId}-3.mbundle`, shopUpTo(3), { sequence: 2 })));
  const rollout = await coordinator.api<{ id: string }>('POST', '/v1/rollouts', { bundle, channel: 'main' });
  const status = () => coordinator.api<RolloutCounts>('GET', `/v1/rollouts/${rollout.id}`);
  await daemon.waitFor('applying');
  const failure = await daemon.waitFor('refused');
  expect(String(failure.error)).toMatch(/is locked by another process/);
  await waitFor('the failure counted', async () => (await status()).failed === 1, 20_000);
  writer.exec('ROLLBACK');
  writer.close();
  const digest = sha256File(db);

  const from = daemon.lines.length;
  await coordinator.api('POST', `/v1/rollouts/${rollout.id}/retry`);
  await daemon.waitFor('retry', undefined, 20_000, from);
  await daemon.waitFor('applied', (l) => l.to === 'shop_0003', 30_000, from);
  await waitFor('the retried target to succeed', async () => {
    const counts = await status();
    return counts.succeeded === 1 && counts.failed === 0;
  }, 20_000);
  expect(digest).not.toBe(sha256File(db));
  expect(tableDigest(db, 'orders', columns)).toEqual(rows);
  expect(daemon.lines.filter((l) => l.event === 'ready')).toHaveLength(1);
  const events = await coordinator.events(deviceId);
  expect(events.map((e) => e.outcome).slice(0, 2)).toEqual(['applied', 'refused']);
  return { daemon, db };
}

describe('an operator retry reaches a running edge-agent', () => {
  it('on the embedded broker: the failed bundle is taken again and applied, rows kept, without a restart', async () => {
    const coordinator = await startTestCoordinator(ws);
    try {
      const { daemon } = await failThenRetry(coordinator, 'retry-1', coordinator.running.mqttUrl);
      expect((await daemon.stop('SIGTERM')).code).toBe(0);
    } finally {
      await coordinator.close();
    }
  });

  it('on Mosquitto: the same; a command that does not fit is refused, a redelivered one acted on once, and a retry of the bundle it is at changes nothing', async () => {
    let mosquitto: Mosquitto | undefined;
    let coordinator: TestCoordinator | undefined;
    let publisher: MqttClient | undefined;
    try {
      mosquitto = await startMosquitto();
      coordinator = await startTestCoordinator(ws, { mqttUrl: mosquitto.adminUrl });
      const { daemon, db } = await failThenRetry(coordinator, 'retry-2', `mqtt://127.0.0.1:${mosquitto.port}`);
      publisher = await connectAsync(mosquitto.adminUrl, { clientId: 'retry-test', reconnectPeriod: 0 });
      const topic = deviceTopic(coordinator.tenantId, 'retry-2', 'cmd');
      const digest = sha256File(db);
      const from = daemon.lines.length;

      await publisher.publishAsync(topic, Buffer.from('not a command'), { qos: 1 });
      await publisher.publishAsync(topic, encodeCommand({ v: PROTOCOL_VERSION, command: 'retry', id: 'wipe', bundle: 'ab'.repeat(32) }).subarray(0, 10), { qos: 1 });
      await waitFor('both refused', async () => daemon.lines.slice(from).filter((l) => l.event === 'command-refused').length === 2, 10_000);
      const bundle = readdirSync(ws.path('retry-2-bundles')).find((name) => name.startsWith('mqtt-2-'))!;
      const sha256 = sha256File(ws.path(`retry-2-bundles/${bundle}`));
      const again = encodeCommand({ v: PROTOCOL_VERSION, command: 'retry', id: 'operator-retry-7', bundle: sha256 });
      await publisher.publishAsync(topic, again, { qos: 1 });
      await publisher.publishAsync(topic, again, { qos: 1 });
      await daemon.waitFor('command-duplicate', undefined, 10_000, from);
      await daemon.waitFor('bundle-stale', (l) => l.sequence === 2, 10_000, from);

      const after = daemon.lines.slice(from);
      expect(after.filter((l) => l.event === 'command-refused')).toHaveLength(2);
      expect(after.filter((l) => l.event === 'retry')).toHaveLength(1);
      expect(after.filter((l) => l.event === 'applying')).toEqual([]);
      expect(sha256File(db)).toBe(digest);
      expect((await daemon.stop('SIGTERM')).code).toBe(0);
    } finally {
      await publisher?.endAsync();
      await coordinator?.close();
      await mosquitto?.stop();
    }
  });
});
