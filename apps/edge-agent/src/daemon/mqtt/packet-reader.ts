import { PacketType } from './packets.js';

/** The packets a broker sends a device that subscribes with QoS 1 at most. */
export type BrokerPacket =
  | { type: 'connack'; sessionPresent: boolean; returnCode: number }
  | { type: 'publish'; topic: string; payload: Buffer; qos: 0 | 1; packetId: number; retain: boolean; dup: boolean }
  | { type: 'puback'; packetId: number }
  | { type: 'suback'; packetId: number; granted: number[] }
  | { type: 'pingresp' };

/** The broker broke the protocol: the connection is closed, never trusted further. */
export class MqttProtocolError extends Error {}

/**
 * Cuts the byte stream from the broker into packets. Chunks are kept as they arrive and joined
 * once per packet, so a bundle of megabytes in hundreds of TCP segments is copied once. A
 * remaining length above `maxPacketBytes` is refused before any of it is buffered.
 */
export class PacketReader {
  #chunks: Buffer[] = [];
  #buffered = 0;

  constructor(private readonly maxPacketBytes: number) {}

  /** Adds bytes and returns every packet they complete; throws MqttProtocolError on malformed input. */
  push(chunk: Buffer): BrokerPacket[] {
    this.#chunks.push(chunk);
    this.#buffered += chunk.length;
    const packets: BrokerPacket[] = [];
    for (;;) {
      const header = this.#header();
      if (header === null || this.#buffered < header.headerLength + header.length) return packets;
      const bytes = this.#take(header.headerLength + header.length);
      packets.push(decode(bytes[0]!, bytes.subarray(header.headerLength)));
    }
  }

  /** The fixed header, once its bytes are here: the remaining length and the header's own size. */
  #header(): { length: number; headerLength: number } | null {
    if (this.#buffered < 2) return null;
    const head = this.#peek(Math.min(5, this.#buffered));
    let length = 0;
    for (let i = 1; i < 5; i++) {
      const byte = head[i];
      if (byte === undefined) return null;
      length += (byte & 0x7f) * 128 ** (i - 1);
      if ((byte & 0x80) === 0) {
        if (length > this.maxPacketBytes) throw new MqttProtocolError(`the broker sent a packet of ${length} bytes (at most ${this.maxPacketBytes} are accepted)`);
        return { length, headerLength: i + 1 };
      }
    }
    throw new MqttProtocolError('the broker sent a remaining length longer than four bytes');
  }

  #peek(count: number): Buffer {
    const first = this.#chunks[0]!;
    if (first.length >= count) return first;
    this.#chunks = [Buffer.concat(this.#chunks)];
    return this.#chunks[0]!;
  }

  #take(count: number): Buffer {
    const joined = this.#chunks.length === 1 ? this.#chunks[0]! : Buffer.concat(this.#chunks);
    const rest = joined.subarray(count);
    this.#chunks = rest.length > 0 ? [rest] : [];
    this.#buffered = rest.length;
    return joined.subarray(0, count);
  }
}

function decode(first: number, body: Buffer): BrokerPacket {
  const type = first >> 4;
  const flags = first & 0x0f;
  switch (type) {
    case PacketType.connack:
      expectLength(body, 2, 'CONNACK');
      return { type: 'connack', sessionPresent: (body[0]! & 0x01) === 1, returnCode: body[1]! };
    case PacketType.publish:
      return decodePublish(flags, body);
    case PacketType.puback:
      expectLength(body, 2, 'PUBACK');
      return { type: 'puback', packetId: body.readUInt16BE(0) };
    case PacketType.suback:
      if (body.length < 3) throw new MqttProtocolError('the broker sent a SUBACK without return codes');
      return { type: 'suback', packetId: body.readUInt16BE(0), granted: [...body.subarray(2)] };
    case PacketType.pingresp:
      expectLength(body, 0, 'PINGRESP');
      return { type: 'pingresp' };
    default:
      throw new MqttProtocolError(`the broker sent packet type ${type}, which a device never receives`);
  }
}

function decodePublish(flags: number, body: Buffer): BrokerPacket {
  const qos = (flags >> 1) & 0x03;
  // A QoS 1 subscription is never delivered at QoS 2 (3.8.4): anything else is a broken broker.
  if (qos > 1) throw new MqttProtocolError(`the broker sent a PUBLISH at QoS ${qos} on a QoS 1 subscription`);
  if (body.length < 2) throw new MqttProtocolError('the broker sent a PUBLISH without a topic');
  const topicLength = body.readUInt16BE(0);
  let offset = 2 + topicLength;
  if (body.length < offset + (qos === 1 ? 2 : 0)) throw new MqttProtocolError('the broker sent a PUBLISH shorter than its topic');
  const topic = body.toString('utf8', 2, offset);
  let packetId = 0;
  if (qos === 1) {
    packetId = body.readUInt16BE(offset);
    offset += 2;
  }
  return { type: 'publish', topic, payload: body.subarray(offset), qos: qos as 0 | 1, packetId, retain: (flags & 0x01) === 1, dup: (flags & 0x08) !== 0 };
}

function expectLength(body: Buffer, length: number, name: string): void {
  if (body.length !== length) throw new MqttProtocolError(`the broker sent a ${name} of ${body.length} bytes instead of ${length}`);
}
