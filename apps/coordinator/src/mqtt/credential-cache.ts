/**
 * Remembers credentials the store has verified, so that a device reconnecting during a storm
 * costs a hash lookup instead of another slow password-hash verification. Keyed by a SHA-256 of
 * username and secret, never the secret itself; forgotten on revocation.
 *
 * Each username has a generation, bumped when it is revoked. An authentication takes the
 * generation before it asks the store and may cache or accept only if it is unchanged: a store
 * answer read before a revoke committed can never outlive the revoke.
 */
import { createHash } from 'node:crypto';
import type { DeviceIdentity } from '../ingest/store-port.js';

export class CredentialCache {
  readonly #entries = new Map<string, { username: string; identity: DeviceIdentity }>();
  readonly #generations = new Map<string, number>();

  constructor(readonly maxEntries = 100_000) {}

  generation(username: string): number {
    return this.#generations.get(username) ?? 0;
  }

  get(username: string, secret: string): DeviceIdentity | undefined {
    return this.#entries.get(key(username, secret))?.identity;
  }

  /** Caches a store answer taken at `generation`; false (and nothing cached) if the username was revoked since. */
  set(username: string, secret: string, identity: DeviceIdentity, generation: number): boolean {
    if (generation !== this.generation(username)) return false;
    if (this.#entries.size >= this.maxEntries) this.#entries.delete(this.#entries.keys().next().value as string);
    this.#entries.set(key(username, secret), { username, identity });
    return true;
  }

  /** Revocation: drops the username's entries and outdates every authentication in flight. */
  forget(username: string): void {
    this.#generations.set(username, this.generation(username) + 1);
    for (const [k, entry] of this.#entries) if (entry.username === username) this.#entries.delete(k);
  }
}

function key(username: string, secret: string): string {
  return createHash('sha256').update(username).update('\0').update(secret).digest('hex');
}
