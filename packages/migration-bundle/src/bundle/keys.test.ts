import { execFileSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { KeyError } from './errors.js';
import { keyIdOf, loadPrivateKey, loadPublicKey, writeKeyPair } from './keys.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'godwit-keys-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('writeKeyPair', () => {
  it('writes a PKCS#8 private key (mode 0600) and an SPKI public key that load back as one pair', async () => {
    const files = await writeKeyPair(join(dir, 'release'));
    expect(files.privateKeyPath).toBe(join(dir, 'release.key'));
    expect(statSync(files.privateKeyPath).mode & 0o777).toBe(0o600);
    expect(readFileSync(files.privateKeyPath, 'utf8')).toMatch(/^-----BEGIN PRIVATE KEY-----\n/);
    expect(readFileSync(files.publicKeyPath, 'utf8')).toMatch(/^-----BEGIN PUBLIC KEY-----\n/);
    const privateKey = await loadPrivateKey(files.privateKeyPath);
    const publicKey = await loadPublicKey(files.publicKeyPath);
    expect(keyIdOf(privateKey)).toBe(files.keyId);
    expect(keyIdOf(publicKey)).toBe(files.keyId);
    expect(files.keyId).toMatch(/^[0-9a-f]{32}$/);
  });

  it('refuses to overwrite an existing key and writes nothing', async () => {
    writeFileSync(join(dir, 'release.pub'), 'keep me');
    await expect(writeKeyPair(join(dir, 'release'))).rejects.toThrow(/release\.pub already exists/);
    expect(() => statSync(join(dir, 'release.key'))).toThrow();
    expect(readFileSync(join(dir, 'release.pub'), 'utf8')).toBe('keep me');
  });

  it('gives different keys different ids', async () => {
    const a = await writeKeyPair(join(dir, 'a'));
    const b = await writeKeyPair(join(dir, 'b'));
    expect(a.keyId).not.toBe(b.keyId);
  });
});

describe('loading keys', () => {
  it('refuses a missing file, a non-key, a non-Ed25519 key and a private key given as a public one', async () => {
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 });
    writeFileSync(join(dir, 'rsa.pub'), rsa.publicKey.export({ type: 'spki', format: 'pem' }));
    writeFileSync(join(dir, 'junk.pub'), 'not a key');
    const { privateKeyPath } = await writeKeyPair(join(dir, 'ed'));

    await expect(loadPublicKey(join(dir, 'nope.pub'))).rejects.toThrow(/cannot read key file .*nope\.pub: ENOENT/);
    await expect(loadPublicKey(join(dir, 'junk.pub'))).rejects.toThrow(/junk\.pub is not a public key/);
    await expect(loadPublicKey(join(dir, 'rsa.pub'))).rejects.toThrow(/holds a rsa key/);
    await expect(loadPublicKey(privateKeyPath)).rejects.toThrow(/holds a private key/);
    await expect(loadPrivateKey(join(dir, 'junk.pub'))).rejects.toBeInstanceOf(KeyError);
  });
});

describe('openssl interoperability', () => {
  it('openssl reads the keys keygen writes, and the same key id results either way', async () => {
    const files = await writeKeyPair(join(dir, 'release'));
    execFileSync('openssl', ['pkey', '-pubin', '-in', files.publicKeyPath, '-noout']);
    const derivedPub = join(dir, 'derived.pub');
    execFileSync('openssl', ['pkey', '-in', files.privateKeyPath, '-pubout', '-out', derivedPub]);
    expect(keyIdOf(await loadPublicKey(derivedPub))).toBe(files.keyId);
  });

  it('loads keys made by openssl genpkey', async () => {
    const keyPath = join(dir, 'ossl.key');
    const pubPath = join(dir, 'ossl.pub');
    execFileSync('openssl', ['genpkey', '-algorithm', 'ed25519', '-out', keyPath]);
    execFileSync('openssl', ['pkey', '-in', keyPath, '-pubout', '-out', pubPath]);
    expect(keyIdOf(await loadPrivateKey(keyPath))).toBe(keyIdOf(await loadPublicKey(pubPath)));
  });
});
