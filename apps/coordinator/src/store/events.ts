import { and, desc, eq, lt } from 'drizzle-orm';
import { coordinator as t } from '@godwit/schema';
import type { MigrationEvent } from '@godwit/fleet-protocol';
import { notFound } from './errors.js';
import type { Scopes } from './scopes.js';

export const DEFAULT_EVENT_PAGE = 100;
export const MAX_EVENT_PAGE = 1000;

export interface EventPageQuery {
  /** At most this many events (1 to MAX_EVENT_PAGE). */
  limit: number;
  /** Only events with a lower counter: the `next` of the previous page. */
  before?: number | undefined;
}

export interface EventPage {
  /** Newest first: by the device's own counter, which only grows. */
  events: MigrationEvent[];
  /** The `before` that continues after this page; null when there is nothing older. */
  next: number | null;
}

/** A device's migration history as it reported it, for support reading one device. */
export class EventStore {
  constructor(private readonly scopes: Scopes) {}

  async page(tenantId: string, deviceId: string, query: EventPageQuery): Promise<EventPage> {
    return this.scopes.tenant(tenantId, async (tx) => {
      const [device] = await tx.select({ id: t.devices.id }).from(t.devices).where(eq(t.devices.id, deviceId));
      if (!device) throw notFound(`device ${deviceId}`);
      // One row more than asked tells whether an older page exists, without counting.
      const rows = await tx
        .select({ counter: t.migrationEvents.counter, event: t.migrationEvents.event })
        .from(t.migrationEvents)
        .where(and(eq(t.migrationEvents.deviceId, deviceId), query.before === undefined ? undefined : lt(t.migrationEvents.counter, query.before)))
        .orderBy(desc(t.migrationEvents.counter))
        .limit(query.limit + 1);
      const events = rows.slice(0, query.limit).map((row) => toEvent(row.counter, row.event as Omit<MigrationEvent, 'counter'>));
      return { events, next: rows.length > query.limit ? events.at(-1)!.counter : null };
    });
  }
}

/** The contract's field order, and only its fields: `error`, `forced`, `rowsCopied` and `tableSizes` only when the device sent them. */
function toEvent(counter: number, e: Omit<MigrationEvent, 'counter'>): MigrationEvent {
  return {
    counter,
    at: e.at,
    from: e.from,
    to: e.to,
    revisions: e.revisions,
    outcome: e.outcome,
    durationMs: e.durationMs,
    ...(e.error !== undefined && { error: e.error }),
    ...(e.forced !== undefined && { forced: e.forced }),
    ...(e.rowsCopied !== undefined && { rowsCopied: e.rowsCopied }),
    ...(e.tableSizes !== undefined && { tableSizes: e.tableSizes }),
  };
}
