import type { RevisionGraph } from '../graph/graph.js';
import { planRevision } from '../plan/planner.js';
import { readSchema } from '../schema/describe.js';
import { diffSchemas, formatSchemaDiff } from '../schema/diff.js';
import { fingerprintOf } from '../schema/fingerprint.js';
import { cloneSchema, openPlanningDatabase } from '../sqlite/schema-clone.js';
import type { AuthoredRevision } from './plan-chain.js';

export interface ChainProblem {
  revision: string;
  problem: string;
}

/**
 * Proves every `down` undoes its `up`: applied to the schema before the revision, up then down
 * must come back to the same fingerprint. Revisions come in canonical order.
 */
export function checkReversibility(revisions: readonly AuthoredRevision[], graph: RevisionGraph): ChainProblem[] {
  const problems: ChainProblem[] = [];
  const linear = openPlanningDatabase();
  try {
    for (const revision of revisions) {
      const before = readSchema(linear);
      planRevision(linear, { revision: revision.id, direction: 'up', operations: revision.up });
      if (!revision.down) continue;
      const clone = cloneSchema(linear);
      try {
        planRevision(clone, { revision: revision.id, direction: 'down', operations: revision.down });
        const after = readSchema(clone);
        if (fingerprintOf(after) !== fingerprintOf(before)) {
          problems.push({
            revision: revision.id,
            problem: `down does not undo up:\n${indent(formatSchemaDiff(diffSchemas(before, after)))}`,
          });
        }
      } catch (error) {
        problems.push({ revision: revision.id, problem: `down fails: ${(error as Error).message}` });
      } finally {
        clone.close();
      }
    }
  } finally {
    linear.close();
  }
  if (graph.heads().length > 1) problems.unshift({ revision: graph.heads().join(', '), problem: 'more than one head' });
  return problems;
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((line) => `    ${line}`)
    .join('\n');
}
