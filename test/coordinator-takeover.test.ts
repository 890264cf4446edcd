/**
 * A device's MQTT session is its own. Client ids are predictable, so with any client id allowed a
 * device of one tenant could connect under another tenant's device's id, knock it offline and,
 * with a persistent session, receive its acks and its signed bundle. The broker therefore holds
 * every device to its username as client id (CONNACK 2, identifier rejected, otherwise), on the
 * embedded broker and on Mosquitto through the dynamic-security client's `clientid`. And a
 * username or password no device can have (a NUL, bytes that are not UTF-8) is bad credentials
 * (CONNACK 4), never "server unavailable", which a device would retry for ever.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { connectAsync, type IClientOptions } from 'mqtt';
import { IngestCounters, startMqtt, type MqttService, type Store } from '@godwit/coordinator';
import type { SimulatedDevice } from '@godwit/fleet-protocol/simulated-device';
import { fingerprint, openTestStore, registerDevices, result, simulate, startMosquitto, type Registered } from './coordinator-fixtures.js';
import { rawConnect } from './mqtt-raw-connect.js';

const IDENTIFIER_REJECTED = 2;
const BAD_CREDENTIALS = 4;

let store: Store;
let victim: Registered;
let attacker: Registered;
const cleanups: (() => Promise<unknown> | unknown)[] = [];

beforeAll(async () => {
  store = await openTestStore();
  const suffix = randomBytes(4).toString('hex');
  [victim] = (await registerDevices(store, (await store.tenants.create(`victim-${suffix}`)).id, 1, 'victim')) as [Registered];
  [attacker] = (await registerDevices(store, (await store.tenants.create(`attacker-${suffix}`)).id, 1, 'attacker')) as [Registered];
});

afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
  await store?.close();
});

/** MQTT.js's error code for a refused CONNECT (the CONNACK return code or reason code). */
async function refusal(url: string, options: IClientOptions): Promise<number | undefined> {
  try {
    const client = await connectAsync(url, { reconnectPeriod: 0, ...options });
    await client.endAsync(true);
    return undefined;
  } catch (error) {
    return (error as { code?: number }).code ?? -1;
  }
}

/** The victim online and confirmed, as a real device would be. */
async function victimOnline(url: string): Promise<SimulatedDevice> {
  const device = simulate(url, victim);
  cleanups.push(() => device.close(true));
  await device.connect();
  device.record(result('rev_0001'), { revision: 'rev_0001', fingerprint: fingerprint(1), bundleSequence: 1 });
  await device.waitConfirmed(20_000);
  return device;
}

/** Still connected on its first connection, and still confirmed: nobody took its session. */
async function expectUndisturbed(device: SimulatedDevice, connection: unknown) {
  expect(device.client).toBe(connection);
  expect(device.client!.connected).toBe(true);
  device.record(result('rev_0002'), { revision: 'rev_0002', fingerprint: fingerprint(2), bundleSequence: 2 });
  await device.waitConfirmed(20_000);
}

describe('embedded broker', () => {
  let mqtt: MqttService;
  beforeAll(async () => {
    mqtt = await startMqtt({ store, metrics: new IngestCounters(), port: 0, maxDelayMs: 20 });
    cleanups.push(() => mqtt.close());
  });

  it('refuses another tenant’s device under the victim’s client id, clean or persistent; the victim stays online and confirmed', async () => {
    const device = await victimOnline(mqtt.url);
    const connection = device.client;
    let reconnects = 0;
    device.client!.on('reconnect', () => reconnects++);
    const takeover = { username: attacker.username, password: attacker.password, clientId: victim.username };
    expect(await refusal(mqtt.url, { ...takeover, clean: true })).toBe(IDENTIFIER_REJECTED);
    expect(await refusal(mqtt.url, { ...takeover, clean: false })).toBe(IDENTIFIER_REJECTED);
    expect(await rawConnect(mqtt.port!, takeover)).toBe(IDENTIFIER_REJECTED);
    await expectUndisturbed(device, connection);
    expect(reconnects).toBe(0);
  });

  it('refuses a device under any client id but its username, an empty one included', async () => {
    const own = { username: attacker.username, password: attacker.password };
    expect(await refusal(mqtt.url, { ...own, clientId: `device-${attacker.username}` })).toBe(IDENTIFIER_REJECTED);
    expect(await rawConnect(mqtt.port!, { ...own, clientId: '' })).toBe(IDENTIFIER_REJECTED);
    expect(await refusal(mqtt.url, { ...own, clientId: attacker.username })).toBeUndefined();
  });

  it('answers a username with a NUL or a lone surrogate, and a password that is not UTF-8, with bad credentials', async () => {
    const nulName = `${attacker.username}\u0000`;
    expect(await rawConnect(mqtt.port!, { clientId: nulName, username: nulName, password: attacker.password })).toBe(BAD_CREDENTIALS);
    // A lone surrogate written as UTF-8 would be (ED A0 80): not UTF-8, decoded as U+FFFD.
    const surrogate = Buffer.concat([Buffer.from(attacker.username), Buffer.from([0xed, 0xa0, 0x80])]);
    expect(await rawConnect(mqtt.port!, { clientId: surrogate, username: surrogate, password: attacker.password })).toBe(BAD_CREDENTIALS);
    const notUtf8 = Buffer.concat([Buffer.from(attacker.password), Buffer.from([0xff])]);
    expect(await rawConnect(mqtt.port!, { clientId: attacker.username, username: attacker.username, password: notUtf8 })).toBe(BAD_CREDENTIALS);
    expect(await rawConnect(mqtt.port!, { clientId: attacker.username, username: attacker.username, password: `${attacker.password}\u0000` })).toBe(BAD_CREDENTIALS);
    // The store is fine: the same device with its real credentials gets in.
    expect(await rawConnect(mqtt.port!, { clientId: attacker.username, username: attacker.username, password: attacker.password })).toBe(0);
  });
});

describe('Mosquitto with dynamic security', () => {
  let url: string;
  beforeAll(async () => {
    const mosquitto = await startMosquitto();
    cleanups.push(() => mosquitto.stop());
    const mqtt = await startMqtt({ store, metrics: new IngestCounters(), url: mosquitto.adminUrl, dynsec: true, maxDelayMs: 20 });
    cleanups.push(() => mqtt.close());
    await mqtt.access.grant([victim, attacker].map((d) => ({ ...d, channel: 'main' })));
    url = `mqtt://127.0.0.1:${mosquitto.port}`;
  });

  it('the device’s broker client is tied to its username as client id: no takeover', async () => {
    const device = await victimOnline(url);
    const connection = device.client;
    const takeover = { username: attacker.username, password: attacker.password, clientId: victim.username };
    expect(await refusal(url, { ...takeover, protocolVersion: 5, clean: false })).toBeDefined();
    expect(await refusal(url, { ...takeover, protocolVersion: 4 })).toBeDefined();
    expect(await refusal(url, { username: attacker.username, password: attacker.password, clientId: 'anything-else', protocolVersion: 5 })).toBeDefined();
    await expectUndisturbed(device, connection);
    expect(await refusal(url, { username: attacker.username, password: attacker.password, clientId: attacker.username, protocolVersion: 5 })).toBeUndefined();
  });
});
