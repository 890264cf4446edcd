/** A statement of a plan; `copy` marks the row copy of a rebuild, which the executor may run in rowid ranges. */
export interface PlannedStatement {
  sql: string;
  copy?: { table: string; rowid: string | null };
}

export interface PlannedRevision {
  revision: string;
  direction: 'up' | 'down';
  statements: PlannedStatement[];
  /** Tables copied by a rebuild, in order. */
  rebuilt: string[];
}
