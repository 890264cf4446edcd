import type { Manifest, RevisionRunReport, StatisticsReport } from '@godwit/migration-bundle';
import type { AgentError } from '../errors.js';
import { revisionLabel, type AgentState } from '../state/agent-state.js';
import type { Execution } from './execute-change.js';
import type { PreparedChange } from './prepare-change.js';

export type Outcome = 'applied' | 'up-to-date' | 'rolled-back' | 'refused';

export interface StepReport {
  revision: string;
  direction: 'up' | 'down';
  durationMs: number;
  /** Each rebuild: rows copied, and bytes of the table with its indexes before and right after it. */
  rebuilt: RevisionRunReport['rebuilt'];
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
  /**
   * Bytes of each table a rebuild copied, with its indexes: before, and after (once the change
   * committed), as counted by the rebuilds themselves.
   */
  sizesBefore: Record<string, number>;
  sizesAfter: Record<string, number>;
  backup: string | null;
  rehearsal: boolean;
  error: { code: string; message: string } | null;
}

/** What the steps of a change returned, as far as it got: a report is assembled from these alone. */
export interface ReportInputs {
  command: ChangeReport['command'];
  /** Null when the bundle is not known (refused on the command line). */
  bundle: Manifest | null;
  forced: boolean;
  rollbackAllowed: boolean;
  durationMs: number;
  /** The bookkeeping read from the database; absent when it could not be read. */
  state?: AgentState;
  /** Absent when the read-only checks refused. */
  prepared?: PreparedChange;
  backup?: string | null;
  /** What ran (or, for a preview, what would). */
  execution?: Omit<Execution, 'error'>;
  error: AgentError | null;
}

export function assembleReport(inputs: ReportInputs): ChangeReport {
  const { execution, prepared, error } = inputs;
  const from = inputs.state ? revisionLabel(inputs.state.heads) : null;
  const nothingToDo = prepared !== undefined && prepared.change.revisionIds.length === 0;
  return {
    command: inputs.command,
    from,
    to: execution ? revisionLabel(execution.heads) : from,
    revisions: execution?.revisions ?? [],
    durationMs: inputs.durationMs,
    outcome: execution?.outcome ?? (nothingToDo && !error ? 'up-to-date' : 'refused'),
    bundle: inputs.bundle && { id: inputs.bundle.bundleId, sequence: inputs.bundle.sequence },
    forced: inputs.forced,
    rollbackAllowed: inputs.rollbackAllowed,
    drift: prepared?.schema.diff ?? null,
    steps: execution?.steps ?? [],
    copies: execution?.copies ?? {},
    sizesBefore: execution?.sizesBefore ?? {},
    sizesAfter: execution?.sizesAfter ?? {},
    backup: inputs.backup ?? null,
    rehearsal: false,
    error: error && { code: error.code, message: error.message },
  };
}
