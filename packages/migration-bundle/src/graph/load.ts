import { readdir, stat } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import type { Operation, Operations } from '../ops/operation.js';
import { OperationError, recordOperations } from '../ops/recorder.js';
import { checkDefinition } from './definition.js';
import { GraphError } from './errors.js';
import { createGraph, type RevisionGraph } from './graph.js';
import { importDefault } from './import-module.js';

/** A revision file, loaded: its `up` and `down` already recorded as plain operations. */
export interface LoadedRevision {
  id: string;
  parents: string[];
  message: string;
  up: Operation[];
  /** `null` when the file has no `down`: downgrading past it is refused. */
  down: Operation[] | null;
  /** Absolute path of the file. */
  file: string;
}

const REVISION_FILE = /\.(ts|mts|js|mjs)$/;
const DECLARATION_FILE = /\.d\.m?ts$/;

/**
 * Loads every revision file of `dir` (not its subfolders), in file-name order, running each `up`
 * and `down` once through the recorder. The graph is not checked here: see `createGraph`.
 */
export async function loadRevisions(dir: string): Promise<LoadedRevision[]> {
  const revisions: LoadedRevision[] = [];
  for (const file of await revisionFiles(dir)) {
    let exported: unknown;
    try {
      exported = await importDefault(file);
    } catch (error) {
      throw new GraphError('load-failed', `${basename(file)}: cannot load: ${firstLine(error)}`, [], [file], { cause: error });
    }
    const definition = checkDefinition(exported, file);
    const record = (fn: (op: Operations) => void, direction: 'up' | 'down') => {
      try {
        return recordOperations(fn, { revision: definition.id, file: basename(file), direction });
      } catch (error) {
        if (error instanceof OperationError) throw error;
        throw new GraphError(
          'invalid-revision',
          `${basename(file)} (revision ${definition.id}): ${direction} failed: ${firstLine(error)}`,
          [definition.id],
          [file],
          { cause: error },
        );
      }
    };
    revisions.push({
      id: definition.id,
      parents: definition.parents,
      message: definition.message,
      up: record(definition.up, 'up'),
      down: definition.down ? record(definition.down, 'down') : null,
      file,
    });
  }
  return revisions;
}

/** Loads a folder and checks its graph; `revisions` come in canonical order. */
export async function loadRevisionGraph(dir: string): Promise<{ graph: RevisionGraph; revisions: LoadedRevision[] }> {
  const loaded = await loadRevisions(dir);
  const graph = createGraph(loaded);
  const byId = new Map(loaded.map((revision) => [revision.id, revision]));
  return { graph, revisions: graph.order().map((id) => byId.get(id)!) };
}

async function revisionFiles(dir: string): Promise<string[]> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new GraphError('missing-dir', `migrations folder ${dir} does not exist (mbundle revision -m "..." creates it)`, [], [dir]);
    }
    throw error;
  }
  const files: string[] = [];
  for (const entry of entries) {
    if (!REVISION_FILE.test(entry.name) || DECLARATION_FILE.test(entry.name)) continue;
    const path = join(resolve(dir), entry.name);
    if (entry.isFile() || (entry.isSymbolicLink() && (await stat(path)).isFile())) files.push(path);
  }
  return files.sort();
}

function firstLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.split('\n', 1)[0] ?? text;
}
