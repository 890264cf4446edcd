import Database from 'better-sqlite3';
import { replaySchema } from '../build/plan-chain.js';
import { GraphError } from '../graph/errors.js';
import { createGraph, type RevisionGraph } from '../graph/graph.js';
import { loadRevisionGraph, type LoadedRevision } from '../graph/load.js';
import type { MigrationStep } from '../plan/planner.js';
import { readSchema } from '../schema/describe.js';
import type { SchemaDescription } from '../schema/description.js';
import { runMigration } from '../sqlite/run-migration.js';

/** A migrations folder at the revision(s) a new revision would follow, and the schema it expects there. */
export interface HeadState {
  graph: RevisionGraph;
  /** The new revision's parents: `parentRefs` resolved, else the single head, else none. */
  parents: string[];
  /** The chain from nothing to `parents`, in canonical order. */
  steps: MigrationStep[];
  schema: SchemaDescription;
}

/**
 * Loads `dir` and builds the schema at `parents` the way `mbundle build` does. A missing folder
 * is an empty history: the first revision starts from nothing.
 */
export async function headState(dir: string, parentRefs?: readonly string[]): Promise<HeadState> {
  let graph: RevisionGraph;
  let revisions: LoadedRevision[];
  try {
    ({ graph, revisions } = await loadRevisionGraph(dir));
  } catch (error) {
    if (!(error instanceof GraphError && error.code === 'missing-dir')) throw error;
    graph = createGraph([]);
    revisions = [];
  }
  const parents =
    parentRefs && parentRefs.length > 0
      ? parentRefs.map((ref) => graph.resolveId(ref))
      : graph.heads().length === 0
        ? []
        : [graph.requireSingleHead()];
  const byId = new Map(revisions.map((r) => [r.id, r]));
  const chain = graph.pendingUp([], parents);
  const steps = chain.map((id): MigrationStep => ({ revision: id, direction: 'up', operations: byId.get(id)!.up }));
  // The very function `mbundle build` records each revision's expected schema with.
  return { graph, parents, steps, schema: replaySchema(chain, revisions) };
}

/**
 * Applies steps to an empty in-memory database through `runMigration`, as a device would, and
 * reads the schema back.
 */
export function schemaAfter(steps: MigrationStep[]): SchemaDescription {
  const db = new Database(':memory:');
  try {
    if (steps.length > 0) runMigration(db, steps);
    return readSchema(db);
  } finally {
    db.close();
  }
}
