import type { Database as DatabaseType } from 'better-sqlite3';
import type { ManifestRevision } from '../bundle/manifest.js';
import type { RevisionGraph } from '../graph/graph.js';
import type { Operation } from '../ops/operation.js';
import { planRevision } from '../plan/planner.js';
import { readSchema } from '../schema/describe.js';
import type { SchemaDescription } from '../schema/description.js';
import { fingerprintOf } from '../schema/fingerprint.js';
import { cloneSchema, openPlanningDatabase } from '../sqlite/schema-clone.js';

/** A revision as authored: what the build plans. */
export interface AuthoredRevision {
  id: string;
  parents: string[];
  message: string;
  up: Operation[];
  down: Operation[] | null;
}

export type PlannedManifestRevision = Omit<ManifestRevision, 'checksum'>;

/**
 * Plans every revision in canonical order on an in-memory schema, recording its SQL and the
 * schema expected once it and its ancestors are applied. `revisions` must be in `graph.order()`.
 */
export function planChain(revisions: readonly AuthoredRevision[], graph: RevisionGraph): PlannedManifestRevision[] {
  const linear = openPlanningDatabase();
  try {
    return revisions.map((revision, index) => {
      const upSql = sqlOf(planRevision(linear, { revision: revision.id, direction: 'up', operations: revision.up }));
      const downSql = revision.down ? planDown(linear, revision.id, revision.down) : null;
      const closure = graph.ancestors(revision.id).length + 1;
      // In canonical order a revision's ancestors all come before it, so when the prefix holds
      // exactly as many revisions as the closure, the prefix is the closure.
      const schema =
        closure === index + 1 ? readSchema(linear) : replaySchema([...graph.ancestors(revision.id), revision.id], revisions);
      return {
        id: revision.id,
        parents: [...revision.parents],
        message: revision.message,
        up: revision.up,
        down: revision.down,
        upSql,
        downSql,
        fingerprint: fingerprintOf(schema),
        schema,
      };
    });
  } finally {
    linear.close();
  }
}

function sqlOf(plan: { statements: { sql: string }[] }): string[] {
  return plan.statements.map((s) => s.sql);
}

function planDown(after: DatabaseType, id: string, down: Operation[]): string[] {
  const clone = cloneSchema(after);
  try {
    return sqlOf(planRevision(clone, { revision: id, direction: 'down', operations: down }));
  } finally {
    clone.close();
  }
}

/** The schema after applying exactly `ids` (in canonical order) to an empty database. */
export function replaySchema(ids: readonly string[], revisions: readonly AuthoredRevision[]): SchemaDescription {
  const wanted = new Set(ids);
  const db = openPlanningDatabase();
  try {
    for (const revision of revisions) {
      if (wanted.has(revision.id)) planRevision(db, { revision: revision.id, direction: 'up', operations: revision.up });
    }
    return readSchema(db);
  } finally {
    db.close();
  }
}
