/**
 * Scale-out (DESIGN.md): two `coordinator serve` replicas against the PostgreSQL server and a Mosquitto
 * started here (own config and port, per-device credentials and ACLs through dynamic security)
 * share the ingest through one shared subscription. 2,000 reports land exactly once; with one
 * replica killed with SIGKILL mid-run, the other and the devices' re-sending still bring every
 * report in exactly once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { connectAsync, type MqttClient } from 'mqtt';
import { openStore, type Store, DynsecClient, createDynsecAccess, type DeviceAccess } from '@godwit/coordinator';
import { deviceTopic } from '@godwit/fleet-protocol';
import type { SimulatedDevice } from '@godwit/fleet-protocol/simulated-device';
import {
  fingerprint,
  freshDatabase,
  registerDevices,
  result,
  simulate,
  spawnServe,
  startMosquitto,
  storedView,
  waitFor,
  type ServeProcess,
  type Mosquitto,
  type Registered,
} from './coordinator-fixtures.js';

const DEVICES = 100;
const EVENTS = 20; // 100 devices × 20 = 2,000 reports per run

let database: Awaited<ReturnType<typeof freshDatabase>>;
let mosquitto: Mosquitto;
let store: Store;
let admin: MqttClient;
let access: DeviceAccess;
const cleanups: (() => Promise<unknown> | unknown)[] = [];

beforeAll(async () => {
  database = await freshDatabase();
  mosquitto = await startMosquitto();
  store = await openStore({ databaseUrl: database.url, dataDir: 'memory://' });
  // Registration is where the plain secret exists: the test plays the HTTP API's part.
  // Reconnects: a replica's first start changes this user's roles, and Mosquitto then drops its connections.
  admin = await connectAsync(mosquitto.adminUrl, { protocolVersion: 5, reconnectPeriod: 300 });
  access = createDynsecAccess(await DynsecClient.attach(admin));
});

afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
  await admin?.endAsync(true);
  await store?.close();
  await mosquitto?.stop();
  await database?.drop();
});

async function fleet(name: string): Promise<{ tenantId: string; registered: Registered[] }> {
  const tenantId = (await store.tenants.create(`${name}-${randomBytes(4).toString('hex')}`)).id;
  const registered = await registerDevices(store, tenantId, DEVICES);
  await access.grant(registered.map((d) => ({ ...d, channel: 'main' })));
  return { tenantId, registered };
}

/** Two `coordinator serve` processes sharing the database and the broker. */
async function replicas(): Promise<ServeProcess[]> {
  const args = ['--database-url', database.url, '--mqtt-url', mosquitto.adminUrl, '--admin-token', 'replica-test-admin-token'];
  const started = await Promise.all([spawnServe(args), spawnServe(args)]);
  cleanups.push(() => Promise.all(started.map((r) => r.kill('SIGKILL'))));
  return started;
}

async function run(registered: Registered[], during?: () => Promise<void>): Promise<SimulatedDevice[]> {
  const devices = registered.map((d) => simulate(`mqtt://127.0.0.1:${mosquitto.port}`, d, 1500));
  cleanups.push(() => Promise.all(devices.map((d) => d.close(true))));
  await Promise.all(devices.map((d) => d.connect()));
  const storm = Promise.all(
    devices.map(async (device, i) => {
      for (let n = 1; n <= EVENTS; n++) {
        await new Promise((r) => setTimeout(r, 20 + ((i * 13 + n * 7) % 60)));
        const to = `rev_${String(n).padStart(4, '0')}`;
        device.record(result(to), { revision: to, fingerprint: fingerprint(n), bundleSequence: n });
      }
    }),
  );
  await during?.();
  await storm;
  await Promise.all(devices.map((d) => d.waitConfirmed(60_000)));
  return devices;
}

async function expectExactlyOnce(tenantId: string, devices: SimulatedDevice[]): Promise<void> {
  const view = await storedView(store, tenantId);
  let events = 0;
  for (const device of devices) {
    const stored = view.get(device.options.deviceId)!;
    expect(stored.events).toEqual(Array.from({ length: EVENTS }, (_, i) => i + 1));
    expect(stored.counter).toBe(EVENTS);
    expect(stored.fingerprint).toBe(fingerprint(EVENTS));
    expect(device.confirmed).toBe(EVENTS);
    events += stored.events.length;
  }
  expect(events).toBe(DEVICES * EVENTS);
}

describe('two replicas on PostgreSQL and Mosquitto', () => {
  it('2,000 reports land exactly once, split between the replicas', async () => {
    const { tenantId, registered } = await fleet('replicas-steady');
    const [a, b] = await replicas();
    const devices = await run(registered);
    await expectExactlyOnce(tenantId, devices);
    const [sa, sb] = await Promise.all([a!.reportsStored(), b!.reportsStored()]);
    // The shared subscription really shares: both replicas stored reports.
    expect(sa).toBeGreaterThan(0);
    expect(sb).toBeGreaterThan(0);

    // Presence through the devices' own messages: online while connected; offline after a clean
    // disconnect, or by the last will of a connection that just dropped.
    const online = async () => (await store.fleet.devices(tenantId)).map((d) => d.online);
    await waitFor('every device online', async () => (await online()).every(Boolean), 10_000);
    await devices[0]!.close(true);
    await Promise.all(devices.slice(1).map((d) => d.close()));
    await waitFor('every device offline', async () => (await online()).every((o) => !o), 10_000);
    await Promise.all([a!.kill('SIGTERM'), b!.kill('SIGTERM')]);
  });

  it('with one replica killed with SIGKILL mid-run, every report still lands exactly once', async () => {
    const { tenantId, registered } = await fleet('replicas-kill');
    const [a, b] = await replicas();
    let killedAfter = 0;
    const devices = await run(registered, async () => {
      await waitFor('the victim to store part of the run', async () => (await a!.reportsStored()) > 150, 30_000);
      killedAfter = await b!.reportsStored();
      await a!.kill('SIGKILL');
    });
    expect(killedAfter).toBeLessThan(DEVICES * EVENTS);
    await expectExactlyOnce(tenantId, devices);
    await b!.kill('SIGTERM');
  });

  it('a device can publish only its own reports on Mosquitto too', async () => {
    const { tenantId, registered } = await fleet('replicas-acl');
    const [own, other] = registered as [Registered, Registered];
    // The broker holds each device to its username as client id: one connection at a time.
    const connectOwn = async () => {
      const client = await connectAsync(`mqtt://127.0.0.1:${mosquitto.port}`, { username: own.username, password: own.password, protocolVersion: 5, reconnectPeriod: 0, clientId: own.username });
      cleanups.push(() => client.endAsync(true));
      return client;
    };
    const probe = await connectOwn();
    await expect(probe.subscribeAsync(deviceTopic(tenantId, other.deviceId, 'ack'), { qos: 1 })).rejects.toThrow(/Subscribe error/);
    await expect(probe.subscribeAsync('godwit/#', { qos: 1 })).rejects.toThrow(/Subscribe error/);
    expect((await probe.subscribeAsync(deviceTopic(tenantId, own.deviceId, 'ack'), { qos: 1 }))[0]!.qos).toBe(1);
    // The coordinator's user watches the victim's state topic: nothing may arrive there.
    const arrived: Buffer[] = [];
    const watch = (topic: string, payload: Buffer) => topic === deviceTopic(tenantId, other.deviceId, 'state') && arrived.push(payload);
    admin.on('message', watch);
    await admin.subscribeAsync(deviceTopic(tenantId, other.deviceId, 'state'), { qos: 1 });
    const refusal = await probe.publishAsync(deviceTopic(tenantId, other.deviceId, 'state'), Buffer.from('x'), { qos: 1 }).then(
      () => 'accepted',
      (error: Error) => error.message,
    );
    // Refused by reason code or by disconnecting: either way the message goes nowhere.
    expect(refusal).toMatch(/Not authorized|Connection closed/i);
    await new Promise((r) => setTimeout(r, 300));
    admin.off('message', watch);
    expect(arrived).toEqual([]);
    await expect(connectAsync(`mqtt://127.0.0.1:${mosquitto.port}`, { username: own.username, password: 'wrong', reconnectPeriod: 0, clientId: own.username })).rejects.toThrow();
    await probe.endAsync(true);
    // Revoking removes the client from the broker and disconnects it at once.
    const client = await connectOwn();
    const gone = new Promise<void>((resolve) => client.once('close', () => resolve()));
    await access.revoke(own.username);
    await gone;
  });

  it('a device revoked while the broker was not told loses its broker account when a coordinator starts', async () => {
    const tenantId = (await store.tenants.create(`reconcile-${randomBytes(4).toString('hex')}`)).id;
    const [kept, revoked] = (await registerDevices(store, tenantId, 2, 'rec')) as [Registered, Registered];
    await access.grant([kept, revoked].map((d) => ({ ...d, channel: 'main' })));
    // Revoked in the store alone, as when the broker was down at the time.
    await store.devices.revoke(tenantId, revoked.deviceId);
    const connect = (device: Registered) =>
      connectAsync(`mqtt://127.0.0.1:${mosquitto.port}`, { username: device.username, password: device.password, protocolVersion: 5, reconnectPeriod: 0, clientId: device.username });
    await (await connect(revoked)).endAsync(true);

    const serve = await spawnServe(['--database-url', database.url, '--mqtt-url', mosquitto.adminUrl, '--admin-token', 'replica-test-admin-token']);
    cleanups.push(() => serve.kill('SIGKILL'));
    await expect(connect(revoked)).rejects.toThrow();
    await (await connect(kept)).endAsync(true);
  });

  it('registering through the HTTP API creates the device on the broker; revoking removes and disconnects it', async () => {
    const [serve] = await replicas();
    const call = async (token: string, path: string, body?: unknown) => {
      const res = await fetch(`${serve!.http}${path}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify(body ?? {}),
      });
      expect(res.status).toBeLessThan(300);
      return res.json();
    };
    const tenant = await call('replica-test-admin-token', '/v1/tenants', { name: `http-${randomBytes(4).toString('hex')}` });
    const device = await call(tenant.token, '/v1/devices', { id: 'http-dev' });
    const sim = simulate(`mqtt://127.0.0.1:${mosquitto.port}`, { tenantId: tenant.id, deviceId: 'http-dev', ...device.mqtt }, 1500);
    cleanups.push(() => sim.close(true));
    await sim.connect();
    sim.record(result('rev_0001'), { revision: 'rev_0001', fingerprint: fingerprint(1), bundleSequence: 1 });
    await sim.waitConfirmed(20_000);
    const gone = new Promise<void>((resolve) => sim.client!.once('close', () => resolve()));
    await call(tenant.token, '/v1/devices/http-dev/revoke');
    await gone;
    await expect(
      connectAsync(`mqtt://127.0.0.1:${mosquitto.port}`, { ...device.mqtt, reconnectPeriod: 0, clientId: device.mqtt.username }),
    ).rejects.toThrow();
  });
});
