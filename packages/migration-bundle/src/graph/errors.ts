import { basename } from 'node:path';

export type GraphErrorCode =
  /** An id that does not match `[0-9a-z_]{4,64}`. */
  | 'bad-id'
  | 'duplicate-id'
  /** A revision lists the same parent twice. */
  | 'duplicate-parent'
  | 'missing-parent'
  | 'cycle'
  /** Several heads where one is required (build, a new revision without `--parent`). */
  | 'multiple-heads'
  | 'no-revisions'
  /** An id given as the current state (a database's revision) that the graph does not hold. */
  | 'unknown-revision'
  | 'unknown-target'
  | 'ambiguous-target'
  /** `+N` / `-N` reaches past the head or below the base. */
  | 'out-of-range'
  /** `merge` with fewer than two heads. */
  | 'nothing-to-merge'
  /** A revision file whose default export is not a valid revision, or whose `up`/`down` throws. */
  | 'invalid-revision'
  /** A revision file that cannot be imported (syntax error, missing import, ...). */
  | 'load-failed'
  | 'missing-dir';

/** A revision graph, or a revision file, that cannot be used as it is. The message says what to fix. */
export class GraphError extends Error {
  override readonly name = 'GraphError';

  constructor(
    readonly code: GraphErrorCode,
    message: string,
    /** The revision ids involved. */
    readonly ids: readonly string[] = [],
    /** The files involved, as given to the graph or loader. */
    readonly files: readonly string[] = [],
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** `id (file name)`, or just `id` when the revision came from somewhere other than a file. */
export function describeRevision(id: string, file?: string): string {
  return file ? `${id} (${basename(file)})` : id;
}
