import { randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { describeRevision, GraphError } from './errors.js';
import { createGraph, type RevisionGraph } from './graph.js';
import { loadRevisionGraph } from './load.js';
import { REVISION_ID_PATTERN } from './revision.js';

export interface NewRevisionOptions {
  /** The migrations folder; created when missing. */
  dir: string;
  message: string;
  /** Defaults to 12 random hex characters. */
  id?: string;
  /** Ids or unique prefixes; defaults to the folder's head (none for the first revision). */
  parents?: string[];
}

/**
 * Writes a new TypeScript revision file, `<id>_<slug>.ts`, with empty `up` and `down`, and returns
 * its absolute path. Refuses, naming them, when the folder has several heads and no `parents` are given.
 */
export async function writeRevisionFile(options: NewRevisionOptions): Promise<string> {
  checkRequest(options.message, options.id);
  const dir = resolve(options.dir);
  const graph = await loadGraphOrEmpty(dir);
  const parents = options.parents
    ? options.parents.map((ref) => graph.resolveId(ref))
    : graph.heads().length === 0
      ? []
      : [graph.requireSingleHead()];
  return writeRevision(dir, graph, options.message, options.id, parents);
}

/** Writes the merge revision whose parents are all current heads of `dir`; refuses with fewer than two. */
export async function writeMergeRevision(options: { dir: string; message: string; id?: string }): Promise<string> {
  checkRequest(options.message, options.id);
  const dir = resolve(options.dir);
  const { graph } = await loadRevisionGraph(dir);
  const heads = graph.heads();
  if (heads.length < 2) {
    throw new GraphError(
      'nothing-to-merge',
      heads.length === 0 ? `${dir} has no revisions to merge` : `${dir} has one head (${heads[0]}): nothing to merge`,
      heads,
    );
  }
  return writeRevision(dir, graph, options.message, options.id, heads);
}

async function writeRevision(
  dir: string,
  graph: RevisionGraph,
  message: string,
  requestedId: string | undefined,
  parents: string[],
): Promise<string> {
  if (new Set(parents).size !== parents.length) {
    throw new GraphError('duplicate-parent', `parent ${parents.find((p, i) => parents.indexOf(p) !== i)} is given twice`, parents);
  }
  const id = requestedId ?? freshRevisionId((taken) => graph.has(taken));
  if (graph.has(id)) {
    const existing = graph.node(id).file;
    throw new GraphError('duplicate-id', `revision id ${describeRevision(id, existing)} already exists`, [id], existing ? [existing] : []);
  }
  return writeRevisionSource(dir, id, message, revisionSource(id, parents, message));
}

/** Writes `<id>_<slug>.ts` into `dir` (created when missing) and returns its path. */
export async function writeRevisionSource(dir: string, id: string, message: string, source: string): Promise<string> {
  const slug = slugOf(message);
  const file = join(dir, slug ? `${id}_${slug}.ts` : `${id}.ts`);
  await mkdir(dir, { recursive: true });
  // 'wx': never overwrite a file someone already wrote.
  await writeFile(file, source, { flag: 'wx' });
  return file;
}

/** 12 random hex characters that `taken` does not know. */
export function freshRevisionId(taken: (id: string) => boolean): string {
  let id: string;
  do id = randomBytes(6).toString('hex');
  while (taken(id));
  return id;
}

/** A folder that does not exist yet is an empty graph: the first revision creates it. */
async function loadGraphOrEmpty(dir: string): Promise<RevisionGraph> {
  try {
    return (await loadRevisionGraph(dir)).graph;
  } catch (error) {
    if (error instanceof GraphError && error.code === 'missing-dir') return createGraph([]);
    throw error;
  }
}

/** Checked before anything touches the disk. */
function checkRequest(message: string, id: string | undefined): void {
  if (message.trim() === '') throw new GraphError('invalid-revision', 'a revision needs a message saying what it does');
  if (id !== undefined && !REVISION_ID_PATTERN.test(id)) {
    throw new GraphError('bad-id', `revision id ${JSON.stringify(id)} is malformed: an id is 4 to 64 characters of [0-9a-z_]`, [id]);
  }
}

function slugOf(message: string): string {
  return message
    .normalize('NFKD')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .slice(0, 40)
    .replace(/^_+|_+$/g, '');
}

function revisionSource(id: string, parents: string[], message: string): string {
  const parent = parents.length === 0 ? 'null' : parents.length === 1 ? tsString(parents[0]!) : `[${parents.map(tsString).join(', ')}]`;
  return `import { revision } from '@godwit/migration-bundle';

// up and down run once, when the bundle is built: each op.* call is recorded as data (see DESIGN.md).
// Without down, downgrading past this revision is refused.
export default revision({
  id: ${tsString(id)},
  parent: ${parent},
  message: ${tsString(message)},
  up(op) {},
  down(op) {},
});
`;
}

/** A single-quoted TypeScript string literal. */
function tsString(text: string): string {
  const escaped = JSON.stringify(text).slice(1, -1).replace(/\\"/g, '"').replace(/'/g, "\\'");
  return `'${escaped}'`;
}
