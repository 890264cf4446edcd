import type { Manifest } from '../bundle/manifest.js';
import { createGraph } from '../graph/graph.js';

/**
 * The SQL script that takes a database from `from` to `to` (targets as `mbundle sql` takes them):
 * the signed statements, wrapped the way the engine runs them.
 */
export function renderSql(manifest: Manifest, from: string | null, to: string): string {
  const graph = createGraph(manifest.revisions);
  const byId = new Map(manifest.revisions.map((r) => [r.id, r]));
  const current = from === null || from === 'base' ? [] : graph.resolveTarget(from, []);
  const target = graph.resolveTarget(to, current);
  const up = graph.pendingUp(current, target);
  const down = graph.pendingDown(current, target);
  const lines = ['PRAGMA foreign_keys = OFF;', 'BEGIN IMMEDIATE;'];
  for (const id of up) {
    const revision = byId.get(id)!;
    lines.push('', `-- Revision ${id} (up): ${revision.message}`, ...revision.upSql.map(terminate));
  }
  for (const id of down) {
    const revision = byId.get(id)!;
    if (!revision.downSql) throw new RangeError(`revision ${id} has no down: it cannot be reverted`);
    lines.push('', `-- Revision ${id} (down): ${revision.message}`, ...revision.downSql.map(terminate));
  }
  lines.push('', 'PRAGMA foreign_key_check;', 'COMMIT;', 'PRAGMA foreign_keys = ON;', '');
  return lines.join('\n');
}

function terminate(sql: string): string {
  return /;\s*$/.test(sql) ? sql : `${sql};`;
}
