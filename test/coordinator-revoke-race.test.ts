/**
 * A revoke is final however it interleaves with the device's connects. Two hundred connects of
 * one device run in parallel while it is revoked in the middle of them (at a different moment each
 * round): once the revoke has returned, no connection of the device is left, no new one is
 * accepted, and nothing it sends is stored. Before credentials carried a generation, an
 * authentication that read the store before the revoke committed could cache the credential after
 * the revoke had forgotten it, and the device kept connecting until the next restart.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomBytes, randomInt } from 'node:crypto';
import { connectAsync, type MqttClient } from 'mqtt';
import { sql } from 'drizzle-orm';
import { IngestCounters, startMqtt, type MqttService, type Store } from '@godwit/coordinator';
import { deviceTopic, encodeReport, PROTOCOL_VERSION } from '@godwit/fleet-protocol';
import { fingerprint, openTestStore, queryRows, registerDevices, waitFor, type Registered } from './coordinator-fixtures.js';

const CONNECTS = 200;
const ROUNDS = 10;

let store: Store;
let mqtt: MqttService;
let tenantId: string;

beforeAll(async () => {
  store = await openTestStore();
  tenantId = (await store.tenants.create(`race-${randomBytes(4).toString('hex')}`)).id;
  // The real store, its answers to CONNECT handed over 0-40 ms late, as under load (a busy
  // database, a queue of password hashes): the interleavings a storm produces now and then, every round.
  const loaded = {
    authenticateDevice: async (username: string, secret: string) => {
      const identity = await store.authenticateDevice(username, secret);
      await new Promise((r) => setTimeout(r, randomInt(40)));
      return identity;
    },
    writeReports: store.writeReports.bind(store),
    setPresence: store.setPresence.bind(store),
  };
  mqtt = await startMqtt({ store: loaded, metrics: new IngestCounters(), port: 0, maxDelayMs: 10 });
});

afterAll(async () => {
  await mqtt?.close();
  await store?.close();
});

async function storedCounter(device: Registered): Promise<number | null> {
  const [row] = await queryRows<{ counter: string | number | null }>(
    store,
    sql`select counter from device_state where tenant_id = ${device.tenantId} and device_id = ${device.deviceId}`,
  );
  return row?.counter === null || row?.counter === undefined ? null : Number(row.counter);
}

function report(counter: number): Buffer {
  return encodeReport({ v: PROTOCOL_VERSION, counter, revision: null, fingerprint: fingerprint(counter), bundleSequence: null, lastResults: [], events: [] });
}

/** One connect of the device that, once in, reports with the next counter; null if refused. */
async function connectAndReport(device: Registered, next: () => number): Promise<MqttClient | null> {
  try {
    const client = await connectAsync(mqtt.url, { username: device.username, password: device.password, clientId: device.username, reconnectPeriod: 0, connectTimeout: 30_000 });
    client.publish(deviceTopic(device.tenantId, device.deviceId, 'state'), report(next()), { qos: 1 });
    return client;
  } catch {
    return null;
  }
}

describe('revoking a device while it connects', () => {
  it.each(Array.from({ length: ROUNDS }, (_, round) => round))('round %i: no connection survives the revoke, none is accepted after it, nothing is stored after it', async (round) => {
    const [device] = (await registerDevices(store, tenantId, 1, `race${round}`)) as [Registered];
    let counter = 0;
    const next = () => ++counter;
    // All at once, and the revoke starts when the first (or, every other round, the eleventh) is
    // in: then some are connected, some between the store's answer and the broker's, and some
    // not yet read from the store.
    let connected = 0;
    let startRevoke!: () => void;
    const revokeNow = new Promise<void>((resolve) => (startRevoke = resolve));
    const connects = Array.from({ length: CONNECTS }, async () => {
      const client = await connectAndReport(device, next);
      if (client && ++connected === 1 + (round % 2) * 10) startRevoke();
      return client;
    });
    await Promise.race([revokeNow, Promise.all(connects)]);
    await store.devices.revoke(tenantId, device.deviceId);
    await mqtt.access.revoke(device.username);
    const storedAtRevoke = await storedCounter(device);
    const clients = (await Promise.all(connects)).filter((c): c is MqttClient => c !== null);

    // Connects that were in flight have settled: whatever got in must be gone, and stay out.
    await mqtt.drain();
    for (let attempt = 0; attempt < 20; attempt++) expect(await connectAndReport(device, next)).toBeNull();
    await waitFor('every connection of the revoked device to close', () => clients.every((c) => !c.connected), 10_000);
    for (const c of clients) c.publish(deviceTopic(device.tenantId, device.deviceId, 'state'), report(next()), { qos: 1 });
    await mqtt.drain();
    expect(clients.filter((c) => c.connected)).toEqual([]);
    expect(await storedCounter(device)).toBe(storedAtRevoke);
    await Promise.all(clients.map((c) => c.endAsync(true)));
  });
});
