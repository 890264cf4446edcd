/**
 * Tenants whose fleet just changed (a report or presence stored, an operator's action done), told
 * to whoever listens in this process: the dashboard's live stream. Only this replica's changes:
 * another replica's ingest reaches a page through its polling instead.
 */
export class ChangeFeed {
  readonly #listeners = new Map<string, Set<() => void>>();

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

  changed(tenantIds: Iterable<string>): void {
    for (const tenantId of new Set(tenantIds)) for (const listener of this.#listeners.get(tenantId) ?? []) listener();
  }
}
