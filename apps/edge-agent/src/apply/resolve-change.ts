import { createGraph, type Manifest, type MigrationStep, type RevisionGraph } from '@godwit/migration-bundle';
import { AgentError, usageError } from '../errors.js';
import type { AgentState } from '../state/agent-state.js';

export type Direction = 'up' | 'down';

export interface ResolvedChange {
  graph: RevisionGraph;
  fromHeads: string[];
  toHeads: string[];
  revisionIds: string[];
  steps: MigrationStep[];
}

/** The revisions to apply (or revert) to take the database from its recorded heads to `target`. */
export function resolveChange(manifest: Manifest, bundlePath: string, state: AgentState, direction: Direction, target: string): ResolvedChange {
  const graph = createGraph(manifest.revisions.map((r) => ({ id: r.id, parents: r.parents })));
  for (const head of state.heads) {
    if (!graph.has(head)) {
      throw new AgentError(
        'unknown-revision',
        `the database is at revision ${head}, which bundle ${bundlePath} does not contain; use a bundle built from the same migrations`,
      );
    }
  }
  let targetHeads: string[];
  try {
    targetHeads = graph.resolveTarget(target, state.heads);
  } catch (error) {
    throw usageError(`cannot resolve target "${target}": ${(error as Error).message}; see edge-agent history for the revisions`);
  }
  const ups = graph.pendingUp(state.heads, targetHeads);
  const downs = graph.pendingDown(state.heads, targetHeads);
  if (direction === 'up' && downs.length > 0 && ups.length === 0) {
    throw usageError(`target "${target}" is below the current revision; use edge-agent downgrade ${target}`);
  }
  if (direction === 'down' && ups.length > 0 && downs.length === 0) {
    throw usageError(`target "${target}" is above the current revision; use edge-agent upgrade ${target}`);
  }
  const revisionIds = direction === 'up' ? ups : downs;
  const byId = new Map(manifest.revisions.map((r) => [r.id, r]));
  const steps = revisionIds.map((id): MigrationStep => {
    const revision = byId.get(id)!;
    if (direction === 'up') return { revision: id, direction, operations: revision.up };
    if (revision.down === null) {
      throw new AgentError('irreversible', `revision ${id} ("${revision.message}") has no down migration, so the database cannot go below it; restore a backup instead`);
    }
    return { revision: id, direction, operations: revision.down };
  });
  const applied = appliedClosure(graph, state.heads);
  for (const id of revisionIds) {
    if (direction === 'up') applied.add(id);
    else applied.delete(id);
  }
  return { graph, fromHeads: state.heads, toHeads: graph.headsAfter(applied), revisionIds, steps };
}

/** Every revision a database at `heads` has applied. */
export function appliedClosure(graph: RevisionGraph, heads: readonly string[]): Set<string> {
  const applied = new Set<string>();
  for (const head of heads) {
    applied.add(head);
    for (const id of graph.ancestors(head)) applied.add(id);
  }
  return applied;
}
