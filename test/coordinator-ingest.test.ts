/**
 * Ingest is idempotent and confirmed end to end: duplicated, reordered and replayed reports leave
 * each device at its newest state with every event stored once; a coordinator killed with SIGKILL
 * in the middle of a storm loses nothing once it is back, and every device gets its confirmation.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectAsync, type MqttClient } from 'mqtt';
import { startMqtt, IngestCounters, type Store } from '@godwit/coordinator';
import { decodeAck, encodeReport, PROTOCOL_VERSION, type StateReport, deviceTopic } from '@godwit/fleet-protocol';
import type { SimulatedDevice } from '@godwit/fleet-protocol/simulated-device';
import {
  fingerprint,
  freePort,
  openTestStore,
  registerDevices,
  result,
  simulate,
  spawnServe,
  storedView,
  waitFor,
  type ServeProcess,
  type Registered,
} from './coordinator-fixtures.js';

const cleanups: (() => Promise<unknown> | unknown)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

function reportAt(counter: number): StateReport {
  // As a device sends it: everything from the oldest unconfirmed event (here up to 3 back) to `counter`.
  const events = [counter - 2, counter - 1, counter]
    .filter((c) => c >= 1)
    .map((c) => ({ ...result(`rev_${String(c).padStart(4, '0')}`), counter: c }));
  return { v: PROTOCOL_VERSION, counter, revision: `rev_${String(counter).padStart(4, '0')}`, fingerprint: fingerprint(counter), bundleSequence: counter, lastResults: [], events };
}

function shuffled<T>(items: T[]): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = randomBytes(4).readUInt32LE() % (i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

describe('ingest', () => {
  it('duplicated, reordered and replayed reports leave each device at its newest state, every event once', async () => {
    const store = await openTestStore();
    cleanups.push(() => store.close());
    const tenant = await store.tenants.create(`ingest-${randomBytes(4).toString('hex')}`);
    const devices = await registerDevices(store, tenant.id, 5);
    const metrics = new IngestCounters();
    const mqtt = await startMqtt({ store, metrics, port: 0, maxDelayMs: 30 });
    cleanups.push(() => mqtt.close());

    const REPORTS = 30;
    const lastAck = new Map<string, number>();
    let messages = 0;
    const clients: MqttClient[] = [];
    await Promise.all(
      devices.map(async (device) => {
        const client = await connectAsync(mqtt.url, { clientId: device.username, username: device.username, password: device.password, reconnectPeriod: 0 });
        clients.push(client);
        client.on('message', (_t, payload) => lastAck.set(device.deviceId, Math.max(lastAck.get(device.deviceId) ?? 0, decodeAck(payload).counter)));
        await client.subscribeAsync(deviceTopic(tenant.id, device.deviceId, 'ack'), { qos: 1 });
        const counters = Array.from({ length: REPORTS }, (_, i) => i + 1);
        // Every report two or three times, in random order, then the older half replayed at the end.
        const sends = shuffled([...counters, ...counters, ...counters.filter((c) => c % 3 === 0)]);
        sends.push(...counters.slice(0, REPORTS / 2));
        for (const counter of sends) {
          await client.publishAsync(deviceTopic(tenant.id, device.deviceId, 'state'), encodeReport(reportAt(counter)), { qos: 1 });
          messages++;
        }
      }),
    );
    await mqtt.drain();

    const view = await storedView(store, tenant.id);
    for (const device of devices) {
      const stored = view.get(device.deviceId)!;
      expect(stored.counter).toBe(REPORTS);
      expect(stored.fingerprint).toBe(fingerprint(REPORTS));
      expect(stored.revision).toBe(`rev_00${REPORTS}`);
      expect(stored.events).toEqual(Array.from({ length: REPORTS }, (_, i) => i + 1));
    }
    await waitFor('every device confirmed at its newest counter', () => devices.every((d) => lastAck.get(d.deviceId) === REPORTS), 5_000);
    expect(metrics.droppedTotal).toBe(0);
    // Batching: far fewer transactions than messages.
    expect(metrics.batches).toBeLessThan(messages / 4);

    // Presence follows the connections.
    const online = async () =>
      (await store.fleet.devices(tenant.id)).filter((d) => devices.some((x) => x.deviceId === d.id)).map((d) => d.online);
    await mqtt.drain();
    expect(await online()).toEqual(devices.map(() => true));
    await Promise.all(clients.map((c) => c.endAsync()));
    await waitFor('devices shown offline', async () => (await mqtt.drain(), (await online()).every((o) => !o)), 5_000);
  });

  it('a coordinator killed with SIGKILL mid-storm loses nothing: every report stored once, every device confirmed', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'godwit-kill-'));
    cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
    const DEVICES = 60;
    const EVENTS = 8;
    let tenantId: string;
    let registered: Registered[];
    // `coordinator serve` keeps PGlite in DATA_DIR/pglite; PGlite allows one process at a time.
    {
      const store = await openTestStore(join(dataDir, 'pglite'));
      tenantId = (await store.tenants.create(`storm-${randomBytes(4).toString('hex')}`)).id;
      registered = await registerDevices(store, tenantId, DEVICES);
      await store.close();
    }
    const port = await freePort();
    const args = ['--data-dir', dataDir, '--mqtt-port', String(port), '--admin-token', 'kill-test-admin-token'];
    let coordinator: ServeProcess = await spawnServe(args);
    cleanups.push(() => coordinator.kill('SIGKILL'));

    const devices: SimulatedDevice[] = registered.map((d) => simulate(coordinator.mqtt, d));
    cleanups.push(() => Promise.all(devices.map((d) => d.close(true))));
    await Promise.all(devices.map((d) => d.connect()));

    // Each device records its events over about two seconds; the coordinator dies in the middle.
    const storm = Promise.all(
      devices.map(async (device, i) => {
        for (let n = 1; n <= EVENTS; n++) {
          await new Promise((r) => setTimeout(r, 150 + ((i * 37 + n * 11) % 200)));
          const to = `rev_${String(n).padStart(4, '0')}`;
          device.record(result(to), { revision: to, fingerprint: fingerprint(n), bundleSequence: n });
        }
      }),
    );
    await waitFor('part of the storm stored', async () => (await coordinator.reportsStored()) > 200, 30_000);
    await coordinator.kill('SIGKILL');
    const confirmedAtKill = devices.filter((d) => !d.pending).length;
    await new Promise((r) => setTimeout(r, 300));
    coordinator = await spawnServe(args);
    await storm;
    await Promise.all(devices.map((d) => d.waitConfirmed(60_000)));
    await coordinator.kill('SIGTERM');

    expect(confirmedAtKill).toBeLessThan(DEVICES);
    const store = await openTestStore(join(dataDir, 'pglite'));
    try {
      const view = await storedView(store, tenantId);
      for (const device of devices) {
        const stored = view.get(device.options.deviceId)!;
        expect(stored.events).toEqual(Array.from({ length: EVENTS }, (_, i) => i + 1));
        expect(stored.counter).toBe(EVENTS);
        expect(stored.fingerprint).toBe(fingerprint(EVENTS));
        expect(device.confirmed).toBe(EVENTS);
      }
    } finally {
      await store.close();
    }
  });
});
