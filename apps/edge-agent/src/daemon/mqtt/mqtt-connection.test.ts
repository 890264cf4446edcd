import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { Aedes } from 'aedes';
import mqttPacket from 'mqtt-packet';
import { connectAsync, type MqttClient } from 'mqtt';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { MqttConnection, type ConnectionHandlers } from './mqtt-connection.js';
import type { ConnectFields } from './packets.js';

// The device's client against real brokers (aedes in process, a Mosquitto of the test's own) and
// against a hostile one; MQTT.js is the peer on the other side.

interface Observed {
  connection: MqttConnection;
  connected: Promise<boolean>;
  closed: Promise<Error | null>;
  messages: { topic: string; payload: Buffer }[];
}

function open(port: number, fields: Partial<ConnectFields> = {}, connectTimeoutMs = 10_000): Observed {
  const messages: Observed['messages'] = [];
  let onConnected!: (present: boolean) => void;
  let onClosed!: (error: Error | null) => void;
  const connected = new Promise<boolean>((resolve) => (onConnected = resolve));
  const closed = new Promise<Error | null>((resolve) => (onClosed = resolve));
  const handlers: ConnectionHandlers = { connected: onConnected, closed: onClosed, message: (topic, payload) => messages.push({ topic, payload }) };
  const connection = new MqttConnection(
    { host: '127.0.0.1', port, tls: false, ca: null },
    { clientId: 'dev-1', username: 'dev-1', password: 'secret', keepaliveSeconds: 30, clean: false, will: null, connectTimeoutMs, maxPacketBytes: 8_000_000, ...fields },
    handlers,
  );
  connection.open();
  return { connection, connected, closed, messages };
}

async function until<T>(probe: () => T | undefined, what: string, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function listen(server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

async function freePort(): Promise<number> {
  const server = createServer();
  const port = await listen(server);
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('against aedes', () => {
  let server: Server;
  let port: number;
  let peer: MqttClient;
  let close: () => Promise<void>;

  beforeAll(async () => {
    const broker = await Aedes.createBroker({
      authenticate: (_client, username, password, done) => {
        const ok = username === 'peer' || (username === 'dev-1' && password?.toString() === 'secret');
        done(ok ? null : Object.assign(new Error('bad credentials'), { returnCode: 4 as const }), ok);
      },
    });
    server = createServer(broker.handle);
    port = await listen(server);
    peer = await connectAsync(`mqtt://127.0.0.1:${port}`, { username: 'peer', clientId: 'peer' });
    close = async () => {
      await peer.endAsync();
      await new Promise<void>((resolve) => broker.close(() => resolve()));
      await new Promise<void>((resolve) => server.close(() => resolve()));
    };
  });
  afterAll(() => close());

  it('receives a retained QoS 1 message and publishes one a subscriber gets byte for byte (3 MB both ways)', async () => {
    const bundle = Buffer.alloc(3_000_000);
    for (let i = 0; i < bundle.length; i++) bundle[i] = (i * 7919) % 251;
    await peer.publishAsync('d/bundle', bundle, { qos: 1, retain: true });
    const received: Buffer[] = [];
    peer.on('message', (topic, payload) => topic === 'd/state' && received.push(payload));
    await peer.subscribeAsync('d/state', { qos: 1 });

    const device = open(port);
    expect(await device.connected).toBe(false);
    await device.connection.subscribe(['d/bundle', 'd/ack'], 1);
    const [message] = await until(() => (device.messages.length > 0 ? device.messages : undefined), 'the retained bundle');
    expect(message!.topic).toBe('d/bundle');
    expect(Buffer.compare(message!.payload, bundle)).toBe(0);

    await device.connection.publish('d/state', bundle, 1);
    const [state] = await until(() => (received.length > 0 ? received : undefined), 'the state at the subscriber');
    expect(Buffer.compare(state!, bundle)).toBe(0);
    await device.connection.end(2000);
    expect(await device.closed).toBeNull();
    await peer.publishAsync('d/bundle', Buffer.alloc(0), { qos: 1, retain: true });
  });

  it('says why a broker refused the credentials', async () => {
    const device = open(port, { password: 'wrong' });
    expect((await device.closed)?.message).toBe('connection refused: bad user name or password');
    expect(device.connection.connected).toBe(false);
  });

  it('leaves its will when dropped, and none after a clean end', async () => {
    const wills: string[] = [];
    peer.on('message', (topic, payload) => topic === 'd/presence' && wills.push(payload.toString()));
    await peer.subscribeAsync('d/presence', { qos: 1 });
    const will = { topic: 'd/presence', payload: Buffer.from('offline'), qos: 1 as const, retain: false };

    const clean = open(port, { will });
    await clean.connected;
    await clean.connection.end(2000);
    const dropped = open(port, { will });
    await dropped.connected;
    dropped.connection.destroy();
    await until(() => (wills.length > 0 ? wills : undefined), 'the will');
    await new Promise((r) => setTimeout(r, 300));
    expect(wills).toEqual(['offline']);
  });
});

describe('against Mosquitto', () => {
  let dir: string;
  let mosquitto: ChildProcess;
  let port: number;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'godwit-mqtt-client-'));
    port = await freePort();
    writeFileSync(
      join(dir, 'mosquitto.conf'),
      // Started as root, Mosquitto would switch to its own user, who cannot use this folder.
      [`listener ${port} 127.0.0.1`, 'allow_anonymous true', 'persistence false', `user ${userInfo().username}`, 'log_dest none', ''].join('\n'),
    );
    mosquitto = spawn('mosquitto', ['-c', join(dir, 'mosquitto.conf')], { stdio: 'ignore' });
    const deadline = Date.now() + 10_000;
    for (;;) {
      const probe = open(port, { clientId: 'probe', username: 'probe', clean: true }, 1000);
      const up = await Promise.race([probe.connected.then(() => true), probe.closed.then(() => false)]);
      probe.connection.destroy();
      if (up) break;
      if (Date.now() > deadline) throw new Error('mosquitto did not start listening');
      await new Promise((r) => setTimeout(r, 100));
    }
  });
  afterAll(() => {
    mosquitto.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps its persistent session: a QoS 1 message sent while it was away arrives on reconnect', async () => {
    const first = open(port);
    expect(await first.connected).toBe(false);
    await first.connection.subscribe(['d/ack'], 1);
    await first.connection.end(2000);

    const peer = await connectAsync(`mqtt://127.0.0.1:${port}`, { clientId: 'peer-m' });
    await peer.publishAsync('d/ack', Buffer.from('while away'), { qos: 1 });
    await peer.endAsync();

    const second = open(port);
    expect(await second.connected).toBe(true);
    const [message] = await until(() => (second.messages.length > 0 ? second.messages : undefined), 'the queued message');
    expect(message).toEqual({ topic: 'd/ack', payload: Buffer.from('while away') });
    await second.connection.end(2000);
  });
});

describe('against a broken broker', () => {
  let server: Server;
  let port: number;
  let behave: (socket: Socket) => void;
  const sockets = new Set<Socket>();

  beforeAll(async () => {
    server = createServer((socket) => {
      sockets.add(socket);
      socket.on('error', () => {});
      socket.once('data', () => behave(socket));
    });
    port = await listen(server);
  });
  afterEach(() => sockets.forEach((socket) => socket.destroy()));
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const connack = mqttPacket.generate({ cmd: 'connack', returnCode: 0, sessionPresent: false });

  it('gives up on a broker that stops answering pings', async () => {
    behave = (socket) => socket.write(connack);
    const device = open(port, { keepaliveSeconds: 1 });
    await device.connected;
    expect((await device.closed)?.message).toBe('no PINGRESP from the broker within 1 s');
  });

  it('gives up on a broker that never answers CONNECT', async () => {
    behave = () => {};
    const device = open(port, {}, 300);
    expect((await device.closed)?.message).toBe('no answer from the broker within 300 ms');
  });

  it('closes on a packet larger than it takes, and on garbage, without throwing', async () => {
    behave = (socket) => socket.write(Buffer.concat([connack, Buffer.from([0x30, 0xff, 0xff, 0xff, 0x7f])]));
    const oversized = open(port);
    expect((await oversized.closed)?.message).toMatch(/^the broker sent a packet of 268435455 bytes/);

    behave = (socket) => socket.write(Buffer.concat([connack, Buffer.from([0xc0, 0x00])]));
    const garbage = open(port);
    expect((await garbage.closed)?.message).toBe('the broker sent packet type 12, which a device never receives');
  });

  it('does not acknowledge a delivery its handler failed on, so the broker sends it again', async () => {
    const received: Buffer[] = [];
    behave = (socket) => {
      socket.on('data', (chunk) => received.push(chunk));
      socket.write(Buffer.concat([connack, mqttPacket.generate({ cmd: 'publish', topic: 'd/bundle', payload: Buffer.from('b'), qos: 1, messageId: 5, retain: false, dup: false })]));
    };
    const handlers: ConnectionHandlers = {
      connected: () => {},
      message: () => {
        throw new Error('disk full');
      },
      closed: (error) => void closed.push(error),
    };
    const closed: (Error | null)[] = [];
    new MqttConnection({ host: '127.0.0.1', port, tls: false, ca: null }, { clientId: 'd', username: 'd', password: 'p', keepaliveSeconds: 30, clean: false, will: null, connectTimeoutMs: 5000, maxPacketBytes: 1000 }, handlers).open();
    await until(() => (closed.length > 0 ? closed : undefined), 'the close');
    expect(closed[0]?.message).toBe('disk full');
    expect(received.some((chunk) => chunk[0] === 0x40)).toBe(false);
  });
});
