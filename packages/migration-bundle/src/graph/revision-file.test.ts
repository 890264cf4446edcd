import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { GraphError } from './errors.js';
import { loadRevisionGraph } from './load.js';
import { writeMergeRevision, writeRevisionFile } from './revision-file.js';

const roots: string[] = [];
afterEach(async () => {
  await Promise.all(roots.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

/**
 * A project folder whose `migrations` does not exist yet. Written files import
 * '@godwit/migration-bundle', so the project gets the package the way an installed one would look:
 * `revision()` is the identity, as the contract defines it (the real package resolves only once built).
 */
async function project(): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'godwit-revision-'));
  roots.push(root);
  const pkg = join(root, 'node_modules', '@godwit', 'migration-bundle');
  await mkdir(pkg, { recursive: true });
  await writeFile(join(pkg, 'package.json'), JSON.stringify({ name: '@godwit/migration-bundle', type: 'module', exports: './index.js' }));
  await writeFile(join(pkg, 'index.js'), 'export function revision(definition) { return definition; }\n');
  return join(root, 'migrations');
}

async function failure(promise: Promise<unknown>): Promise<GraphError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(GraphError);
  return error as GraphError;
}

describe('writeRevisionFile', () => {
  it('creates the folder and writes a TypeScript revision with a fresh id and empty up/down', async () => {
    const dir = await project();
    const file = await writeRevisionFile({ dir, message: "Create events: it's time!" });
    const id = basename(file).slice(0, 12);
    expect(id).toMatch(/^[0-9a-f]{12}$/);
    expect(file).toBe(join(dir, `${id}_create_events_it_s_time.ts`));
    const source = await readFile(file, 'utf8');
    expect(source).toContain("import { revision } from '@godwit/migration-bundle';");
    expect(source).toContain(`id: '${id}',`);
    expect(source).toContain('parent: null,');
    expect(source).toContain("message: 'Create events: it\\'s time!',");
    expect(source).toContain('up(op) {},');
    expect(source).toContain('down(op) {},');
  });

  it('twice on a fresh folder gives a chain of two that loads with one head', async () => {
    const dir = await project();
    const first = await writeRevisionFile({ dir, message: 'create events' });
    const second = await writeRevisionFile({ dir, message: 'add status' });
    const { graph, revisions } = await loadRevisionGraph(dir);
    expect(revisions.map((r) => r.file)).toEqual([first, second]);
    expect(revisions[1]!.parents).toEqual([revisions[0]!.id]);
    expect(revisions.map((r) => [r.message, r.up, r.down])).toEqual([
      ['create events', [], []],
      ['add status', [], []],
    ]);
    expect(graph.heads()).toEqual([revisions[1]!.id]);
  });

  it('takes an id and parents (ids or prefixes), and refuses several heads without parents, naming them', async () => {
    const dir = await project();
    await writeRevisionFile({ dir, message: 'base', id: 'base_0001' });
    await writeRevisionFile({ dir, message: 'left', id: 'left_0002' });
    await writeRevisionFile({ dir, message: 'right', id: 'right_0003', parents: ['base'] });
    expect((await loadRevisionGraph(dir)).graph.heads()).toEqual(['left_0002', 'right_0003']);

    const error = await failure(writeRevisionFile({ dir, message: 'more' }));
    expect(error.code).toBe('multiple-heads');
    expect(error.message).toContain('left_0002 (left_0002_left.ts)');
    expect(error.message).toContain('right_0003 (right_0003_right.ts)');
    expect(error.message).toContain('mbundle merge -m');

    const file = await writeRevisionFile({ dir, message: 'on the left', id: 'more_0004', parents: ['left'] });
    expect(await readFile(file, 'utf8')).toContain("parent: 'left_0002',");
  });

  it('refuses, before touching the disk, an empty message, a malformed id or an unknown parent; and an existing id', async () => {
    const dir = await project();
    expect((await failure(writeRevisionFile({ dir, message: '  ' }))).code).toBe('invalid-revision');
    expect((await failure(writeRevisionFile({ dir, message: 'x', id: 'Bad-Id' }))).code).toBe('bad-id');
    expect((await failure(writeRevisionFile({ dir, message: 'x', parents: ['nope_9999'] }))).code).toBe('unknown-target');
    await expect(readdir(dir)).rejects.toThrow(/ENOENT/);

    await writeRevisionFile({ dir, message: 'base', id: 'base_0001' });
    const duplicate = await failure(writeRevisionFile({ dir, message: 'again', id: 'base_0001' }));
    expect(duplicate.code).toBe('duplicate-id');
    expect(duplicate.message).toContain('base_0001_base.ts');
  });
});

describe('writeMergeRevision', () => {
  it('joins two heads into one', async () => {
    const dir = await project();
    await writeRevisionFile({ dir, message: 'base', id: 'base_0001' });
    await writeRevisionFile({ dir, message: 'left', id: 'left_0002' });
    await writeRevisionFile({ dir, message: 'right', id: 'right_0003', parents: ['base_0001'] });

    const file = await writeMergeRevision({ dir, message: 'merge heads' });
    expect(await readFile(file, 'utf8')).toContain("parent: ['left_0002', 'right_0003'],");
    const { graph, revisions } = await loadRevisionGraph(dir);
    const merge = revisions.at(-1)!;
    expect(merge.file).toBe(file);
    expect(merge.parents).toEqual(['left_0002', 'right_0003']);
    expect(graph.requireSingleHead()).toBe(merge.id);
    expect(graph.pendingUp([], [merge.id])).toEqual(['base_0001', 'left_0002', 'right_0003', merge.id]);
  });

  it('refuses with fewer than two heads', async () => {
    const dir = await project();
    await writeRevisionFile({ dir, message: 'base', id: 'base_0001' });
    const error = await failure(writeMergeRevision({ dir, message: 'merge' }));
    expect(error.code).toBe('nothing-to-merge');
    expect(error.message).toContain('base_0001');
    expect(await readdir(dir)).toHaveLength(1);
  });
});
