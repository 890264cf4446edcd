import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createBundle, type BundleContents } from '../../bundle/create.js';
import { keyIdOf } from '../../bundle/keys.js';
import { runMbundle } from '../test-run-mbundle.js';

const dir = mkdtempSync(join(tmpdir(), 'godwit-verify-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const release = generateKeyPairSync('ed25519');
const stranger = generateKeyPairSync('ed25519');
writeFileSync(join(dir, 'release.pub'), release.publicKey.export({ type: 'spki', format: 'pem' }));
writeFileSync(join(dir, 'stranger.pub'), stranger.publicKey.export({ type: 'spki', format: 'pem' }));

const revisions: BundleContents['revisions'] = [
  {
    id: 'base0001',
    parents: [],
    message: 'create t',
    up: [{ kind: 'execute', sql: 'CREATE TABLE t (x)' }],
    down: [{ kind: 'dropTable', table: 't' }],
    upSql: ['CREATE TABLE t (x)'],
    downSql: ['DROP TABLE "t"'],
    fingerprint: 'd'.repeat(64),
    schema: { tables: [], indexes: [], triggers: [], views: [], virtualTables: [] },
  },
  {
    id: 'next0002',
    parents: ['base0001'],
    message: 'index t',
    up: [{ kind: 'createIndex', name: 't_x', table: 't', columns: ['x'], unique: false }],
    down: null,
    upSql: ['CREATE INDEX "t_x" ON "t" ("x")'],
    downSql: null,
    fingerprint: 'e'.repeat(64),
    schema: { tables: [], indexes: [], triggers: [], views: [], virtualTables: [] },
  },
];

function writeBundle(name: string, overrides: Partial<BundleContents> = {}): string {
  const { bytes } = createBundle({ revisions, keys: [release.privateKey], bundleId: 'b-1', sequence: 42, ...overrides });
  writeFileSync(join(dir, name), bytes);
  return name;
}

const mbundle = (...argv: string[]) => runMbundle(dir, argv);

const releaseId = keyIdOf(release.publicKey);

describe('mbundle verify', () => {
  it('accepts a bundle signed by a trusted key (exit 0)', async () => {
    const file = writeBundle('ok.bundle', { expiresAt: Date.UTC(2099, 0, 1) });
    const { code, stdout, stderr } = await mbundle('verify', file, '--trust', 'stranger.pub', '--trust', 'release.pub');
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    expect(stdout).toBe(
      `ok: bundle b-1, sequence 42, 2 revisions, head next0002, signed by ${releaseId}, expires 2099-01-01T00:00:00.000Z\n`,
    );
  });

  it('prints one JSON object with --json', async () => {
    const file = writeBundle('json.bundle');
    const { code, stdout } = await mbundle('verify', file, '--trust', 'release.pub', '--json');
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toEqual({
      ok: true,
      bundleId: 'b-1',
      sequence: 42,
      signers: [releaseId],
      revisions: ['base0001', 'next0002'],
      heads: ['next0002'],
      expiresAt: null,
    });
  });

  it('refuses an untrusted, expired or corrupted bundle with one line and exit 3', async () => {
    const expired = writeBundle('expired.bundle', { createdAt: 1000, expiresAt: 2000 });
    const corrupt = 'corrupt.bundle';
    writeFileSync(join(dir, corrupt), Uint8Array.of(0x83, 0xa1, 0x76, 0x01));
    const cases: [string[], RegExp][] = [
      [[writeBundle('u.bundle'), '--trust', 'stranger.pub'], /^mbundle: bundle is signed only by keys not trusted here: [0-9a-f]{32}\n$/],
      [[expired, '--trust', 'release.pub'], /^mbundle: bundle b-1 expired at 1970-01-01T00:00:02\.000Z\n$/],
      [[corrupt, '--trust', 'release.pub'], /^mbundle: bundle: truncated \(at byte 4\)\n$/],
    ];
    for (const [argv, message] of cases) {
      const { code, stdout, stderr } = await mbundle('verify', ...argv);
      expect({ code, stdout }).toEqual({ code: 3, stdout: '' });
      expect(stderr).toMatch(message);
    }
  });

  it('with --json, reports a refusal as { ok: false, error } on stdout, keeping the exit code', async () => {
    const file = writeBundle('json-refused.bundle');
    const refused = await mbundle('verify', file, '--trust', 'stranger.pub', '--json');
    expect(refused.code).toBe(3);
    expect(refused.stderr).toMatch(/^mbundle: bundle is signed only by keys not trusted here: [0-9a-f]{32}\n$/);
    const result = JSON.parse(refused.stdout);
    expect(result).toEqual({ ok: false, error: { code: 'untrusted-key', message: expect.stringMatching(/not trusted/) } });

    const badKey = await mbundle('verify', file, '--trust', 'missing.pub', '--json');
    expect(badKey.code).toBe(1);
    expect(JSON.parse(badKey.stdout)).toEqual({ ok: false, error: { code: 'bad-key', message: expect.stringMatching(/missing\.pub/) } });
  });

  it('needs FILE and at least one --trust (exit 2), and names an unreadable key file (exit 1)', async () => {
    const file = writeBundle('args.bundle');
    expect((await mbundle('verify', file)).stderr).toMatch(/^mbundle: verify: at least one --trust PUBFILE is required\n$/);
    expect((await mbundle('verify', '--trust', 'release.pub')).code).toBe(2);
    const missing = await mbundle('verify', file, '--trust', 'missing.pub');
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^mbundle: cannot read key file .*missing\.pub: ENOENT\n$/);
  });
});
