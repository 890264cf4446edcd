import type { Operations } from '../ops/operation.js';

/** What a revision id looks like: 4 to 64 characters of lower-case letters, digits and underscores. */
export const REVISION_ID_PATTERN = /^[0-9a-z_]{4,64}$/;

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
