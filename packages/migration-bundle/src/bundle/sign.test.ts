import { execFileSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeEnvelope } from './codec.js';
import { createBundle } from './create.js';
import { KeyError } from './errors.js';
import { keyIdOf, loadPrivateKey, loadPublicKey, writeKeyPair } from './keys.js';
import { SIGNATURE_DOMAIN, signedMessage, signManifest } from './sign.js';
import { verifyBundle } from './verify.js';

const dir = mkdtempSync(join(tmpdir(), 'godwit-sign-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const revisions = [
  {
    id: 'base0001',
    parents: [],
    message: 'create t',
    up: [{ kind: 'execute' as const, sql: 'CREATE TABLE t (x)' }],
    down: null,
    upSql: ['CREATE TABLE t (x)'],
    downSql: null,
    fingerprint: 'c'.repeat(64),
    schema: { tables: [], indexes: [], triggers: [], views: [], virtualTables: [] },
  },
];

function openssl(...args: string[]): Buffer {
  return execFileSync('openssl', args);
}

describe('signManifest', () => {
  it('signs the domain tag followed by the exact manifest bytes', () => {
    expect(Buffer.from(SIGNATURE_DOMAIN).toString('latin1')).toBe('godwit-bundle-v1\0');
    expect(signedMessage(Uint8Array.of(1, 2))).toEqual(Buffer.concat([SIGNATURE_DOMAIN, Uint8Array.of(1, 2)]));
  });

  it('refuses no keys, a public key, a non-Ed25519 key and the same key twice', () => {
    const ed = generateKeyPairSync('ed25519');
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 });
    const bytes = Uint8Array.of(0x80);
    expect(() => signManifest(bytes, [])).toThrow(KeyError);
    expect(() => signManifest(bytes, [ed.publicKey])).toThrow(KeyError);
    expect(() => signManifest(bytes, [rsa.privateKey])).toThrow(KeyError);
    expect(() => signManifest(bytes, [ed.privateKey, ed.privateKey])).toThrow(/twice/);
  });
});

describe('openssl interoperability', () => {
  it('a key made by openssl genpkey signs a bundle that verifies against its openssl-made public key', async () => {
    const keyPath = join(dir, 'ossl.key');
    const pubPath = join(dir, 'ossl.pub');
    openssl('genpkey', '-algorithm', 'ed25519', '-out', keyPath);
    openssl('pkey', '-in', keyPath, '-pubout', '-out', pubPath);
    const { bytes } = createBundle({ revisions, keys: [await loadPrivateKey(keyPath)] });
    const publicKey = await loadPublicKey(pubPath);
    expect(verifyBundle(bytes, [publicKey]).signers).toEqual([keyIdOf(publicKey)]);
  });

  it('openssl produces the same signature and accepts ours', async () => {
    const files = await writeKeyPair(join(dir, 'release'));
    const { bytes, manifestBytes } = createBundle({ revisions, keys: [await loadPrivateKey(files.privateKeyPath)] });
    const ours = decodeEnvelope(bytes).signatures[0]!.sig;
    const messagePath = join(dir, 'message.bin');
    const sigPath = join(dir, 'message.sig');
    writeFileSync(messagePath, signedMessage(manifestBytes));
    openssl('pkeyutl', '-sign', '-rawin', '-inkey', files.privateKeyPath, '-in', messagePath, '-out', sigPath);
    expect(Buffer.from(ours).equals(readFileSync(sigPath))).toBe(true); // Ed25519 is deterministic
    writeFileSync(sigPath, ours);
    const out = openssl('pkeyutl', '-verify', '-rawin', '-pubin', '-inkey', files.publicKeyPath, '-in', messagePath, '-sigfile', sigPath);
    expect(out.toString()).toMatch(/Signature Verified Successfully/);
  });
});
