import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { keyIdOf, loadPrivateKey, loadPublicKey } from '../../bundle/keys.js';
import { runMbundle } from '../test-run-mbundle.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'godwit-keygen-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const mbundle = (...argv: string[]) => runMbundle(dir, argv);

describe('mbundle keygen', () => {
  it('writes PREFIX.key (0600) and PREFIX.pub relative to the working directory and prints the key id', async () => {
    const { code, stdout, stderr } = await mbundle('keygen', '--out', 'keys-release');
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    const keyPath = join(dir, 'keys-release.key');
    const pubPath = join(dir, 'keys-release.pub');
    expect(statSync(keyPath).mode & 0o777).toBe(0o600);
    const keyId = keyIdOf(await loadPublicKey(pubPath));
    expect(keyIdOf(await loadPrivateKey(keyPath))).toBe(keyId);
    expect(stdout).toBe(`wrote ${keyPath}\nwrote ${pubPath}\nkey id ${keyId}\n`);
  });

  it('writes keys openssl reads', async () => {
    await mbundle('keygen', '--out', 'k');
    execFileSync('openssl', ['pkey', '-pubin', '-in', join(dir, 'k.pub'), '-noout']);
    execFileSync('openssl', ['pkey', '-in', join(dir, 'k.key'), '-noout']);
  });

  it('refuses to overwrite existing keys (exit 1) and leaves them as they were', async () => {
    await mbundle('keygen', '--out', 'k');
    const before = readFileSync(join(dir, 'k.key'), 'utf8');
    const { code, stderr } = await mbundle('keygen', '--out', 'k');
    expect(code).toBe(1);
    expect(stderr).toMatch(/^mbundle: .*k\.key already exists; not overwriting it\n$/);
    expect(readFileSync(join(dir, 'k.key'), 'utf8')).toBe(before);
  });
});
