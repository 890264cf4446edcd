import Database from 'better-sqlite3';
import { GraphError } from '../graph/errors.js';
import { createGraph, type RevisionGraph } from '../graph/graph.js';
import { loadRevisionGraph, type LoadedRevision } from '../graph/load.js';
import type { MigrationStep } from '../plan/planner.js';
import { readSchema } from '../schema/describe.js';
import type { SchemaDescription } from '../schema/description.js';
import { runMigration } from '../execute/run-migration.js';

/** A migrations folder at the revision(s) a new revision would follow, and the schema it expects there. */
export interface HeadState {
  graph: RevisionGraph;
  /** The new revision's parents: `parentRefs` resolved, else the single head, else none. */
  parents: string[];
  /** The chain from nothing to `parents`, in canonical order. */
  steps: MigrationStep[];
  schema: SchemaDescription;
  /** Triggers' and views' SQL as written, by lower-cased name: a hand rebuild recreates them from it. */
  objectSql: Map<string, string>;
}

/**
 * Loads `dir` and builds the schema at `parents`: the chain applied in the graph's canonical order
 * through `runMigration`. A missing folder
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
  const steps = graph
    .pendingUp([], parents)
    .map((id): MigrationStep => ({ revision: id, direction: 'up', operations: byId.get(id)!.up }));
  return { graph, parents, steps, ...replay(steps) };
}

/** The schema after `steps`, applied to an empty database as `mbundle build` and devices do. */
export function schemaAfter(steps: MigrationStep[]): SchemaDescription {
  return replay(steps).schema;
}

function replay(steps: MigrationStep[]): { schema: SchemaDescription; objectSql: Map<string, string> } {
  const db = new Database(':memory:');
  try {
    if (steps.length > 0) runMigration(db, steps);
    const rows = db
      .prepare("SELECT name, sql FROM sqlite_schema WHERE type IN ('trigger', 'view') AND sql IS NOT NULL")
      .all() as { name: string; sql: string }[];
    return { schema: readSchema(db), objectSql: new Map(rows.map((r) => [r.name.toLowerCase(), r.sql])) };
  } finally {
    db.close();
  }
}
