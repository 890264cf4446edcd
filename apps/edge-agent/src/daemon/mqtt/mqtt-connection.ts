import { connect as connectTcp, isIP, type Socket } from 'node:net';
import { connect as connectTls } from 'node:tls';
import { MqttProtocolError, PacketReader, type BrokerPacket } from './packet-reader.js';
import { DISCONNECT, encodeConnect, encodePuback, encodePublish, encodeSubscribe, PINGREQ, type ConnectFields } from './packets.js';

export interface BrokerAddress {
  host: string;
  port: number;
  tls: boolean;
  /** PEM of a private CA for a TLS broker; null: the system's roots. */
  ca: Buffer | null;
}

export interface ConnectionOptions extends ConnectFields {
  connectTimeoutMs: number;
  /** The largest packet taken from the broker (a bundle and its topic). */
  maxPacketBytes: number;
}

export interface ConnectionHandlers {
  connected(sessionPresent: boolean): void;
  /** A delivery; a QoS 1 one is acknowledged after this returns, so a crash inside it means redelivery. */
  message(topic: string, payload: Buffer): void;
  /** Once per connection, whether it ever connected or not; `error` null after `end()`. */
  closed(error: Error | null): void;
}

const CONNACK_REFUSALS: Record<number, string> = {
  1: 'unacceptable protocol version',
  2: 'client identifier rejected',
  3: 'server unavailable',
  4: 'bad user name or password',
  5: 'not authorized',
};

/**
 * One MQTT 3.1.1 connection of a device: CONNECT with a will, QoS 0/1 publish and subscribe,
 * keepalive. It does not reconnect (the session above it does, with its own backoff) and keeps
 * nothing across connections: what was unacknowledged when it closed is the caller's to resend.
 */
export class MqttConnection {
  #socket: Socket | null = null;
  #reader: PacketReader;
  /** Encoded up front: a field MQTT cannot carry is the caller's error, not a socket event's. */
  #connectPacket: Buffer;
  #connected = false;
  #closed = false;
  #nextPacketId = 1;
  #pending = new Map<number, { resolve(granted?: number[]): void; reject(error: Error): void }>();
  #keepalive: NodeJS.Timeout | null = null;
  #lastSentAt = 0;
  /** When the unanswered PINGREQ went out, or null. */
  #pingSentAt: number | null = null;
  #connectTimer: NodeJS.Timeout | null = null;

  constructor(
    private readonly address: BrokerAddress,
    private readonly options: ConnectionOptions,
    private readonly handlers: ConnectionHandlers,
  ) {
    this.#reader = new PacketReader(options.maxPacketBytes);
    this.#connectPacket = encodeConnect(options);
  }

  get connected(): boolean {
    return this.#connected;
  }

  open(): void {
    const { host, port, tls, ca } = this.address;
    const socket = tls
      ? connectTls({ host, port, ...(ca && { ca }), ...(isIP(host) === 0 && { servername: host }) })
      : connectTcp({ host, port });
    this.#socket = socket;
    socket.setNoDelay(true);
    socket.once(tls ? 'secureConnect' : 'connect', () => this.#write(this.#connectPacket));
    socket.on('data', (chunk: Buffer) => this.#receive(chunk));
    socket.on('error', (error) => this.#close(error));
    socket.on('close', () => this.#close(new Error('connection closed by the broker')));
    this.#connectTimer = setTimeout(() => this.#close(new Error(`no answer from the broker within ${this.options.connectTimeoutMs} ms`)), this.options.connectTimeoutMs);
  }

  /** Resolves when the broker granted every topic at QoS `qos` or lower; rejects on a refusal. */
  async subscribe(topics: readonly string[], qos: 0 | 1): Promise<void> {
    const packetId = this.#packetId();
    const granted = await this.#request(packetId, encodeSubscribe(packetId, topics, qos));
    const refused = topics.filter((_, i) => (granted?.[i] ?? 0x80) === 0x80);
    if (refused.length > 0) throw new Error(`the broker refused the subscription to ${refused.join(', ')}`);
  }

  /** QoS 1 resolves on the broker's PUBACK (not the coordinator's answer); QoS 0 once written. */
  async publish(topic: string, payload: Buffer, qos: 0 | 1): Promise<void> {
    if (qos === 0) return void this.#write(encodePublish(topic, payload, 0, 0));
    const packetId = this.#packetId();
    await this.#request(packetId, encodePublish(topic, payload, 1, packetId));
  }

  /** A clean DISCONNECT (the broker sends no will), then the socket closes; bounded by `timeoutMs`. */
  async end(timeoutMs: number): Promise<void> {
    const socket = this.#socket;
    if (!socket || this.#closed) return;
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    if (this.#connected) this.#write(DISCONNECT);
    this.#finish(null);
    socket.end();
    const timer = setTimeout(() => socket.destroy(), timeoutMs);
    await closed;
    clearTimeout(timer);
  }

  /** Drops the connection at once, without DISCONNECT: the broker publishes the will. */
  destroy(error: Error | null = null): void {
    this.#close(error);
  }

  #receive(chunk: Buffer): void {
    let packets: BrokerPacket[];
    try {
      packets = this.#reader.push(chunk);
    } catch (error) {
      return this.#close(error as Error);
    }
    for (const packet of packets) {
      if (this.#closed) return;
      this.#handle(packet);
    }
  }

  #handle(packet: BrokerPacket): void {
    if (!this.#connected && packet.type !== 'connack') return this.#close(new MqttProtocolError(`the broker sent ${packet.type} before CONNACK`));
    switch (packet.type) {
      case 'connack':
        if (this.#connected) return this.#close(new MqttProtocolError('the broker sent a second CONNACK'));
        if (packet.returnCode !== 0) {
          return this.#close(new Error(`connection refused: ${CONNACK_REFUSALS[packet.returnCode] ?? `return code ${packet.returnCode}`}`));
        }
        clearTimeout(this.#connectTimer!);
        this.#connected = true;
        this.#startKeepalive();
        return this.handlers.connected(packet.sessionPresent);
      case 'publish':
        try {
          this.handlers.message(packet.topic, packet.payload);
        } catch (error) {
          // Unacknowledged, so the broker delivers it again on the next connection.
          return this.#close(error as Error);
        }
        if (packet.qos === 1 && !this.#closed) this.#write(encodePuback(packet.packetId));
        return;
      case 'puback':
      case 'suback':
        this.#pending.get(packet.packetId)?.resolve(packet.type === 'suback' ? packet.granted : undefined);
        this.#pending.delete(packet.packetId);
        return;
      case 'pingresp':
        this.#pingSentAt = null;
        return;
    }
  }

  /**
   * Checked every half period, so nothing goes a whole keepalive period without a packet (the
   * broker drops a client silent for 1.5 periods); a PINGREQ unanswered for a period means the
   * broker is gone (a half-open TCP connection after a network loss).
   */
  #startKeepalive(): void {
    const periodMs = this.options.keepaliveSeconds * 1000;
    if (periodMs === 0) return;
    this.#keepalive = setInterval(() => {
      const now = performance.now();
      if (this.#pingSentAt !== null) {
        if (now - this.#pingSentAt >= periodMs) this.#close(new Error(`no PINGRESP from the broker within ${this.options.keepaliveSeconds} s`));
        return;
      }
      if (now - this.#lastSentAt >= periodMs / 2) {
        this.#write(PINGREQ);
        this.#pingSentAt = now;
      }
    }, periodMs / 2);
  }

  #request(packetId: number, bytes: Buffer): Promise<number[] | undefined> {
    if (!this.#connected) return Promise.reject(new Error('not connected to the broker'));
    return new Promise((resolve, reject) => {
      this.#pending.set(packetId, { resolve, reject });
      this.#write(bytes);
    });
  }

  #packetId(): number {
    const id = this.#nextPacketId;
    this.#nextPacketId = id === 0xffff ? 1 : id + 1;
    return id;
  }

  #write(bytes: Buffer): void {
    if (this.#closed) return;
    this.#lastSentAt = performance.now();
    this.#socket?.write(bytes);
  }

  #close(error: Error | null): void {
    if (this.#closed) return;
    this.#finish(error);
    this.#socket?.destroy();
  }

  /** Stops timers, fails what waits for an answer and tells the handler, once. */
  #finish(error: Error | null): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#connected = false;
    if (this.#connectTimer) clearTimeout(this.#connectTimer);
    if (this.#keepalive) clearInterval(this.#keepalive);
    const failure = error ?? new Error('connection ended');
    for (const waiter of this.#pending.values()) waiter.reject(failure);
    this.#pending.clear();
    this.handlers.closed(error);
  }
}
