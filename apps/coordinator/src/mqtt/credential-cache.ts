/**
 * Remembers credentials the store has verified, so that a device reconnecting during a storm
 * costs a hash lookup instead of another slow password-hash verification. Keyed by a SHA-256 of
 * username and secret, never the secret itself; forgotten on revocation.
 */
import { createHash } from 'node:crypto';
import type { DeviceIdentity } from '../ingest/store-port.js';

export class CredentialCache {
  readonly #entries = new Map<string, { username: string; identity: DeviceIdentity }>();

  constructor(readonly maxEntries = 100_000) {}

  get(username: string, secret: string): DeviceIdentity | undefined {
    return this.#entries.get(key(username, secret))?.identity;
  }

  set(username: string, secret: string, identity: DeviceIdentity): void {
    if (this.#entries.size >= this.maxEntries) this.#entries.delete(this.#entries.keys().next().value as string);
    this.#entries.set(key(username, secret), { username, identity });
  }

  forget(username: string): void {
    for (const [k, entry] of this.#entries) if (entry.username === username) this.#entries.delete(k);
  }
}

function key(username: string, secret: string): string {
  return createHash('sha256').update(username).update('\0').update(secret).digest('hex');
}
