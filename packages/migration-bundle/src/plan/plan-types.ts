/** A statement of a plan; the optional marks tell the executor what it does, beyond its text. */
export interface PlannedStatement {
  sql: string;
  /**
   * The row copy of a rebuild, which the executor may run in rowid ranges. `recomputed`: columns of
   * the new table whose stored values may differ from the old table's (all of them when the row
   * layout changes), so planner statistics over them cannot be carried over.
   */
  copy?: { table: string; rowid: string | null; recomputed: string[] };
  /** The last statement of a rebuild of `table`: the new table has its indexes and triggers again. */
  rebuildDone?: string;
  /** A rebuild's CREATE of the new table or DROP of the old one: the executor sizes both tables by the pages around them. */
  rebuildStep?: 'create-new' | 'drop-old';
  /** A native table rename: what is kept about the table under its old name follows it. */
  rename?: { from: string; to: string };
}

export interface PlannedRevision {
  revision: string;
  direction: 'up' | 'down';
  statements: PlannedStatement[];
  /** Tables copied by a rebuild, in order. */
  rebuilt: string[];
  /** Set when several revisions were planned as this one (`revision` is the last of them): their ids, in order. */
  coalesced?: string[];
}
