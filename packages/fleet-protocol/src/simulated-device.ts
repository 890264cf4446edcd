/**
 * A simulated device speaking the report protocol (messages.ts) over MQTT.js, for tests
 * and the storm bench. It keeps what it reported until the coordinator confirms it on the device's
 * `ack` topic, and sends a fresh report when it (re)connects or when a confirmation is overdue.
 */
import { connectAsync, type MqttClient } from 'mqtt';
import { decodeAck, encodeNextReport, encodePresence, PROTOCOL_VERSION, type MigrationEvent, type MigrationResult } from './messages.js';
import { deviceTopic } from './topics.js';

export interface SimulatedDeviceOptions {
  url: string;
  tenantId: string;
  deviceId: string;
  username: string;
  password: string;
  /** Send again when no confirmation came within this time. Default 3000 ms. */
  resendAfterMs?: number;
  /** MQTT.js reconnect period; 0 disables reconnecting. Default 500 ms. */
  reconnectPeriod?: number;
  /** Resume from a counter confirmed in an earlier life (a real device persists it). Default 0. */
  confirmedCounter?: number;
  /** PEM certificate(s) to trust for an mqtts:// broker, beside the system's. */
  ca?: string | Buffer;
}

export interface DeviceState {
  revision: string | null;
  fingerprint: string;
  bundleSequence: number | null;
}

export class DeviceTimeoutError extends Error {
  constructor(deviceId: string, what: string) {
    super(`${deviceId}: ${what}`);
    this.name = 'DeviceTimeoutError';
  }
}

export class SimulatedDevice {
  readonly options: Readonly<SimulatedDeviceOptions>;
  /** The newest counter this device has allocated. */
  counter = 0;
  /** The highest counter the coordinator has confirmed. */
  confirmed = 0;
  acksReceived = 0;
  state: DeviceState = { revision: null, fingerprint: '0'.repeat(64), bundleSequence: null };
  lastResults: MigrationResult[] = [];
  #unconfirmed: MigrationEvent[] = [];
  #client: MqttClient | null = null;
  #resendTimer: NodeJS.Timeout | null = null;
  #lastSentCounter = 0;
  #waiters: { counter: number; resolve: () => void }[] = [];

  constructor(options: SimulatedDeviceOptions) {
    this.options = Object.freeze({ ...options });
    this.counter = this.confirmed = options.confirmedCounter ?? 0;
  }

  get client(): MqttClient | null {
    return this.#client;
  }

  async connect(): Promise<void> {
    const { url, username, password, tenantId, deviceId } = this.options;
    const presence = deviceTopic(tenantId, deviceId, 'presence');
    const client = await connectAsync(url, {
      username,
      password,
      // The broker refuses a device under any other client id.
      clientId: username,
      ...(this.options.ca !== undefined && { ca: this.options.ca }),
      clean: true,
      will: { topic: presence, payload: encodePresence({ v: PROTOCOL_VERSION, online: false }), qos: 1, retain: false },
      reconnectPeriod: this.options.reconnectPeriod ?? 500,
      // The broker verifies each secret with scrypt (~100 ms of CPU here): a storm of first connects queues.
      connectTimeout: 60_000,
    });
    this.#client = client;
    client.on('message', (topic, payload) => {
      if (topic === deviceTopic(tenantId, deviceId, 'ack')) this.#onAck(payload);
    });
    // Every reconnect: subscribe again (clean sessions forget it) and send whatever is unconfirmed.
    client.on('connect', () => {
      this.#subscribeAndSend(client).catch(() => {});
    });
    await this.#subscribeAndSend(client);
  }

  async #subscribeAndSend(client: MqttClient): Promise<void> {
    const { tenantId, deviceId } = this.options;
    await client.subscribeAsync(deviceTopic(tenantId, deviceId, 'ack'), { qos: 1 });
    client.publish(deviceTopic(tenantId, deviceId, 'presence'), encodePresence({ v: PROTOCOL_VERSION, online: true }), { qos: 1 });
    this.#sendIfPending();
  }

  /** Records a migration result as an event and as the new state, then reports. */
  record(result: MigrationResult, state: DeviceState): void {
    this.#unconfirmed.push({ ...result, counter: ++this.counter });
    this.lastResults = [...this.lastResults, result].slice(-5);
    this.state = state;
    this.#sendIfPending();
  }

  /** A new state without an event (first boot, a detected change), then reports. */
  setState(state: DeviceState): void {
    this.counter++;
    this.state = state;
    this.#sendIfPending();
  }

  get pending(): boolean {
    return this.confirmed < this.counter;
  }

  /** Resolves once everything up to the current counter is confirmed. */
  waitConfirmed(timeoutMs: number): Promise<void> {
    const counter = this.counter;
    if (this.confirmed >= counter) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new DeviceTimeoutError(this.options.deviceId, `counter ${counter} unconfirmed after ${timeoutMs} ms`)),
        timeoutMs,
      );
      this.#waiters.push({
        counter,
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
      });
    });
  }

  /**
   * Disconnects after in-flight publishes complete, saying so first (a clean disconnect sends no
   * last will); `force` drops the socket at once, as a crash would, and the broker sends the will.
   */
  async close(force = false): Promise<void> {
    if (this.#resendTimer) clearTimeout(this.#resendTimer);
    this.#resendTimer = null;
    const client = this.#client;
    this.#client = null;
    if (!client) return;
    if (force) {
      client.stream.destroy();
      await client.endAsync(true);
      return;
    }
    if (client.connected) {
      client.publish(deviceTopic(this.options.tenantId, this.options.deviceId, 'presence'), encodePresence({ v: PROTOCOL_VERSION, online: false }), { qos: 1 });
    }
    await client.endAsync();
  }

  #sendIfPending(): void {
    const client = this.#client;
    if (!client?.connected || !this.pending) return;
    const { payload, counter } = encodeNextReport({ counter: this.counter, ...this.state, lastResults: this.lastResults, unconfirmed: this.#unconfirmed });
    this.#lastSentCounter = counter;
    client.publish(deviceTopic(this.options.tenantId, this.options.deviceId, 'state'), payload, { qos: 1 });
    if (this.#resendTimer) clearTimeout(this.#resendTimer);
    this.#resendTimer = setTimeout(() => {
      this.#resendTimer = null;
      this.#sendIfPending();
    }, this.options.resendAfterMs ?? 3000);
  }

  #onAck(payload: Buffer): void {
    let counter: number;
    try {
      counter = decodeAck(payload).counter;
    } catch {
      return;
    }
    this.acksReceived++;
    if (counter <= this.confirmed) return;
    this.confirmed = counter;
    this.#unconfirmed = this.#unconfirmed.filter((e) => e.counter > counter);
    this.#waiters = this.#waiters.filter((w) => (w.counter <= counter ? (w.resolve(), false) : true));
    if (!this.pending && this.#resendTimer) {
      clearTimeout(this.#resendTimer);
      this.#resendTimer = null;
    } else if (counter >= this.#lastSentCounter) {
      // The report in flight is confirmed, but more was recorded after it (or it was truncated).
      this.#sendIfPending();
    }
  }
}
