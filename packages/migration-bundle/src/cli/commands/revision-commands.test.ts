import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runMbundle } from '../test-run-mbundle.js';

const roots: string[] = [];
afterEach(async () => {
  await Promise.all(roots.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

/**
 * A project folder with no migrations yet. Written revision files import '@godwit/migration-bundle',
 * so the project gets the package as an installed one looks: `revision()` is the identity, as the
 * contract defines it (the workspace package resolves only once built).
 */
async function project(): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'godwit-cli-'));
  roots.push(root);
  const pkg = join(root, 'node_modules', '@godwit', 'migration-bundle');
  await mkdir(pkg, { recursive: true });
  await writeFile(join(pkg, 'package.json'), JSON.stringify({ name: '@godwit/migration-bundle', type: 'module', exports: './index.js' }));
  await writeFile(join(pkg, 'index.js'), 'export function revision(definition) { return definition; }\n');
  return root;
}

const mbundle = (cwd: string, ...argv: string[]) => runMbundle(cwd, argv);

const idOf = (path: string) => basename(path.trim()).split('_')[0]!;

describe('mbundle revision / merge / heads / history', () => {
  it('writes a chain, branches, refuses several heads, merges them, and shows it all', async () => {
    const root = await project();

    const first = await mbundle(root, 'revision', '-m', 'create events');
    expect(first.code).toBe(0);
    expect(first.stdout.trim().startsWith(join(root, 'migrations'))).toBe(true);
    expect(existsSync(first.stdout.trim())).toBe(true);
    const second = await mbundle(root, 'revision', '-m', 'add status');
    expect(second.code).toBe(0);
    const [a, b] = [idOf(first.stdout), idOf(second.stdout)];

    expect((await mbundle(root, 'heads')).stdout).toBe(`${b} (head) add status\n`);

    const branch = await mbundle(root, 'revision', '-m', 'side branch', '--dir', 'migrations', '--id', 'side_0001', '--parent', a.slice(0, 6));
    expect(branch.code).toBe(0);
    const heads = JSON.parse((await mbundle(root, 'heads', '--json')).stdout) as { id: string; parents: string[] }[];
    expect(heads.map((h) => h.id).sort()).toEqual([b, 'side_0001'].sort());
    expect(heads.every((h) => h.parents[0] === a)).toBe(true);

    const refused = await mbundle(root, 'revision', '-m', 'one more');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(b);
    expect(refused.stderr).toContain('side_0001');
    expect(refused.stderr).toContain('mbundle merge -m');

    const merge = await mbundle(root, 'merge', '-m', 'merge heads', '--id', 'merge_0001');
    expect(merge.code).toBe(0);
    expect(merge.stdout.trim()).toBe(join(root, 'migrations', 'merge_0001_merge_heads.ts'));
    expect((await mbundle(root, 'heads')).stdout).toBe('merge_0001 (head) merge heads\n');

    const history = (await mbundle(root, 'history')).stdout.trim().split('\n');
    expect(history).toHaveLength(4);
    expect(history[0]).toMatch(/^(\w+), (\w+) -> merge_0001 \(head\) \(mergepoint\), merge heads$/);
    expect(history[3]).toBe(`<base> -> ${a} (branchpoint), create events`);

    const json = JSON.parse((await mbundle(root, 'history', '--json')).stdout) as Record<string, unknown>[];
    expect(json[0]).toMatchObject({ id: 'merge_0001', head: true, merge: true, base: false, branchpoint: false });
    expect(json[3]).toMatchObject({ id: a, parents: [], head: false, merge: false, base: true, branchpoint: true });
  });

  it('refuses a merge with a single head (exit 1) and misuse (exit 2)', async () => {
    const root = await project();
    expect((await mbundle(root, 'revision', '-m', 'base')).code).toBe(0);
    const single = await mbundle(root, 'merge', '-m', 'nothing');
    expect(single.code).toBe(1);
    expect(single.stderr).toContain('nothing to merge');

    for (const argv of [
      ['revision'],
      ['revision', '-m', '  '],
      ['revision', '-m', 'x', '--schema', 'schema.ts'],
      ['revision', '-m', 'x', '--rename', 'a=b'],
      ['revision', '-m', 'x', '--id', 'Not-An-Id'],
      ['merge'],
      ['heads', 'extra'],
      ['history', '--verbose'],
    ]) {
      const result = await mbundle(root, ...argv);
      expect(result.code, argv.join(' ')).toBe(2);
    }
  });

  it('reports a missing migrations folder and an empty one', async () => {
    const root = await project();
    const missing = await mbundle(root, 'heads', '--dir', 'nowhere');
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain(join(root, 'nowhere'));
    await mkdir(join(root, 'migrations'));
    expect(await mbundle(root, 'history', '--json')).toEqual({ code: 0, stdout: '[]\n', stderr: '' });
  });
});
