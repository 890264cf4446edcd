import { mkdir, mkdtemp, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { OperationError } from '../ops/recorder.js';
import { GraphError } from './errors.js';
import { loadRevisionGraph, loadRevisions } from './load.js';

const folders: string[] = [];
afterEach(async () => {
  await Promise.all(folders.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

/** A real migrations folder holding `files` (relative path → content). */
async function folder(files: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'godwit-load-'));
  folders.push(dir);
  for (const [name, content] of Object.entries(files)) {
    await mkdir(join(dir, name, '..'), { recursive: true });
    await writeFile(join(dir, name), content);
  }
  return dir;
}

async function rejection(promise: Promise<unknown>): Promise<Error> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(Error);
  return error as Error;
}

const jsBase = `export default {
  id: 'base0001',
  parent: null,
  message: 'create devices',
  up(op) { op.createTable('devices', [{ name: 'id', type: 'INTEGER', primaryKey: true }]); },
  down(op) { op.dropTable('devices'); },
};
`;
const mjsChild = `export default {
  id: 'mjs00002',
  parent: 'base0001',
  message: 'add label',
  up(op) { op.addColumn('devices', 'label', 'TEXT', { default: "''" }); },
};
`;
const tsChild = `import type { Operations } from './not-there.js';
const table: string = 'devices';
export default {
  id: 'ts000003',
  parent: ['mjs00002'] as string[],
  message: 'index labels',
  up(op: Operations): void { op.createIndex('devices_label', table, ['label']); },
  down(op: Operations): void { op.dropIndex('devices_label'); },
};
`;
const mtsChild = `const unique: boolean = true;
export default {
  id: 'mts00004',
  parent: 'ts000003',
  message: 'unique serial',
  up(op: { addColumn(...args: unknown[]): void }) { op.addColumn('devices', 'serial', 'TEXT', { unique }); },
};
`;

describe('loadRevisions', () => {
  it('loads .js, .mjs, .ts and .mts files exporting a plain object, recording up and down as data', async () => {
    const dir = await folder({
      'd_base.js': jsBase,
      'c_label.mjs': mjsChild,
      'b_index.ts': tsChild,
      'a_serial.mts': mtsChild,
      'types.d.ts': 'export declare const x: number;',
      'README.md': '# not a revision',
      'data.json': '{}',
      'nested/e_ignored.js': 'throw new Error("subfolders are not loaded")',
    });
    const revisions = await loadRevisions(dir);
    expect(revisions.map((r) => r.id)).toEqual(['mts00004', 'ts000003', 'mjs00002', 'base0001']);
    expect(revisions[3]).toEqual({
      id: 'base0001',
      parents: [],
      message: 'create devices',
      up: [{ kind: 'createTable', table: 'devices', columns: [{ name: 'id', type: 'INTEGER', primaryKey: true }], options: {} }],
      down: [{ kind: 'dropTable', table: 'devices' }],
      file: join(dir, 'd_base.js'),
    });
    expect(revisions[2]).toMatchObject({ parents: ['base0001'], down: null });
    expect(revisions[1]).toMatchObject({
      parents: ['mjs00002'],
      up: [{ kind: 'createIndex', name: 'devices_label', table: 'devices', columns: ['label'], unique: false }],
    });
    expect(revisions[0]!.up).toEqual([{ kind: 'addColumn', table: 'devices', column: { name: 'serial', type: 'TEXT', unique: true } }]);
  });

  it('loads TypeScript files the same inside a "type": "module" package', async () => {
    const dir = await folder({ 'package.json': '{ "type": "module" }', 'b_index.ts': tsChild.replace("['mjs00002']", 'null') });
    expect((await loadRevisions(dir)).map((r) => [r.id, r.parents])).toEqual([['ts000003', []]]);
  });

  it('sees a file edited after it was first loaded', async () => {
    const dir = await folder({ 'a.mjs': jsBase });
    await loadRevisions(dir);
    await writeFile(join(dir, 'a.mjs'), jsBase.replace('create devices', 'create the devices table'));
    await utimes(join(dir, 'a.mjs'), new Date(), new Date(Date.now() + 5000));
    expect((await loadRevisions(dir))[0]!.message).toBe('create the devices table');
  });

  it('refuses a missing folder', async () => {
    const error = await rejection(loadRevisions(join(tmpdir(), 'godwit-no-such-folder')));
    expect((error as GraphError).code).toBe('missing-dir');
  });

  const invalid: [string, string, string][] = [
    ['export default 42;', 'invalid-revision', 'default export must be a revision'],
    ["export default { id: 'AB', parent: null, message: 'm', up() {} };", 'invalid-revision', '"AB" is malformed'],
    ["export default { id: 'abcd', parent: 7, message: 'm', up() {} };", 'invalid-revision', 'parent must be null'],
    ["export default { id: 'abcd', parent: [], message: 'm', up() {} };", 'invalid-revision', 'parent must be null'],
    ["export default { id: 'abcd', parent: ['Bad!'], message: 'm', up() {} };", 'invalid-revision', 'parent "Bad!" is not a revision id'],
    ["export default { id: 'abcd', parent: null, up() {} };", 'invalid-revision', 'message must be a string'],
    ["export default { id: 'abcd', parent: null, message: 'm' };", 'invalid-revision', 'up must be a function'],
    ["export default { id: 'abcd', parent: null, message: 'm', up() {}, down: 'no' };", 'invalid-revision', 'down must be a function'],
    ["export default { id: 'abcd', parent: null, message: 'm', up() {}, donw() {} };", 'invalid-revision', 'unknown key(s) donw'],
    ["export default { id: 'abcd', parent: null, message: 'm', up() { throw new Error('boom'); } };", 'invalid-revision', 'up failed: boom'],
    ["export default { id: 'abcd', parent: null, message: 'm', up() {}, down(op) { op.nope('x'); } };", 'invalid-revision', 'down failed'],
    ['export default {', 'load-failed', 'cannot load'],
    ["import { x } from './missing.js'; export default x;", 'load-failed', 'cannot load'],
  ];
  it.each(invalid)('refuses %s with %s, naming the file', async (source, code, text) => {
    const dir = await folder({ 'abcd_broken.mjs': source });
    const error = await rejection(loadRevisions(dir));
    expect(error).toBeInstanceOf(GraphError);
    expect((error as GraphError).code).toBe(code);
    expect((error as GraphError).files).toEqual([join(dir, 'abcd_broken.mjs')]);
    expect(error.message).toContain('abcd_broken.mjs');
    expect(error.message).toContain(text);
  });

  it('names the file and id of an invalid revision once the id is known', async () => {
    const dir = await folder({ 'x.js': "export default { id: 'abcd', parent: null, message: 'm', up: 'no' };" });
    const error = (await rejection(loadRevisions(dir))) as GraphError;
    expect(error.ids).toEqual(['abcd']);
    expect(error.message).toContain('x.js (revision abcd)');
  });

  it('refuses an operation typo, naming file, revision, direction, operation and key', async () => {
    const dir = await folder({
      'typo.ts': `export default {
  id: 'typo0001', parent: null, message: 'typo',
  up(op: any) { op.addColumn('devices', 'status', 'TEXT', { notnull: true }); },
};`,
    });
    const error = await rejection(loadRevisions(dir));
    expect(error).toBeInstanceOf(OperationError);
    expect(error.message).toContain('revision typo0001 (typo.ts) up: op.addColumn');
    expect(error.message).toContain('"notnull"');
  });

  it('refuses transaction control in execute at load time', async () => {
    const dir = await folder({
      'tx.js': "export default { id: 'tx000001', parent: null, message: 'tx', up(op) { op.execute('COMMIT; PRAGMA foreign_keys = ON'); } };",
    });
    const error = await rejection(loadRevisions(dir));
    expect((error as OperationError).code).toBe('transaction-control');
    expect(error.message).toContain('tx000001');
  });
});

describe('loadRevisionGraph', () => {
  it('returns the revisions in canonical order, and graph errors name the files', async () => {
    const dir = await folder({ 'd_base.js': jsBase, 'c_label.mjs': mjsChild, 'b_index.ts': tsChild, 'a_serial.mts': mtsChild });
    const { graph, revisions } = await loadRevisionGraph(dir);
    expect(revisions.map((r) => r.id)).toEqual(['base0001', 'mjs00002', 'ts000003', 'mts00004']);
    expect(graph.requireSingleHead()).toBe('mts00004');

    const duplicate = await folder({ 'one.js': jsBase, 'two.mjs': jsBase });
    const error = (await rejection(loadRevisionGraph(duplicate))) as GraphError;
    expect(error.code).toBe('duplicate-id');
    expect(error.message).toContain('one.js');
    expect(error.message).toContain('two.mjs');

    const orphan = await folder({ 'c_label.mjs': mjsChild });
    const missing = (await rejection(loadRevisionGraph(orphan))) as GraphError;
    expect(missing.code).toBe('missing-parent');
    expect(missing.message).toContain('mjs00002 (c_label.mjs)');
    expect(missing.message).toContain('base0001');
  });
});
