import type { StatisticsReport } from '@godwit/migration-bundle';

export type Outcome = 'applied' | 'up-to-date' | 'rolled-back' | 'refused';

export interface StepReport {
  revision: string;
  direction: 'up' | 'down';
  durationMs: number;
  rebuilt: { table: string; rowsCopied: number }[];
  /** Planner statistics carried over and analysed; null when the database has none. */
  statistics: StatisticsReport | null;
  /** Set when the revision ran coalesced with others (all their ids); the last of them reports the work. */
  coalesced?: string[];
}

/** What one upgrade or downgrade did (or would do, rehearsed): printed as text, or as `--json`. */
export interface ChangeReport {
  command: 'upgrade' | 'downgrade';
  /** Heads before and after, joined by ','; null at base. */
  from: string | null;
  to: string | null;
  /** Revision ids applied (or reverted), in order. */
  revisions: string[];
  durationMs: number;
  outcome: Outcome;
  bundle: { id: string; sequence: number } | null;
  forced: boolean;
  rollbackAllowed: boolean;
  /** The drift overridden by --force, as a readable diff; null when there was none. */
  drift: string | null;
  steps: StepReport[];
  /** How many times each table was copied by a rebuild (once per table when revisions coalesced). */
  copies: Record<string, number>;
  /** Bytes per table touched by the plan (with its indexes), before and after. */
  sizesBefore: Record<string, number>;
  sizesAfter: Record<string, number>;
  backup: string | null;
  rehearsal: boolean;
  error: { code: string; message: string } | null;
}

export function emptyReport(command: ChangeReport['command']): ChangeReport {
  return {
    command,
    from: null,
    to: null,
    revisions: [],
    durationMs: 0,
    outcome: 'refused',
    bundle: null,
    forced: false,
    rollbackAllowed: false,
    drift: null,
    steps: [],
    copies: {},
    sizesBefore: {},
    sizesAfter: {},
    backup: null,
    rehearsal: false,
    error: null,
  };
}
