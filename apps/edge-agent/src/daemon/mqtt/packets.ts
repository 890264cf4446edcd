/**
 * The MQTT 3.1.1 packets a device sends, encoded by hand. The daemon needs eight packet types;
 * MQTT.js with its streams costs about 10 MB of an idle device's memory (docs/edge-agent.md,
 * "MQTT client").
 */
import { isStorableText } from '@godwit/fleet-protocol';

export const PacketType = {
  connect: 1,
  connack: 2,
  publish: 3,
  puback: 4,
  subscribe: 8,
  suback: 9,
  pingreq: 12,
  pingresp: 13,
  disconnect: 14,
} as const;

export interface Will {
  topic: string;
  payload: Buffer;
  qos: 0 | 1;
  retain: boolean;
}

export interface ConnectFields {
  clientId: string;
  username: string;
  password: string;
  keepaliveSeconds: number;
  clean: boolean;
  will: Will | null;
}

/** The largest remaining length a four-byte variable integer can say (MQTT 3.1.1, 2.2.3). */
export const MAX_REMAINING_LENGTH = 268_435_455;

export class MqttEncodeError extends Error {}

export function encodeConnect(fields: ConnectFields): Buffer {
  const { will } = fields;
  const flags =
    0x80 | // user name
    0x40 | // password
    (will ? 0x04 | (will.qos << 3) | (will.retain ? 0x20 : 0) : 0) |
    (fields.clean ? 0x02 : 0);
  if (!Number.isInteger(fields.keepaliveSeconds) || fields.keepaliveSeconds < 0 || fields.keepaliveSeconds > 0xffff) {
    throw new MqttEncodeError(`keepalive ${fields.keepaliveSeconds} s is outside 0..65535`);
  }
  const variable = Buffer.from([0, 4, 0x4d, 0x51, 0x54, 0x54, 4, flags, fields.keepaliveSeconds >> 8, fields.keepaliveSeconds & 0xff]);
  const parts = [variable, utf8Field(fields.clientId)];
  if (will) parts.push(utf8Field(will.topic), binaryField(will.payload));
  parts.push(utf8Field(fields.username), binaryField(Buffer.from(fields.password, 'utf8')));
  return packet(PacketType.connect << 4, parts);
}

export function encodePublish(topic: string, payload: Buffer, qos: 0 | 1, packetId: number): Buffer {
  const parts = [utf8Field(topic)];
  if (qos === 1) parts.push(uint16(packetId));
  parts.push(payload);
  return packet((PacketType.publish << 4) | (qos << 1), parts);
}

export function encodePuback(packetId: number): Buffer {
  return packet(PacketType.puback << 4, [uint16(packetId)]);
}

export function encodeSubscribe(packetId: number, topics: readonly string[], qos: 0 | 1): Buffer {
  const parts = [uint16(packetId)];
  for (const topic of topics) parts.push(utf8Field(topic), Buffer.from([qos]));
  // The low nibble 0b0010 is required by the specification (3.8.1).
  return packet((PacketType.subscribe << 4) | 0x02, parts);
}

export const PINGREQ = Buffer.from([PacketType.pingreq << 4, 0]);
export const DISCONNECT = Buffer.from([PacketType.disconnect << 4, 0]);

function packet(firstByte: number, parts: Buffer[]): Buffer {
  const length = parts.reduce((sum, part) => sum + part.length, 0);
  if (length > MAX_REMAINING_LENGTH) throw new MqttEncodeError(`packet of ${length} bytes is larger than MQTT allows`);
  return Buffer.concat([Buffer.from([firstByte]), remainingLength(length), ...parts]);
}

function remainingLength(length: number): Buffer {
  const bytes: number[] = [];
  do {
    let byte = length % 128;
    length = Math.floor(length / 128);
    if (length > 0) byte |= 0x80;
    bytes.push(byte);
  } while (length > 0);
  return Buffer.from(bytes);
}

/** A UTF-8 string field; MQTT forbids U+0000, and a lone surrogate has no UTF-8 form. */
function utf8Field(text: string): Buffer {
  if (!isStorableText(text)) throw new MqttEncodeError('an MQTT string cannot hold a NUL character or a lone surrogate');
  return binaryField(Buffer.from(text, 'utf8'));
}

function binaryField(bytes: Buffer): Buffer {
  if (bytes.length > 0xffff) throw new MqttEncodeError(`an MQTT field of ${bytes.length} bytes is longer than 65535`);
  return Buffer.concat([uint16(bytes.length), bytes]);
}

function uint16(value: number): Buffer {
  return Buffer.from([value >> 8, value & 0xff]);
}
