import type { Operations } from '../ops/operation.js';

/** What a revision file exports by default. */
export interface RevisionDefinition {
  id: string;
  parent: string | string[] | null;
  message: string;
  up(op: Operations): void;
  down?(op: Operations): void;
}

/** Types a revision file's default export; adds nothing at run time. */
export function revision(definition: RevisionDefinition): RevisionDefinition {
  return definition;
}
