/**
 * Guarantee 6 on MQTT with real MQTT.js clients against the embedded aedes broker: credentials are
 * checked, devices publish only their own reports and subscribe only to their own topics and their
 * tenant's channels, and junk on a state topic is dropped and counted while valid reports land.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { connectAsync, type MqttClient } from 'mqtt';
import { sql } from 'drizzle-orm';
import { startMqtt, type MqttService, IngestCounters, type Store } from '@godwit/coordinator';
import { encodeReport, MAX_REPORT_BYTES, PROTOCOL_VERSION, deviceTopic, channelRoot } from '@godwit/fleet-protocol';
import { fingerprint, openTestStore, queryRows, registerDevices, waitFor, type Registered } from './coordinator-fixtures.js';

let store: Store;
let mqtt: MqttService;
const metrics = new IngestCounters();
let a1: Registered, a2: Registered, b1: Registered;
const clients: MqttClient[] = [];

async function connectAs(device: Registered, password = device.password): Promise<MqttClient> {
  const client = await connectAsync(mqtt.url, { username: device.username, password, reconnectPeriod: 0, clientId: device.username });
  clients.push(client);
  return client;
}

async function storedCounter(device: Registered): Promise<number | null> {
  const rows = await queryRows<{ counter: string | number | null }>(
    store,
    sql`select counter from device_state where tenant_id = ${device.tenantId} and device_id = ${device.deviceId}`,
  );
  const counter = rows[0]?.counter ?? null;
  return counter === null ? null : Number(counter);
}

function report(counter: number): Buffer {
  return encodeReport({ v: PROTOCOL_VERSION, counter, revision: 'abcd', fingerprint: fingerprint(counter), bundleSequence: 1, lastResults: [], events: [] });
}

function closed(client: MqttClient): Promise<void> {
  return new Promise((resolve) => (client.connected ? client.once('close', () => resolve()) : resolve()));
}

beforeAll(async () => {
  store = await openTestStore();
  const tenantA = await store.tenants.create(`a-${randomBytes(4).toString('hex')}`);
  const tenantB = await store.tenants.create(`b-${randomBytes(4).toString('hex')}`);
  [a1, a2] = (await registerDevices(store, tenantA.id, 2, 'a')) as [Registered, Registered];
  [b1] = (await registerDevices(store, tenantB.id, 1, 'b')) as [Registered];
  mqtt = await startMqtt({ store, metrics, port: 0, maxDelayMs: 20 });
});

afterAll(async () => {
  await Promise.all(clients.map((c) => c.endAsync(true)));
  await mqtt?.close();
  await store?.close();
});

describe('MQTT security (embedded broker)', () => {
  it('refuses wrong, unknown and missing credentials', async () => {
    await expect(connectAs(a1, 'not-the-secret')).rejects.toThrow(/bad user name or password|Not authorized|Connection refused/i);
    await expect(connectAs({ ...a1, username: `${a1.tenantId}:nobody` })).rejects.toThrow();
    await expect(connectAsync(mqtt.url, { reconnectPeriod: 0 })).rejects.toThrow();
    // A device's secret does not open another device's username.
    await expect(connectAs({ ...a2, password: a1.password })).rejects.toThrow();
  });

  it('disconnects a device publishing on another device’s or tenant’s topic; nothing reaches the store', async () => {
    for (const victim of [a2, b1]) {
      const client = await connectAs(a1);
      const gone = closed(client);
      client.publish(deviceTopic(victim.tenantId, victim.deviceId, 'state'), report(5), { qos: 1 });
      await gone;
    }
    // Retained reports are refused too: they would be replayed to later subscribers.
    const client = await connectAs(a1);
    const gone = closed(client);
    client.publish(deviceTopic(a1.tenantId, a1.deviceId, 'state'), report(5), { qos: 1, retain: true });
    await gone;
    await mqtt.drain();
    expect(await storedCounter(a2)).toBeNull();
    expect(await storedCounter(b1)).toBeNull();
    expect(await storedCounter(a1)).toBeNull();
    expect(metrics.droppedByReason.unauthorized).toBe(3);
  });

  it('refuses subscriptions outside the device’s own topics and its tenant’s channels', async () => {
    const client = await connectAs(a1);
    // MQTT.js rejects a subscription the broker answered with 128.
    const granted = (filter: string) =>
      client.subscribeAsync(filter, { qos: 1 }).then(
        (grants) => grants[0]!.qos,
        (error: { packet?: { granted?: number[] } }) => error.packet?.granted?.[0],
      );
    expect(await granted(`${channelRoot(b1.tenantId)}/main/bundle`)).toBe(128);
    expect(await granted(`${channelRoot(b1.tenantId)}/#`)).toBe(128);
    expect(await granted(deviceTopic(a2.tenantId, a2.deviceId, 'ack'))).toBe(128);
    expect(await granted('godwit/#')).toBe(128);
    expect(await granted('#')).toBe(128);
    expect(await granted(`$share/x/${deviceTopic(a1.tenantId, a1.deviceId, 'state')}`)).toBe(128);
    expect(await granted(deviceTopic(a1.tenantId, a1.deviceId, 'ack'))).toBe(1);
    expect(await granted(`${channelRoot(a1.tenantId)}/main/bundle`)).toBe(1);
  });

  it('drops and counts 1,000 random-byte and oversized payloads while valid reports keep landing', async () => {
    const junk = await connectAs(a1);
    const good = await connectAs(a2);
    const acks: number[] = [];
    good.on('message', (_topic, payload) => acks.push(payload.length));
    await good.subscribeAsync(deviceTopic(a2.tenantId, a2.deviceId, 'ack'), { qos: 1 });
    const before = metrics.droppedTotal;
    const state = deviceTopic(a1.tenantId, a1.deviceId, 'state');
    const sends: Promise<unknown>[] = [];
    for (let i = 1; i <= 1000; i++) {
      const size = i % 100 === 0 ? MAX_REPORT_BYTES + 1 + i : 1 + (i % 200);
      sends.push(junk.publishAsync(state, randomBytes(size), { qos: 1 }));
      if (i % 20 === 0) sends.push(good.publishAsync(deviceTopic(a2.tenantId, a2.deviceId, 'state'), report(i / 20), { qos: 1 }));
    }
    await Promise.all(sends);
    await waitFor('every junk payload counted', () => metrics.droppedTotal - before === 1000, 30_000);
    await mqtt.drain();
    expect((metrics.droppedByReason['too-large'] ?? 0)).toBe(10);
    expect(await storedCounter(a1)).toBeNull();
    expect(await storedCounter(a2)).toBe(50);
    await waitFor('acks for the valid reports', () => acks.length > 0, 5_000);
    expect(junk.connected).toBe(true);
  });

  it('a bundle delivered while the device is offline waits for it, retained, on its own topic only', async () => {
    const bytes = randomBytes(2048);
    await mqtt.deliver({ tenantId: a2.tenantId, deviceIds: [a2.deviceId], bytes });
    const device = await connectAs(a2);
    const got = new Promise<Buffer>((resolve) => device.once('message', (_topic, payload, packet) => packet.retain && resolve(payload)));
    await device.subscribeAsync(deviceTopic(a2.tenantId, a2.deviceId, 'bundle'), { qos: 1 });
    expect(Buffer.compare(await got, bytes)).toBe(0);
    const other = await connectAs(a1);
    await expect(other.subscribeAsync(deviceTopic(a2.tenantId, a2.deviceId, 'bundle'), { qos: 1 })).rejects.toThrow();
  });

  it('revoking a device disconnects it and refuses it afterwards', async () => {
    const client = await connectAs(b1);
    const gone = closed(client);
    await store.devices.revoke(b1.tenantId, b1.deviceId);
    await mqtt.access.revoke(b1.username);
    await gone;
    await expect(connectAs(b1)).rejects.toThrow();
  });
});
