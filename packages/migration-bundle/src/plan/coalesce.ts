import type { Database } from 'better-sqlite3';
import type { Operation } from '../ops/operation.js';
import { cloneSchema } from '../sqlite/schema-clone.js';
import { normalizeSql } from '../sqlite/tokenize.js';
import type { PlannedRevision } from './plan-types.js';
import { planAsOne, planRevision, type MigrationStep } from './planner.js';
import { isRebuildOperation } from './table-rebuild.js';

/**
 * Plans consecutive upgrade revisions as one where that gives exactly what applying them one by one
 * gives, so that a table rebuilt by several of them is copied once, into its final shape. A group
 * is planned as one revision (planAsOne: the planner folds every rebuild of a table into one copy,
 * and flushes it before any data statement), kept only when it makes fewer copies, and checked on
 * the schema: the merged plan must leave the very `sqlite_schema` (every object, its SQL token for
 * token, their order per table) that planning the revisions one by one leaves, or the group is
 * planned one by one.
 */
export function planCoalesced(db: Database, steps: MigrationStep[]): PlannedRevision[] {
  const clone = cloneSchema(db);
  try {
    return groupSteps(steps).flatMap((group) => (group.length === 1 ? [planRevision(clone, group[0]!)] : planGroup(clone, group)));
  } finally {
    clone.close();
  }
}

function planGroup(clone: Database, group: MigrationStep[]): PlannedRevision[] {
  const oneByOne = planOneByOne(clone, group);
  clone.exec('SAVEPOINT godwit_coalesce');
  try {
    const merged = planAsOne(clone, group);
    if (oneByOne && merged.rebuilt.length < oneByOne.copies && storedSchema(clone) === oneByOne.schema) {
      clone.exec('RELEASE godwit_coalesce');
      return [{ ...merged, coalesced: group.map((step) => step.revision) }];
    }
  } catch {
    // A merged plan the planner refuses is planned one by one, which names the failing revision.
  }
  clone.exec('ROLLBACK TO godwit_coalesce');
  clone.exec('RELEASE godwit_coalesce');
  clone.pragma('legacy_alter_table = OFF');
  return group.map((step) => planRevision(clone, step));
}

/** The copies and the stored schema of planning `steps` one by one, on a copy of `clone`. */
function planOneByOne(clone: Database, steps: MigrationStep[]): { copies: number; schema: string } | null {
  const copy = cloneSchema(clone);
  try {
    const copies = steps.reduce((sum, step) => sum + planRevision(copy, step).rebuilt.length, 0);
    return { copies, schema: storedSchema(copy) };
  } catch {
    return null;
  } finally {
    copy.close();
  }
}

/**
 * Every object with its SQL token for token, in creation order per table (the order a rebuild
 * re-creates a table's indexes and triggers in). A native ADD COLUMN and a rebuild spell the same
 * column with other whitespace, and fewer copies re-create tables in another order between them;
 * neither the fingerprint nor any later plan can see either.
 */
export function storedSchema(db: Database): string {
  const rows = db.prepare('SELECT type, name, tbl_name, sql FROM sqlite_schema ORDER BY lower(tbl_name), rowid').raw(true).all() as (string | null)[][];
  return JSON.stringify(rows.map(([type, name, table, sql]) => [type, name, table, sql === null ? null : normalizeSql(sql!)]));
}

/**
 * Per table changed through a copy by earlier revisions of a run: the columns they added or
 * altered, and whether they added a CHECK, UNIQUE or PRIMARY KEY (which a later dropped column may take along).
 */
type TableRun = { added: Set<string>; altered: Set<string>; constrained: boolean };
type RunState = Map<string, TableRun>;

const freshRun = (): TableRun => ({ added: new Set(), altered: new Set(), constrained: false });

/**
 * Splits up-revisions into runs that may be planned as one. A revision joins the run before it
 * unless, on a table that an earlier revision of the run changes through a copy, it would make the
 * copy skip something one-by-one application does to the rows:
 * - a type change or `using`: values would not pass through the intermediate column's affinity, or
 *   `using` would read the rows before the earlier revisions' changes;
 * - a dropped CHECK, UNIQUE, PRIMARY KEY, NOT NULL, a collation change or a new generation
 *   expression: rows the intermediate table refuses would go through; so would dropping a column
 *   the run added or altered, or any column once the run added a CHECK, UNIQUE or PRIMARY KEY to
 *   the table (the column may take it along);
 * - a new default on a column the run added: the added column would take the final default;
 * - dropping the table: its intermediate copy, which may fail, would be skipped.
 * A revision with a `using` that holds a subquery neither joins a run nor is joined.
 * A data statement (`execute`) ends every pending copy in the planner, so the state starts afresh
 * after it: the statement always runs against the table as one-by-one application leaves it.
 */
export function groupSteps(steps: MigrationStep[]): MigrationStep[][] {
  const groups: MigrationStep[][] = [];
  let state: RunState = new Map();
  for (const step of steps) {
    const last = groups.at(-1);
    const alone = step.direction !== 'up' || readsOtherRows(step) || (last !== undefined && readsOtherRows(last[0]!));
    const joined = !alone && last ? joinedState(state, step.operations) : null;
    if (joined && last) {
      last.push(step);
      state = joined;
    } else {
      groups.push([step]);
      state = step.direction === 'up' ? joinedState(new Map(), step.operations)! : new Map();
    }
  }
  return groups;
}

/** The run's state once `operations` join it; null when they cannot. */
function joinedState(before: RunState, operations: Operation[]): RunState | null {
  const copy = (state: RunState): RunState =>
    new Map([...state].map(([t, s]) => [t, { added: new Set(s.added), altered: new Set(s.altered), constrained: s.constrained }]));
  const earlier = copy(before);
  const mine: RunState = new Map();
  for (const op of operations) {
    if (op.kind === 'execute') {
      earlier.clear();
      mine.clear();
    } else if (op.kind === 'renameTable') {
      for (const state of [earlier, mine]) moveKey(state, op.from.toLowerCase(), op.to.toLowerCase());
    } else if (op.kind === 'dropTable') {
      if (earlier.has(op.table.toLowerCase())) return null;
      mine.delete(op.table.toLowerCase());
    } else if (op.kind === 'renameColumn') {
      for (const state of [earlier, mine]) {
        const columns = state.get(op.table.toLowerCase());
        for (const set of columns ? [columns.added, columns.altered] : []) {
          if (set.delete(op.from.toLowerCase())) set.add(op.to.toLowerCase());
        }
      }
    } else if (isRebuildOperation(op)) {
      const table = op.table.toLowerCase();
      const run = earlier.get(table);
      if (run && breaksTheRun(op, run)) return null;
      const columns = mine.get(table) ?? freshRun();
      if (op.kind === 'addColumn') columns.added.add(op.column.name.toLowerCase());
      if (op.kind === 'alterColumn') columns.altered.add(op.column.toLowerCase());
      if (op.kind === 'addCheck' || op.kind === 'addUnique' || op.kind === 'addPrimaryKey') columns.constrained = true;
      if (op.kind === 'addColumn' && op.column.primaryKey) columns.constrained = true;
      mine.set(table, columns);
    }
  }
  for (const [table, columns] of mine) {
    const run = earlier.get(table) ?? freshRun();
    for (const c of columns.added) run.added.add(c);
    for (const c of columns.altered) run.altered.add(c);
    run.constrained ||= columns.constrained;
    earlier.set(table, run);
  }
  return earlier;
}

/** A `using` with a subquery reads other tables, whose state in a merged copy could differ. */
function readsOtherRows(step: MigrationStep): boolean {
  return step.operations.some((op) => op.kind === 'alterColumn' && op.changes.using !== undefined && /\bselect\b/i.test(op.changes.using));
}

function moveKey<T>(map: Map<string, T>, from: string, to: string): void {
  const value = map.get(from);
  map.delete(from);
  if (value !== undefined) map.set(to, value);
}

function breaksTheRun(op: Operation, run: TableRun): boolean {
  if (op.kind === 'dropCheck' || op.kind === 'dropUnique' || op.kind === 'dropPrimaryKey') return true;
  if (op.kind === 'dropColumn') return run.constrained || run.added.has(op.column.toLowerCase()) || run.altered.has(op.column.toLowerCase());
  if (op.kind !== 'alterColumn') return false;
  const { type, using, notNull, collate, generated } = op.changes;
  if (type !== undefined || using !== undefined || notNull === false || collate !== undefined || generated !== undefined) return true;
  return op.changes.default !== undefined && run.added.has(op.column.toLowerCase());
}
