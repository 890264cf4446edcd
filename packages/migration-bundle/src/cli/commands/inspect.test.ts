import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createBundle } from '../../bundle/create.js';
import { keyIdOf } from '../../bundle/keys.js';
import { runMbundle } from '../test-run-mbundle.js';

const dir = mkdtempSync(join(tmpdir(), 'godwit-inspect-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const signer = generateKeyPairSync('ed25519');
const empty = { tables: [], indexes: [], triggers: [], views: [], virtualTables: [] };
const { bytes, manifest } = createBundle({
  keys: [signer.privateKey],
  bundleId: 'inspect-me',
  sequence: 7,
  createdAt: Date.UTC(2026, 10, 26, 12),
  expiresAt: Date.UTC(2027, 1, 1),
  revisions: [
    {
      id: 'base0001',
      parents: [],
      message: 'create t',
      up: [{ kind: 'execute', sql: 'CREATE TABLE t (x)' }],
      down: [{ kind: 'dropTable', table: 't' }],
      upSql: ['CREATE TABLE t (x)'],
      downSql: ['DROP TABLE "t"'],
      fingerprint: '0123456789ab'.padEnd(64, 'f'),
      schema: empty,
    },
    {
      id: 'next0002',
      parents: ['base0001'],
      message: 'two ops',
      up: [
        { kind: 'addColumn', table: 't', column: { name: 'y', type: 'TEXT' } },
        { kind: 'renameColumn', table: 't', from: 'x', to: 'z' },
      ],
      down: null,
      upSql: ['ALTER TABLE "t" ADD COLUMN "y" TEXT', 'ALTER TABLE "t" RENAME COLUMN "x" TO "z"'],
      downSql: null,
      fingerprint: 'ba9876543210'.padEnd(64, 'e'),
      schema: empty,
    },
  ],
});
writeFileSync(join(dir, 'b.bundle'), bytes);

const mbundle = (...argv: string[]) => runMbundle(dir, argv);

describe('mbundle inspect', () => {
  it('summarizes a bundle without needing its keys', async () => {
    const { code, stdout, stderr } = await mbundle('inspect', 'b.bundle');
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    expect(stdout).toBe(
      [
        'bundle     inspect-me (format 1, not verified)',
        'sequence   7',
        'created    2026-11-26T12:00:00.000Z',
        'expires    2027-02-01T00:00:00.000Z',
        'signatures 1',
        `  key ${keyIdOf(signer.publicKey)}`,
        'revisions  2, in apply order; heads: next0002',
        '  base0001  base  "create t"',
        '      up 1 op (1 statement), down 1 op, fingerprint 0123456789ab',
        '  next0002  after base0001  "two ops"',
        '      up 2 ops (2 statements), no down, fingerprint ba9876543210',
        '',
      ].join('\n'),
    );
  });

  it('prints the whole manifest as one JSON object with --json, times as ISO dates', async () => {
    const { code, stdout } = await mbundle('inspect', 'b.bundle', '--json');
    expect(code).toBe(0);
    const result = JSON.parse(stdout);
    expect(result).toMatchObject({
      bundleId: 'inspect-me',
      format: 1,
      sequence: 7,
      createdAt: '2026-11-26T12:00:00.000Z',
      expiresAt: '2027-02-01T00:00:00.000Z',
      heads: ['next0002'],
      signatures: [{ keyId: keyIdOf(signer.publicKey) }],
    });
    expect(result.revisions).toEqual(manifest.revisions);
  });

  it('refuses a malformed bundle with exit 3', async () => {
    writeFileSync(join(dir, 'junk.bundle'), 'not a bundle');
    const { code, stderr } = await mbundle('inspect', 'junk.bundle');
    expect(code).toBe(3);
    expect(stderr).toMatch(/^mbundle: bundle: .*\n$/);
  });
});
