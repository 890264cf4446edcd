/**
 * Tenants whose fleet just changed (a report or presence stored, an operator's action done), told
 * to whoever listens in this process: the dashboard's live stream. A relay (replica-signals.ts, on
 * PostgreSQL) carries this replica's changes to the other replicas and theirs back here.
 */
export class ChangeFeed {
  readonly #listeners = new Map<string, Set<() => void>>();
  #relay: ((tenantIds: string[]) => void) | null = null;

  /** Calls `listener` after each change of the tenant; returns the call that stops it. */
  subscribe(tenantId: string, listener: () => void): () => void {
    const set = this.#listeners.get(tenantId) ?? new Set();
    set.add(listener);
    this.#listeners.set(tenantId, set);
    return () => {
      set.delete(listener);
      if (set.size === 0) this.#listeners.delete(tenantId);
    };
  }

  /** This replica changed these tenants' fleets: its listeners now, the other replicas through the relay. */
  changed(tenantIds: Iterable<string>): void {
    const unique = [...new Set(tenantIds)];
    this.#tell(unique);
    this.#relay?.(unique);
  }

  /** Another replica changed them: this replica's listeners only. */
  changedElsewhere(tenantIds: Iterable<string>): void {
    this.#tell(new Set(tenantIds));
  }

  /** Tenants with a listener here: those to tell after a gap in the relay, when changes may have been missed. */
  listenedTenants(): string[] {
    return [...this.#listeners.keys()];
  }

  relayTo(relay: (tenantIds: string[]) => void): void {
    this.#relay = relay;
  }

  #tell(tenantIds: Iterable<string>): void {
    for (const tenantId of tenantIds) for (const listener of this.#listeners.get(tenantId) ?? []) listener();
  }
}
