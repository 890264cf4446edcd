/**
 * Fuzz of report validation through a real ingest (embedded broker, real store): 400 seeded
 * reports whose strings (an event's error, a last result's error, a column name in the schema
 * description) are drawn from NUL characters, UTF-8-encoded lone surrogates, over-long UTF-8
 * encodings, stray bytes that are not UTF-8, over-long strings, and well-formed text. Every one is
 * accounted for: stored, or dropped with a reason (never store-failed or quarantined: nothing the
 * database would refuse gets past validation); nothing crashes and the connection stays up.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import Database from 'better-sqlite3';
import { connectAsync, type MqttClient } from 'mqtt';
import { IngestCounters, startMqtt, type MqttService, type Store } from '@godwit/coordinator';
import { deviceTopic, encodeReport, PROTOCOL_VERSION, type StateReport } from '@godwit/fleet-protocol';
import { readSchema } from '@godwit/migration-bundle';
import { fingerprint, openTestStore, registerDevices, result, waitFor, type Registered } from './coordinator-fixtures.js';
import { seededRandom } from './support/seeded-random.js';

const CASES = 400;
const SEED = 0x60d817;
const PLACEHOLDER = 'PLACEHOLDER_';

let store: Store;
let mqtt: MqttService;
let device: Registered;
let client: MqttClient;
const metrics = new IngestCounters();

beforeAll(async () => {
  store = await openTestStore();
  const tenant = await store.tenants.create(`fuzz-${randomBytes(4).toString('hex')}`);
  [device] = (await registerDevices(store, tenant.id, 1, 'fuzz')) as [Registered];
  mqtt = await startMqtt({ store, metrics, port: 0, maxDelayMs: 20 });
  client = await connectAsync(mqtt.url, { username: device.username, password: device.password, clientId: device.username, reconnectPeriod: 0 });
});

afterAll(async () => {
  await client?.endAsync(true);
  await mqtt?.close();
  await store?.close();
});

/** A seeded generator with the two draws the cases need. */
function prng(seed: number) {
  const next = seededRandom(seed);
  const int = (n: number) => Math.floor(next() * n);
  return { int, pick: <T>(items: readonly T[]) => items[int(items.length)]! };
}

type Rng = ReturnType<typeof prng>;
type Expected = 'stored' | 'invalid' | 'too-large';

function text(rng: Rng, length: number): string {
  const alphabet = ['a', 'Z', '0', ' ', 'é', 'ß', '中', '\ufffd', '\ud83d\ude00', '\u2028', '\t', '"', '\\'];
  return Array.from({ length }, () => rng.pick(alphabet)).join('');
}

/** The bytes a str holds, and what ingest must make of a report carrying it. */
const KINDS: { name: string; expected: Expected; bytes: (rng: Rng) => Buffer }[] = [
  { name: 'well-formed', expected: 'stored', bytes: (rng) => Buffer.from(text(rng, 1 + rng.int(200))) },
  { name: 'NUL', expected: 'invalid', bytes: (rng) => Buffer.from(`${text(rng, rng.int(20))}\u0000${text(rng, rng.int(20))}`) },
  { name: 'lone surrogate', expected: 'invalid', bytes: (rng) => Buffer.concat([Buffer.from(text(rng, rng.int(20))), Buffer.from([0xed, 0xa0 + rng.int(32), 0x80 + rng.int(64)])]) },
  { name: 'over-long encoding', expected: 'invalid', bytes: (rng) => Buffer.from(rng.pick([[0xc0, 0x80], [0xc1, 0xbf], [0xe0, 0x80, 0x80], [0xf0, 0x80, 0x80, 0x80]])) },
  { name: 'not UTF-8', expected: 'invalid', bytes: (rng) => Buffer.concat([Buffer.from(text(rng, rng.int(10))), Buffer.from([rng.pick([0x80, 0xbf, 0xfe, 0xff, 0xf8, 0xc3])])]) },
  { name: 'over-long string', expected: 'invalid', bytes: (rng) => Buffer.from('x'.repeat(1001 + rng.int(20_000))) },
  { name: 'over the report size', expected: 'too-large', bytes: () => Buffer.from('x'.repeat(300 * 1024)) },
];

const schema = (() => {
  const db = new Database(':memory:');
  db.exec(`create table readings (${PLACEHOLDER} text)`);
  const described = readSchema(db);
  db.close();
  return described;
})();

/** A report with PLACEHOLDER in one place, packed, then the placeholder's str swapped for `bytes`. */
function fuzzed(counter: number, where: 'event' | 'lastResult' | 'schema', bytes: Buffer): Buffer {
  const failed = { ...result('rev_0001', 'rolled-back'), error: PLACEHOLDER };
  const report = {
    v: PROTOCOL_VERSION,
    counter,
    revision: 'rev_0001',
    fingerprint: fingerprint(counter),
    bundleSequence: 1,
    lastResults: where === 'lastResult' ? [failed] : [],
    events: where === 'event' ? [{ ...failed, counter }] : [],
    ...(where === 'schema' && { schema }),
  };
  // As a device encodes it (plain maps: msgpackr's default records would not survive the splice).
  const packed = encodeReport(report as StateReport);
  const placeholder = Buffer.concat([Buffer.from([0xa0 | PLACEHOLDER.length]), Buffer.from(PLACEHOLDER)]);
  const at = packed.indexOf(placeholder);
  const header = bytes.length < 32 ? [0xa0 | bytes.length] : bytes.length < 256 ? [0xd9, bytes.length] : bytes.length < 65536 ? [0xda, bytes.length >> 8, bytes.length & 0xff] : [0xdb, ...[24, 16, 8, 0].map((s) => (bytes.length >>> s) & 0xff)];
  return Buffer.concat([packed.subarray(0, at), Buffer.from(header), bytes, packed.subarray(at + placeholder.length)]);
}

describe('report validation fuzz through ingest', () => {
  it(`accounts for each of ${CASES} seeded reports: stored, or dropped with its reason`, async () => {
    const rng = prng(SEED);
    const expected: Record<Expected, number> = { stored: 0, invalid: 0, 'too-large': 0 };
    for (let counter = 1; counter <= CASES; counter++) {
      const kind = rng.pick(KINDS);
      // A column name that is well-formed is the schema validator's to judge: keep schemas for refusals.
      const where = kind.expected === 'stored' ? rng.pick(['event', 'lastResult'] as const) : rng.pick(['event', 'lastResult', 'schema'] as const);
      expected[kind.expected]++;
      const payload = fuzzed(counter, where, kind.bytes(rng));
      await client.publishAsync(deviceTopic(device.tenantId, device.deviceId, 'state'), payload, { qos: 1 });
    }
    await waitFor('every report accounted for', () => metrics.reportsStored + metrics.droppedTotal === CASES, 30_000);
    await mqtt.drain();

    // The decoder itself refuses some of them (malformed) before validation sees them (invalid).
    const { invalid = 0, malformed = 0, 'too-large': tooLarge = 0, ...others } = metrics.droppedByReason;
    expect(others).toEqual({});
    expect(invalid + malformed).toBe(expected.invalid);
    expect(tooLarge).toBe(expected['too-large']);
    expect(metrics.reportsStored).toBe(expected.stored);
    expect(expected.stored).toBeGreaterThan(0);
    expect(client.connected).toBe(true);
  });
});
