import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { access, readFile, writeFile } from 'node:fs/promises';
import { KeyError } from './errors.js';

export interface KeyPair {
  privateKey: KeyObject;
  publicKey: KeyObject;
}

export interface KeyPairFiles {
  privateKeyPath: string;
  publicKeyPath: string;
  keyId: string;
}

export function generateKeyPair(): KeyPair {
  return generateKeyPairSync('ed25519');
}

/**
 * Generates a key pair and writes `PREFIX.key` (PKCS#8 PEM, mode 0600) and `PREFIX.pub` (SPKI PEM).
 * Refuses to overwrite either file: a lost private key cannot be recovered.
 */
export async function writeKeyPair(prefix: string): Promise<KeyPairFiles> {
  const { privateKey, publicKey } = generateKeyPair();
  const privateKeyPath = `${prefix}.key`;
  const publicKeyPath = `${prefix}.pub`;
  const privatePem = privateKey.export({ type: 'pkcs8', format: 'pem' });
  const publicPem = publicKey.export({ type: 'spki', format: 'pem' });
  // One after the other, so that the message names the same file every time.
  for (const path of [privateKeyPath, publicKeyPath]) await refuseExisting(path);
  await writeNew(privateKeyPath, privatePem, 0o600);
  await writeNew(publicKeyPath, publicPem, 0o644);
  return { privateKeyPath, publicKeyPath, keyId: keyIdOf(publicKey) };
}

/** Loads an Ed25519 private key from a PKCS#8 PEM file (as written by keygen or `openssl genpkey`). */
export async function loadPrivateKey(path: string): Promise<KeyObject> {
  const pem = await readKeyFile(path);
  let key: KeyObject;
  try {
    key = createPrivateKey(pem);
  } catch (error) {
    throw new KeyError(`${path} is not a private key in PEM form (${(error as Error).message})`);
  }
  return requireEd25519(key, path);
}

/** Loads an Ed25519 public key from an SPKI PEM file (as written by keygen or `openssl pkey -pubout`). */
export async function loadPublicKey(path: string): Promise<KeyObject> {
  const pem = await readKeyFile(path);
  if (pem.includes('PRIVATE KEY')) throw new KeyError(`${path} holds a private key; trust its .pub file instead`);
  let key: KeyObject;
  try {
    key = createPublicKey(pem);
  } catch (error) {
    throw new KeyError(`${path} is not a public key in PEM form (${(error as Error).message})`);
  }
  return requireEd25519(key, path);
}

/**
 * A short id naming a key in signatures: the first 16 bytes of the SHA-256 of its SPKI DER, in hex.
 * A private key gives the id of its public half.
 */
export function keyIdOf(key: KeyObject): string {
  const publicKey = key.type === 'private' ? createPublicKey(key) : key;
  const der = publicKey.export({ type: 'spki', format: 'der' });
  return createHash('sha256').update(der).digest().subarray(0, 16).toString('hex');
}

async function readKeyFile(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    throw new KeyError(`cannot read key file ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
}

function requireEd25519(key: KeyObject, path: string): KeyObject {
  if (key.asymmetricKeyType !== 'ed25519') {
    throw new KeyError(`${path} holds a ${key.asymmetricKeyType ?? 'unknown'} key; bundles are signed with Ed25519`);
  }
  return key;
}

async function refuseExisting(path: string): Promise<void> {
  const exists = await access(path).then(
    () => true,
    () => false,
  );
  if (exists) throw new KeyError(`${path} already exists; not overwriting it`);
}

async function writeNew(path: string, text: string | Buffer, mode: number): Promise<void> {
  try {
    await writeFile(path, text, { mode, flag: 'wx' });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new KeyError(code === 'EEXIST' ? `${path} already exists; not overwriting it` : `cannot write ${path}: ${code}`);
  }
}
