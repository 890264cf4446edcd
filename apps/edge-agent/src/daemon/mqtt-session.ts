import { readFileSync } from 'node:fs';
import { encodePresence, PROTOCOL_VERSION } from '@godwit/fleet-protocol';
import { usageError } from '../errors.js';
import { reconnectDelay, type Backoff } from './backoff.js';
import type { DeviceIdentity } from './device-identity.js';
import type { Logger } from './logger.js';
import { MqttConnection, type BrokerAddress, type ConnectionOptions } from './mqtt/mqtt-connection.js';
import { encodeConnect } from './mqtt/packets.js';

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
  /** The largest message taken from the broker: a bundle, with room for its topic. */
  maxMessageBytes: number;
}

export interface SessionHandlers {
  /** Subscribed and announced online: the moment to report. */
  connected(): void;
  message(topic: string, payload: Buffer): void;
}

const OFFLINE = encodePresence({ v: PROTOCOL_VERSION, online: false });
const ONLINE = encodePresence({ v: PROTOCOL_VERSION, online: true });
const CONNECT_TIMEOUT_MS = 30_000;
/** A packet's topic and header on top of its payload. */
const TOPIC_ROOM_BYTES = 64 * 1024;

/**
 * The device's one MQTT connection at a time: its username as client id (the broker refuses any
 * other), a persistent session, presence after each connect and as the last will, and a new
 * connection after each loss, with exponential backoff and full jitter.
 */
export class MqttSession {
  readonly #address: BrokerAddress;
  readonly #fields: ConnectionOptions;
  #connection: MqttConnection | null = null;
  #attempt = 0;
  #retry: NodeJS.Timeout | null = null;
  #stopping = false;

  constructor(
    private readonly options: SessionOptions,
    private readonly handlers: SessionHandlers,
    private readonly log: Logger,
  ) {
    this.#address = brokerAddress(options.url, options.ca);
    const { device, password, keepaliveSeconds, maxMessageBytes } = options;
    this.#fields = {
      clientId: device.username,
      username: device.username,
      password,
      clean: false,
      keepaliveSeconds,
      will: { topic: device.topics.presence, payload: OFFLINE, qos: 1, retain: false },
      connectTimeoutMs: CONNECT_TIMEOUT_MS,
      maxPacketBytes: maxMessageBytes + TOPIC_ROOM_BYTES,
    };
    try {
      encodeConnect(this.#fields);
    } catch (error) {
      throw usageError(`mqtt: ${(error as Error).message} (check mqtt.username and mqtt.password)`);
    }
  }

  get connected(): boolean {
    return this.#connection?.connected === true;
  }

  start(): void {
    let wasConnected = false;
    const connection = new MqttConnection(
      this.#address,
      this.#fields,
      {
        connected: (sessionPresent) => {
          this.#attempt = 0;
          wasConnected = true;
          this.log('connected', { url: redacted(this.options.url), sessionPresent });
          // A failing report (a full disk under the outbox) is logged; the next connect tries again.
          this.#announce(connection).catch((error: Error) => this.log('error', { during: 'connect', message: error.message }));
        },
        message: (topic, payload) => this.handlers.message(topic, payload),
        closed: (error) => {
          if (this.#stopping) return;
          if (error) this.log('mqtt-error', { message: error.message });
          if (wasConnected) this.log('disconnected');
          this.#scheduleReconnect();
        },
      },
    );
    this.#connection = connection;
    connection.open();
  }

  /** QoS 1; false when offline (the outbox keeps what was not confirmed, and it goes out on the next connect). */
  publish(topic: string, payload: Buffer): boolean {
    const connection = this.#connection;
    if (!connection?.connected) return false;
    connection.publish(topic, payload, 1).catch((error: Error) => {
      if (!this.#stopping && connection.connected) this.log('mqtt-error', { message: error.message });
    });
    return true;
  }

  /**
   * Subscribes to these topics again on the open connection: the broker then sends their retained
   * messages again (MQTT 3.1.1, 3.8.4). Nothing when offline: the next connect subscribes anyway.
   */
  async resubscribe(topics: string[]): Promise<void> {
    const connection = this.#connection;
    if (connection?.connected) await connection.subscribe(topics, 1);
  }

  /** Says offline (a clean disconnect sends no will), then disconnects; bounded by `timeoutMs`. */
  async stop(timeoutMs: number): Promise<void> {
    this.#stopping = true;
    if (this.#retry) clearTimeout(this.#retry);
    const connection = this.#connection;
    if (!connection) return;
    const deadline = Date.now() + timeoutMs;
    if (connection.connected) {
      await withTimeout(connection.publish(this.options.device.topics.presence, OFFLINE, 1), timeoutMs / 2).catch(() => {});
    }
    await connection.end(Math.max(0, deadline - Date.now()));
  }

  async #announce(connection: MqttConnection): Promise<void> {
    try {
      await connection.subscribe(this.options.subscriptions, 1);
    } catch (error) {
      if (!connection.connected) return;
      // Reporting still works without it, and a report is how the refusal becomes visible.
      this.log('error', { during: 'subscribe', message: (error as Error).message });
    }
    connection.publish(this.options.device.topics.presence, ONLINE, 1).catch(() => {});
    this.handlers.connected();
  }

  #scheduleReconnect(): void {
    if (this.#retry) return;
    const delayMs = reconnectDelay(this.options.reconnect, this.#attempt++);
    this.log('reconnecting', { inMs: delayMs, attempt: this.#attempt });
    this.#retry = setTimeout(() => {
      this.#retry = null;
      if (!this.#stopping) this.start();
    }, delayMs);
  }
}

/** mqtt:// and mqtts:// (and the tcp/ssl/tls spellings MQTT clients accept), default ports 1883 and 8883. */
export function brokerAddress(url: string, caPath: string | null): BrokerAddress {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw usageError(`mqtt.url ${JSON.stringify(redacted(url))} is not a URL (e.g. mqtts://broker.example:8883)`);
  }
  const scheme = parsed.protocol.slice(0, -1);
  const tls = ['mqtts', 'ssl', 'tls'].includes(scheme);
  if (!tls && !['mqtt', 'tcp'].includes(scheme)) throw usageError(`mqtt.url: scheme "${scheme}" is not supported (mqtt:// or mqtts://)`);
  if (parsed.hostname === '') throw usageError(`mqtt.url ${JSON.stringify(redacted(url))} names no host`);
  return {
    host: parsed.hostname.replace(/^\[(.*)\]$/, '$1'),
    port: parsed.port === '' ? (tls ? 8883 : 1883) : Number(parsed.port),
    tls,
    ca: caPath === null ? null : readCa(caPath),
  };
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
