import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { connect as Connect, MqttClient } from 'mqtt';
import { encodePresence, PROTOCOL_VERSION } from '@godwit/fleet-protocol';
import { usageError } from '../errors.js';
import { reconnectDelay, type Backoff } from './backoff.js';
import type { DeviceIdentity } from './device-identity.js';
import type { Logger } from './logger.js';

// The package root also loads MQTT.js's browser and WebSocket transports: 8 MB of an idle device's
// memory. Its connect module is CommonJS with a default export, hence require.
const connect = createRequire(import.meta.url)('mqtt/lib/connect/index').default as typeof Connect;

export interface SessionOptions {
  url: string;
  device: DeviceIdentity;
  password: string;
  /** A PEM file of a private CA, for mqtts:// brokers whose certificate it signed. */
  ca: string | null;
  keepaliveSeconds: number;
  reconnect: Backoff;
  /** Topics to subscribe to after every connect (QoS 1). */
  subscriptions: string[];
}

export interface SessionHandlers {
  /** Subscribed and announced online: the moment to report. */
  connected(): void;
  message(topic: string, payload: Buffer): void;
}

const OFFLINE = encodePresence({ v: PROTOCOL_VERSION, online: false });
const ONLINE = encodePresence({ v: PROTOCOL_VERSION, online: true });

/**
 * The device's one MQTT connection: its username as client id (the broker refuses any other), a
 * persistent session, presence after each connect and as the last will, and reconnection by
 * itself with exponential backoff and full jitter (MQTT.js's fixed period is switched off).
 */
export class MqttSession {
  #client: MqttClient | null = null;
  #attempt = 0;
  #retry: NodeJS.Timeout | null = null;
  #stopping = false;
  #wasConnected = false;

  constructor(
    private readonly options: SessionOptions,
    private readonly handlers: SessionHandlers,
    private readonly log: Logger,
  ) {}

  get connected(): boolean {
    return this.#client?.connected === true;
  }

  start(): void {
    const { url, device, password, keepaliveSeconds } = this.options;
    const client = connect(url, {
      clientId: device.username,
      username: device.username,
      password,
      clean: false,
      keepalive: keepaliveSeconds,
      reconnectPeriod: 0,
      connectTimeout: 30_000,
      will: { topic: device.topics.presence, payload: OFFLINE, qos: 1, retain: false },
      ...(this.options.ca === null ? {} : { ca: readCa(this.options.ca) }),
    });
    this.#client = client;
    client.on('connect', (connack) => {
      this.#attempt = 0;
      this.#wasConnected = true;
      this.log('connected', { url: redacted(url), sessionPresent: connack.sessionPresent });
      this.#announce(client).catch((error: Error) => this.log('error', { during: 'subscribe', message: error.message }));
    });
    client.on('message', (topic, payload) => this.handlers.message(topic, payload));
    client.on('error', (error) => this.log('mqtt-error', { message: error.message }));
    client.on('close', () => {
      if (this.#stopping) return;
      if (this.#wasConnected) this.log('disconnected');
      this.#wasConnected = false;
      this.#scheduleReconnect(client);
    });
  }

  /** QoS 1; false when offline (the outbox keeps what was not confirmed, and it goes out on the next connect). */
  publish(topic: string, payload: Buffer): boolean {
    const client = this.#client;
    if (!client?.connected) return false;
    client.publish(topic, payload, { qos: 1 }, (error) => {
      if (error && !this.#stopping) this.log('mqtt-error', { message: error.message });
    });
    return true;
  }

  /** Says offline (a clean disconnect sends no will), then disconnects; bounded by `timeoutMs`. */
  async stop(timeoutMs: number): Promise<void> {
    this.#stopping = true;
    if (this.#retry) clearTimeout(this.#retry);
    const client = this.#client;
    if (!client) return;
    const deadline = Date.now() + timeoutMs;
    if (client.connected) {
      await withTimeout(client.publishAsync(this.options.device.topics.presence, OFFLINE, { qos: 1 }), timeoutMs / 2).catch(() => {});
    }
    await withTimeout(client.endAsync(), Math.max(0, deadline - Date.now())).catch(() => client.endAsync(true));
  }

  async #announce(client: MqttClient): Promise<void> {
    await client.subscribeAsync(this.options.subscriptions, { qos: 1 });
    client.publish(this.options.device.topics.presence, ONLINE, { qos: 1 });
    this.handlers.connected();
  }

  #scheduleReconnect(client: MqttClient): void {
    if (this.#retry) return;
    const delayMs = reconnectDelay(this.options.reconnect, this.#attempt++);
    this.log('reconnecting', { inMs: delayMs, attempt: this.#attempt });
    this.#retry = setTimeout(() => {
      this.#retry = null;
      if (!this.#stopping) client.reconnect();
    }, delayMs);
  }
}

function readCa(path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (error) {
    throw usageError(`cannot read mqtt.ca ${path} (${(error as NodeJS.ErrnoException).code}); check the path in the config`);
  }
}

/** The broker URL without a password that may have been written into it. */
function redacted(url: string): string {
  return url.replace(/\/\/[^@/]*@/, '//');
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('timed out')), ms);
    promise.then(
      (value) => (clearTimeout(timer), resolve(value)),
      (error: unknown) => (clearTimeout(timer), reject(error)),
    );
  });
}
