import { randomUUID } from 'node:crypto';
import pg from 'pg';
import type { ChangeFeed } from './change-feed.js';

const CHANNEL = 'godwit_changes';
/** A busy ingest changes tenants every batch (up to every 50 ms): one NOTIFY per this long at most. */
const COALESCE_MS = 250;
/** Tenant ids per notification: ~40 bytes each keeps a payload well under PostgreSQL's 8,000-byte limit. */
const TENANTS_PER_NOTIFY = 150;
const RECONNECT_MIN_MS = 500;
const RECONNECT_MAX_MS = 10_000;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** What one notification says: the replica that changed these tenants. */
interface Signal {
  replica: string;
  tenants: string[];
}

/**
 * Carries a ChangeFeed between coordinator replicas sharing one PostgreSQL server, with NOTIFY and
 * LISTEN: so a dashboard page connected to one replica hears of a report another replica stored,
 * at once rather than at its next poll. Best effort by design: the page still polls, so a lost
 * signal costs a few seconds, never data; a NOTIFY that fails is dropped, a lost listening
 * connection is opened again with backoff, and every listened tenant is told once it is back.
 */
export class ReplicaSignals {
  readonly #replica = randomUUID();
  readonly #pending = new Set<string>();
  #flush: NodeJS.Timeout | null = null;
  #reconnect: NodeJS.Timeout | null = null;
  #client: pg.Client | null = null;
  #delayMs = RECONNECT_MIN_MS;
  #closed = false;

  constructor(
    private readonly url: string,
    private readonly feed: ChangeFeed,
    private readonly notify: (channel: string, payload: string) => Promise<unknown>,
  ) {
    feed.relayTo((tenantIds) => this.#queue(tenantIds));
  }

  /** Resolves once listening, or once the first attempt failed (it is retried in the background). */
  async start(): Promise<void> {
    await this.#listen(false);
  }

  async close(): Promise<void> {
    this.#closed = true;
    if (this.#flush) clearTimeout(this.#flush);
    if (this.#reconnect) clearTimeout(this.#reconnect);
    const client = this.#client;
    this.#client = null;
    await client?.end().catch(() => {});
  }

  #queue(tenantIds: string[]): void {
    if (this.#closed) return;
    for (const id of tenantIds) this.#pending.add(id);
    this.#flush ??= setTimeout(() => this.#send(), COALESCE_MS);
  }

  #send(): void {
    this.#flush = null;
    const tenants = [...this.#pending];
    this.#pending.clear();
    for (let i = 0; i < tenants.length; i += TENANTS_PER_NOTIFY) {
      const signal: Signal = { replica: this.#replica, tenants: tenants.slice(i, i + TENANTS_PER_NOTIFY) };
      this.notify(CHANNEL, JSON.stringify(signal)).catch(() => {});
    }
  }

  async #listen(afterGap: boolean): Promise<void> {
    const client = new pg.Client({ connectionString: this.url, application_name: 'godwit-replica-signals' });
    // Without a listener, a lost connection's 'error' would end the process; 'end' follows it.
    client.on('error', () => {});
    client.on('notification', (message) => {
      const signal = message.channel === CHANNEL ? parseSignal(message.payload) : null;
      if (signal && signal.replica !== this.#replica) this.feed.changedElsewhere(signal.tenants);
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${CHANNEL}`);
    } catch {
      await client.end().catch(() => {});
      return this.#scheduleListen();
    }
    if (this.#closed) return void (await client.end().catch(() => {}));
    this.#client = client;
    this.#delayMs = RECONNECT_MIN_MS;
    client.once('end', () => {
      if (this.#client === client) this.#client = null;
      this.#scheduleListen();
    });
    if (afterGap) this.feed.changedElsewhere(this.feed.listenedTenants());
  }

  #scheduleListen(): void {
    if (this.#closed || this.#reconnect) return;
    const delay = this.#delayMs;
    this.#delayMs = Math.min(RECONNECT_MAX_MS, delay * 2);
    this.#reconnect = setTimeout(() => {
      this.#reconnect = null;
      if (!this.#closed) void this.#listen(true);
    }, delay);
  }
}

/** A notification's payload, or null for anything that is not one of ours. */
export function parseSignal(payload: string | undefined): Signal | null {
  if (payload === undefined || payload.length > 8000) return null;
  let value: unknown;
  try {
    value = JSON.parse(payload);
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null) return null;
  const { replica, tenants } = value as Record<string, unknown>;
  if (typeof replica !== 'string' || !UUID.test(replica)) return null;
  if (!Array.isArray(tenants) || !tenants.every((id): id is string => typeof id === 'string' && UUID.test(id))) return null;
  return { replica, tenants };
}
