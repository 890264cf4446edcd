import { generateKeyPairSync } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { describe, expect, it } from 'vitest';
import { createBundle } from './create.js';
import { BundleError } from './errors.js';
import { signManifest } from './sign.js';
import { verifyBundle } from './verify.js';
import { seededRandom } from '../../../../test/support/seeded-random.js';

const NOW = Date.UTC(2026, 10, 26);
const key = generateKeyPairSync('ed25519');

const { bytes: original, manifestBytes } = createBundle({
  keys: [key.privateKey],
  createdAt: NOW,
  expiresAt: NOW + 86_400_000,
  revisions: [
    {
      id: 'base0001',
      parents: [],
      message: 'create events',
      up: [{ kind: 'createTable', table: 'events', columns: [{ name: 'id', type: 'INTEGER', primaryKey: true }], options: {} }],
      down: [{ kind: 'dropTable', table: 'events' }],
      upSql: ['CREATE TABLE "events" ("id" INTEGER PRIMARY KEY)'],
      downSql: ['DROP TABLE "events"'],
      fingerprint: '1'.repeat(64),
      schema: { tables: [], indexes: [], triggers: [], views: [], virtualTables: [] },
    },
    {
      id: 'next0002',
      parents: ['base0001'],
      message: 'rename',
      up: [
        { kind: 'renameColumn', table: 'events', from: 'id', to: 'event_id' },
        { kind: 'addCheck', table: 'events', name: 'positive', expr: 'event_id > 0' },
      ],
      down: null,
      upSql: ['ALTER TABLE "events" RENAME COLUMN "id" TO "event_id"'],
      downSql: null,
      fingerprint: '2'.repeat(64),
      schema: { tables: [], indexes: [], triggers: [], views: [], virtualTables: [] },
    },
  ],
});

type Mutator = (bytes: Uint8Array, random: () => number) => Uint8Array;

const int = (random: () => number, below: number) => Math.floor(random() * below);
const randomBytes = (random: () => number, length: number) => Uint8Array.from({ length }, () => int(random, 256));

const mutators: Record<string, Mutator> = {
  bitFlips(bytes, random) {
    const copy = Uint8Array.from(bytes);
    for (let n = 1 + int(random, 4); n > 0; n--) {
      const bit = int(random, copy.length * 8);
      copy[bit >> 3]! ^= 1 << (bit & 7);
    }
    return copy;
  },
  truncation: (bytes, random) => bytes.subarray(0, int(random, bytes.length)),
  extension: (bytes, random) => Buffer.concat([bytes, randomBytes(random, 1 + int(random, 64))]),
  randomBytes: (_bytes, random) => randomBytes(random, int(random, 1024)),
  randomTail: (bytes, random) => {
    const keep = int(random, bytes.length);
    return Buffer.concat([bytes.subarray(0, keep), randomBytes(random, int(random, 256))]);
  },
  spliceByte(bytes, random) {
    const at = int(random, bytes.length);
    return random() < 0.5
      ? Buffer.concat([bytes.subarray(0, at), Uint8Array.of(int(random, 256)), bytes.subarray(at)])
      : Buffer.concat([bytes.subarray(0, at), bytes.subarray(at + 1)]);
  },
  overwriteLengthByte(bytes, random) {
    // Length headers are where decoders overflow or allocate: aim big values at arbitrary spots.
    const copy = Uint8Array.from(bytes);
    const at = int(random, copy.length);
    copy[at] = [0xdc, 0xdd, 0xde, 0xdf, 0xdb, 0xc6, 0xff, 0x00][int(random, 8)]!;
    return copy;
  },
};

interface Outcome {
  refused: number;
  accepted: number;
  slowest: number;
  failures: string[];
}

function run(cases: number, seed: number, mutate: Mutator, input: Uint8Array, sign: (b: Uint8Array) => Uint8Array): Outcome {
  const random = seededRandom(seed);
  const outcome: Outcome = { refused: 0, accepted: 0, slowest: 0, failures: [] };
  for (let i = 0; i < cases; i++) {
    let changed = mutate(input, random);
    // Flipping a bit twice or writing a byte over itself is no mutation: draw again.
    while (Buffer.from(changed).equals(input)) changed = mutate(input, random);
    const mutated = sign(changed);
    const started = performance.now();
    try {
      verifyBundle(mutated, [key.publicKey], { now: NOW });
      outcome.accepted++;
    } catch (error) {
      if (error instanceof BundleError && !error.message.includes('\n')) outcome.refused++;
      else outcome.failures.push(`case ${i}: ${String(error)}`);
    }
    outcome.slowest = Math.max(outcome.slowest, performance.now() - started);
  }
  return outcome;
}

describe('verifyBundle under mutation', () => {
  it('accepts the unmutated bundle', () => {
    expect(verifyBundle(original, [key.publicKey], { now: NOW }).signers).toHaveLength(1);
  });

  it.each(Object.entries(mutators).map(([name, mutate], i) => ({ name, mutate, seed: 1000 + i })))(
    'refuses 2,000 bundles mutated by $name with a BundleError, each within a second',
    ({ mutate, seed }) => {
      const outcome = run(2000, seed, mutate, original, (b) => b);
      expect(outcome.failures).toEqual([]);
      expect(outcome.accepted).toBe(0);
      expect(outcome.refused).toBe(2000);
      expect(outcome.slowest).toBeLessThan(1000);
    },
  );

  it('never crashes or hangs on mutated manifests that are validly signed (only the decoder stands guard)', () => {
    for (const [i, mutate] of Object.values(mutators).entries()) {
      const outcome = run(400, 2000 + i, mutate, manifestBytes, (m) => signManifest(m, [key.privateKey]));
      expect(outcome.failures).toEqual([]);
      expect(outcome.slowest).toBeLessThan(1000);
    }
  });
});
