import { createPublicKey, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { usageError } from '../errors.js';

/** The public keys named by `--trust`: SPKI PEM files of Ed25519 keys. A bad file is a usage error. */
export function readTrustedKeys(paths: readonly string[]): KeyObject[] {
  return paths.map((path) => {
    let pem: string;
    try {
      pem = readFileSync(path, 'utf8');
    } catch (error) {
      throw usageError(`cannot read trusted key ${path} (${(error as NodeJS.ErrnoException).code}); check the --trust path`);
    }
    if (pem.includes('PRIVATE KEY')) throw usageError(`${path} is a private key; pass its .pub file to --trust`);
    let key: KeyObject;
    try {
      key = createPublicKey(pem);
    } catch {
      throw usageError(`${path} is not a public key in PEM form; pass the .pub file written by mbundle keygen`);
    }
    if (key.asymmetricKeyType !== 'ed25519') {
      throw usageError(`${path} holds a ${key.asymmetricKeyType} key; bundles are signed with Ed25519 keys`);
    }
    return key;
  });
}
