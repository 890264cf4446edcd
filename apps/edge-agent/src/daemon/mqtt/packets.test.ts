import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import mqttPacket from 'mqtt-packet';
import { seededRandom } from '../../../../../test/support/seeded-random.js';
import { MqttProtocolError, PacketReader, type BrokerPacket } from './packet-reader.js';
import { encodeConnect, encodePuback, encodePublish, encodeSubscribe, MqttEncodeError, PINGREQ } from './packets.js';

// mqtt-packet (the codec under MQTT.js and aedes) is the reference both ways: what we encode it
// must parse to the same fields, and what it generates as a broker we must read back.
function parseWithReference(bytes: Buffer): mqttPacket.Packet[] {
  const parser = mqttPacket.parser({ protocolVersion: 4 });
  const packets: mqttPacket.Packet[] = [];
  const errors: Error[] = [];
  parser.on('packet', (packet) => packets.push(packet));
  parser.on('error', (error) => errors.push(error));
  parser.parse(bytes);
  if (errors.length > 0) throw errors[0];
  return packets;
}

const generate = (packet: mqttPacket.Packet) => mqttPacket.generate(packet, { protocolVersion: 4 });

describe('device packets, read by the reference codec', () => {
  it('CONNECT with credentials, a persistent session and a will', () => {
    const will = { topic: 'godwit/t/devices/d/presence', payload: Buffer.from([0x81, 0xa1, 0x76]), qos: 1 as const, retain: false };
    const [packet] = parseWithReference(encodeConnect({ clientId: 't:d', username: 't:d', password: 'sé cret', keepaliveSeconds: 30, clean: false, will }));
    expect(packet).toMatchObject({ cmd: 'connect', protocolId: 'MQTT', protocolVersion: 4, clientId: 't:d', username: 't:d', clean: false, keepalive: 30 });
    expect((packet as mqttPacket.IConnectPacket).password?.toString()).toBe('sé cret');
    expect((packet as mqttPacket.IConnectPacket).will).toMatchObject({ topic: will.topic, qos: 1, retain: false });
    expect(Buffer.from((packet as mqttPacket.IConnectPacket).will!.payload as Buffer)).toEqual(will.payload);
  });

  it('PUBLISH at QoS 0 and 1, SUBSCRIBE, PUBACK, PINGREQ', () => {
    const payload = Buffer.alloc(200_000, 7); // a remaining length of three bytes
    const packets = parseWithReference(
      Buffer.concat([encodePublish('a/b', payload, 1, 513), encodePublish('a/c', Buffer.from('x'), 0, 0), encodeSubscribe(9, ['x/ack', 'x/bundle'], 1), encodePuback(65535), PINGREQ]),
    );
    expect(packets.map((p) => p.cmd)).toEqual(['publish', 'publish', 'subscribe', 'puback', 'pingreq']);
    expect(packets[0]).toMatchObject({ topic: 'a/b', qos: 1, messageId: 513 });
    expect(Buffer.compare((packets[0] as mqttPacket.IPublishPacket).payload as Buffer, payload)).toBe(0);
    expect(packets[1]).toMatchObject({ topic: 'a/c', qos: 0 });
    expect(packets[2]).toMatchObject({ messageId: 9, subscriptions: [{ topic: 'x/ack', qos: 1 }, { topic: 'x/bundle', qos: 1 }] });
    expect(packets[3]).toMatchObject({ messageId: 65535 });
  });

  it('refuses strings MQTT cannot carry instead of sending them mangled', () => {
    expect(() => encodePublish('a/\u0000', Buffer.alloc(0), 1, 1)).toThrow(MqttEncodeError);
    expect(() => encodePublish('a/\ud800', Buffer.alloc(0), 1, 1)).toThrow(MqttEncodeError);
    expect(() => encodeSubscribe(1, ['x'.repeat(70_000)], 1)).toThrow(/longer than 65535/);
  });
});

describe('PacketReader', () => {
  const fromBroker: mqttPacket.Packet[] = [
    { cmd: 'connack', returnCode: 0, sessionPresent: true },
    { cmd: 'publish', topic: 'g/t/devices/d/bundle', payload: Buffer.alloc(3_000_000, 0xab), qos: 1, messageId: 7, retain: true, dup: true },
    { cmd: 'publish', topic: 'g/t/devices/d/ack', payload: Buffer.from([1, 2]), qos: 0, retain: false, dup: false },
    { cmd: 'suback', messageId: 2, granted: [1, 128] },
    { cmd: 'puback', messageId: 40_000 },
    { cmd: 'pingresp' },
  ];
  const stream = Buffer.concat(fromBroker.map(generate));
  // Payloads as digests: a deep comparison of megabytes element by element would take minutes.
  const summary = (packets: BrokerPacket[]) =>
    packets.map((packet) => (packet.type === 'publish' ? { ...packet, payload: createHash('sha256').update(packet.payload).digest('hex') } : packet));
  const expected = summary([
    { type: 'connack', sessionPresent: true, returnCode: 0 },
    { type: 'publish', topic: 'g/t/devices/d/bundle', payload: Buffer.alloc(3_000_000, 0xab), qos: 1, packetId: 7, retain: true, dup: true },
    { type: 'publish', topic: 'g/t/devices/d/ack', payload: Buffer.from([1, 2]), qos: 0, packetId: 0, retain: false, dup: false },
    { type: 'suback', packetId: 2, granted: [1, 128] },
    { type: 'puback', packetId: 40_000 },
    { type: 'pingresp' },
  ]);

  it('reads what a broker sends, in one chunk or cut anywhere', () => {
    expect(summary(new PacketReader(4_000_000).push(stream))).toEqual(expected);
    const random = seededRandom(11);
    for (let round = 0; round < 20; round++) {
      const reader = new PacketReader(4_000_000);
      const packets: BrokerPacket[] = [];
      for (let at = 0; at < stream.length; ) {
        // Mostly tiny cuts (headers split across chunks), sometimes TCP-sized ones.
        const size = random() < 0.5 ? 1 + Math.floor(random() * 6) : 1 + Math.floor(random() * 70_000);
        packets.push(...reader.push(stream.subarray(at, at + size)));
        at += size;
      }
      expect(summary(packets)).toEqual(expected);
    }
  });

  it('refuses a packet above the limit from its header, before buffering it', () => {
    const reader = new PacketReader(1000);
    const header = generate({ cmd: 'publish', topic: 't', payload: Buffer.alloc(5000), qos: 0, retain: false, dup: false }).subarray(0, 4);
    expect(() => reader.push(header)).toThrow(/5003 bytes \(at most 1000/);
  });

  it.each([
    ['a five-byte remaining length', Buffer.from([0x30, 0xff, 0xff, 0xff, 0xff, 0x01])],
    ['a PUBLISH at QoS 2', generate({ cmd: 'publish', topic: 't', payload: Buffer.from('x'), qos: 2, messageId: 1, retain: false, dup: false })],
    ['a PUBLISH whose topic runs past its end', Buffer.from([0x30, 0x03, 0x00, 0x09, 0x61])],
    ['a CONNACK of three bytes', Buffer.from([0x20, 0x03, 0, 0, 0])],
    ['a packet a broker never sends to a client', generate({ cmd: 'pingreq' })],
    ['a SUBACK without return codes', Buffer.from([0x90, 0x02, 0x00, 0x01])],
  ])('refuses %s with a protocol error', (_, bytes) => {
    expect(() => new PacketReader(1_000_000).push(bytes)).toThrow(MqttProtocolError);
  });

  it('never fails other than by a protocol error on random bytes (seeded)', () => {
    const random = seededRandom(2026);
    for (let round = 0; round < 3000; round++) {
      // Half pure noise, half a valid stream with a few bytes flipped.
      const bytes = random() < 0.5 ? Buffer.from(Array.from({ length: 1 + Math.floor(random() * 64) }, () => Math.floor(random() * 256))) : Buffer.from(stream.subarray(0, 200));
      for (let flips = 0; flips < 3; flips++) bytes[Math.floor(random() * bytes.length)] = Math.floor(random() * 256);
      try {
        new PacketReader(1_000_000).push(bytes);
      } catch (error) {
        if (!(error instanceof MqttProtocolError)) throw new Error(`round ${round}: ${(error as Error).stack} on ${bytes.toString('hex')}`);
      }
    }
  });
});
