import type { Manifest } from '../bundle/manifest.js';
import { createGraph } from '../graph/graph.js';
import { planCoalesced } from '../plan/coalesce.js';
import type { MigrationStep } from '../plan/planner.js';
import { renderScript, type ScriptPart } from '../render/script.js';
import { openPlanningDatabase } from '../sqlite/schema-clone.js';

/**
 * The SQL script that takes a database from `from` to `to` (targets as `mbundle sql` takes them):
 * the signed statements, and for an upgrade the runs of revisions the engine coalesces planned as
 * it plans them (from the schema the signed SQL of the revisions before them leaves).
 */
export function renderSql(manifest: Manifest, from: string | null, to: string): string {
  const graph = createGraph(manifest.revisions);
  const byId = new Map(manifest.revisions.map((r) => [r.id, r]));
  const current = from === null || from === 'base' ? [] : graph.resolveTarget(from, []);
  const target = graph.resolveTarget(to, current);
  const up = graph.pendingUp(current, target);
  const down = graph.pendingDown(current, target);
  const describe = (id: string) => ({ id, message: byId.get(id)!.message });
  const parts: ScriptPart[] = coalescedUp(manifest, current, up).map((run) => ({
    revisions: run.ids.map(describe),
    direction: 'up',
    statements: run.statements ?? byId.get(run.ids[0]!)!.upSql,
  }));
  for (const id of down) {
    const revision = byId.get(id)!;
    if (!revision.downSql) throw new RangeError(`revision ${id} has no down: it cannot be reverted`);
    parts.push({ revisions: [describe(id)], direction: 'down', statements: revision.downSql });
  }
  return renderScript(parts);
}

/** The up-revisions in runs as the engine coalesces them; `statements` only for a coalesced run. */
function coalescedUp(manifest: Manifest, current: string[], up: string[]): { ids: string[]; statements?: string[] }[] {
  if (up.length < 2) return up.map((id) => ({ ids: [id] }));
  const graph = createGraph(manifest.revisions);
  const applied = new Set(current.flatMap((head) => [...graph.ancestors(head), head]));
  const db = openPlanningDatabase();
  try {
    for (const revision of manifest.revisions) if (applied.has(revision.id)) db.exec(revision.upSql.join(';\n'));
    const byId = new Map(manifest.revisions.map((r) => [r.id, r]));
    const steps = up.map((id): MigrationStep => ({ revision: id, direction: 'up', operations: byId.get(id)!.up }));
    return planCoalesced(db, steps).map((plan) =>
      plan.coalesced ? { ids: plan.coalesced, statements: plan.statements.map((s) => s.sql) } : { ids: [plan.revision] },
    );
  } finally {
    db.close();
  }
}
