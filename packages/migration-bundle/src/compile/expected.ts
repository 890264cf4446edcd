import type { Manifest } from '../bundle/manifest.js';
import { createGraph } from '../graph/graph.js';
import { emptySchema } from '../schema/describe.js';
import type { SchemaDescription } from '../schema/description.js';
import { replaySchema } from './plan-chain.js';

/** The schema a database whose applied revisions end at `heads` must have. */
export function expectedSchemaFor(manifest: Manifest, heads: readonly string[]): SchemaDescription {
  if (heads.length === 0) return emptySchema();
  const byId = new Map(manifest.revisions.map((r) => [r.id, r]));
  if (heads.length === 1) {
    const revision = byId.get(heads[0]!);
    if (!revision) throw new RangeError(`revision ${heads[0]} is not in bundle ${manifest.bundleId}`);
    return revision.schema;
  }
  const graph = createGraph(manifest.revisions);
  const closure = new Set(heads.flatMap((head) => [...graph.ancestors(head), head]));
  return replaySchema([...closure], manifest.revisions);
}

/**
 * The signed SQL for moving from `currentHeads` in `direction`, when it applies: the bundle plans
 * each revision's `up` on the schema of everything before it in canonical order (and its `down`
 * on the schema just after it), so its SQL is exact for databases whose applied revisions are a
 * prefix of that order. Elsewhere (a partial branch) the engine plans from the live schema, and
 * the fingerprint checks still guard the result.
 */
export function signedSql(
  manifest: Manifest,
  currentHeads: readonly string[],
  direction: 'up' | 'down',
): ReadonlyMap<string, readonly string[]> | undefined {
  const graph = createGraph(manifest.revisions);
  const applied = new Set(currentHeads.flatMap((head) => [...graph.ancestors(head), head]));
  const order = graph.order();
  if (!order.slice(0, applied.size).every((id) => applied.has(id))) return undefined;
  const statements = new Map<string, readonly string[]>();
  for (const revision of manifest.revisions) {
    const sql = direction === 'up' ? revision.upSql : revision.downSql;
    if (sql) statements.set(revision.id, sql);
  }
  return statements;
}
