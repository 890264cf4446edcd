/** What the agent's bookkeeping says about a database. */
export interface AgentState {
  /** The revisions the database is at, in the bundle's canonical order when known; `[]` at base. */
  heads: string[];
  bundleSequence: number | null;
  bundleId: string | null;
  /** Chained checksum of every applied revision, as recorded when it was applied. */
  checksums: Map<string, string>;
}

export const EMPTY_STATE: AgentState = Object.freeze({
  heads: [],
  bundleSequence: null,
  bundleId: null,
  checksums: new Map<string, string>(),
});

/** Heads as one string: the single head, or several joined by ',' (null at base). */
export function revisionLabel(heads: readonly string[]): string | null {
  return heads.length === 0 ? null : heads.join(',');
}
