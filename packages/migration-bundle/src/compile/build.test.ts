import Database from 'better-sqlite3';
import { mkdtemp, readFile, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { decodeBundleUnverified } from '../bundle/verify.js';
import { runMbundle } from '../cli/test-run-mbundle.js';
import { fingerprintDatabase } from '../schema/fingerprint.js';
import { runMigration } from '../execute/run-migration.js';
import { expectedSchemaFor, signedSql } from './expected.js';
import { renderSql } from './range-script.js';

const roots: string[] = [];
afterEach(async () => {
  await Promise.all(roots.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

async function folder(): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'godwit-build-'));
  roots.push(root);
  await mkdir(join(root, 'migrations'));
  // Files written by `mbundle revision`/`merge` import the package; `revision()` is the identity.
  const pkg = join(root, 'node_modules', '@godwit', 'migration-bundle');
  await mkdir(pkg, { recursive: true });
  await writeFile(join(pkg, 'package.json'), JSON.stringify({ name: '@godwit/migration-bundle', type: 'module', exports: './index.js' }));
  await writeFile(join(pkg, 'index.js'), 'export function revision(definition) { return definition; }\n');
  return root;
}

const mbundle = (cwd: string, ...argv: string[]) => runMbundle(cwd, argv);

/** A plain-object revision file, as the contract allows: no import needed. */
async function writeRevision(root: string, id: string, parent: string | string[] | null, up: string, down?: string) {
  const body = `export default {
  id: ${JSON.stringify(id)},
  parent: ${JSON.stringify(parent)},
  message: ${JSON.stringify(`revision ${id}`)},
  up(op) { ${up} },
  ${down === undefined ? '' : `down(op) { ${down} },`}
};
`;
  await writeFile(join(root, 'migrations', `${id}.mjs`), body);
}

const CREATE = `op.createTable('account', [
    { name: 'id', type: 'INTEGER', primaryKey: true },
    { name: 'email', type: 'TEXT', notNull: true, unique: true },
  ]);
  op.createTable('session', [
    { name: 'id', type: 'INTEGER', primaryKey: true },
    { name: 'account_id', type: 'INTEGER', notNull: true, references: { table: 'account', column: 'id', onDelete: 'CASCADE' } },
  ]);
  op.createIndex('session_account', 'session', ['account_id']);`;

describe('mbundle build', () => {
  it('builds a chain whose signed SQL is exactly what the executor runs, and mbundle sql prints it', async () => {
    const root = await folder();
    await writeRevision(root, 'base01', null, CREATE, `op.dropTable('session'); op.dropTable('account');`);
    await writeRevision(
      root,
      'next02',
      'base01',
      `op.addColumn('account', 'plan', 'TEXT', { notNull: true, default: "'free'" });
       op.alterColumn('account', 'email', { collate: 'NOCASE' });`,
      `op.alterColumn('account', 'email', { collate: 'BINARY' }); op.dropColumn('account', 'plan');`,
    );
    expect((await mbundle(root, 'keygen', '--out', 'release')).code).toBe(0);
    const built = await mbundle(root, 'build', '--dir', 'migrations', '--key', 'release.key', '--out', 'app.bundle');
    expect(built.stderr).toBe('');
    expect(built.code).toBe(0);

    const { manifest } = decodeBundleUnverified(new Uint8Array(await readFile(join(root, 'app.bundle'))));
    expect(manifest.revisions.map((r) => r.id)).toEqual(['base01', 'next02']);

    const db = new Database(join(root, 'device.db'));
    db.exec('CREATE TABLE seed_only_to_prove_nothing_else_moves (x)');
    db.exec('DROP TABLE seed_only_to_prove_nothing_else_moves');
    const steps = manifest.revisions.map((r) => ({ revision: r.id, direction: 'up' as const, operations: r.up }));
    // expectedSql makes the executor refuse any plan that differs from the signed statements.
    runMigration(db, steps, { expectedSql: signedSql(manifest, [], 'up')! });
    expect(fingerprintDatabase(db)).toBe(manifest.revisions[1]!.fingerprint);
    db.close();

    const sql = await mbundle(root, 'sql', 'app.bundle');
    expect(sql.code).toBe(0);
    expect(sql.stdout).toBe(renderSql(manifest, null, 'head'));
    for (const statement of manifest.revisions.flatMap((r) => r.upSql)) expect(sql.stdout).toContain(statement);

    // The rendered script, run by the sqlite3 shell's engine (here: exec), gives the same schema.
    const scripted = new Database(':memory:');
    scripted.exec(sql.stdout);
    expect(fingerprintDatabase(scripted)).toBe(manifest.revisions[1]!.fingerprint);
  });

  it('refuses a graph with two heads naming both, and builds once merged', async () => {
    const root = await folder();
    await writeRevision(root, 'base01', null, CREATE);
    await writeRevision(root, 'left02', 'base01', `op.addColumn('account', 'nick', 'TEXT');`);
    await writeRevision(root, 'right03', 'base01', `op.addColumn('session', 'agent', 'TEXT');`);
    await mbundle(root, 'keygen', '--out', 'k');
    const refused = await mbundle(root, 'build', '--key', 'k.key', '--out', 'b.bundle');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('left02');
    expect(refused.stderr).toContain('right03');

    const merged = await mbundle(root, 'merge', '-m', 'join branches');
    expect(merged.code).toBe(0);
    const built = await mbundle(root, 'build', '--key', 'k.key', '--out', 'b.bundle', '--json');
    expect(built.stderr).toBe('');
    expect(built.code).toBe(0);
    const summary = JSON.parse(built.stdout);
    expect(summary.revisions).toHaveLength(4);
    expect(summary.heads).toHaveLength(1);

    const { manifest } = decodeBundleUnverified(new Uint8Array(await readFile(join(root, 'b.bundle'))));
    // Each branch revision's expected schema holds only its own ancestors' changes.
    const right = manifest.revisions.find((r) => r.id === 'right03')!;
    const account = right.schema.tables.find((t) => t.name === 'account')!;
    expect(account.columns.map((c) => c.name)).toEqual(['id', 'email']);
    expect(expectedSchemaFor(manifest, ['left02', 'right03'])).toEqual(manifest.revisions.at(-1)!.schema);
  });

  it('mbundle revision -m twice on a fresh folder gives a chain of two that builds', async () => {
    const root = await folder();
    await rm(join(root, 'migrations'), { recursive: true });
    expect((await mbundle(root, 'revision', '-m', 'first')).code).toBe(0);
    expect((await mbundle(root, 'revision', '-m', 'second')).code).toBe(0);
    await mbundle(root, 'keygen', '--out', 'k');
    const built = await mbundle(root, 'build', '--key', 'k.key', '--out', 'b.bundle', '--json');
    expect(built.stderr).toBe('');
    const { manifest } = decodeBundleUnverified(new Uint8Array(await readFile(join(root, 'b.bundle'))));
    expect(manifest.revisions).toHaveLength(2);
    expect(manifest.revisions[1]!.parents).toEqual([manifest.revisions[0]!.id]);
  });

  it('mbundle check names a revision whose down does not undo its up', async () => {
    const root = await folder();
    await writeRevision(root, 'base01', null, CREATE, `op.dropTable('session'); op.dropTable('account');`);
    await writeRevision(root, 'next02', 'base01', `op.addColumn('account', 'nick', 'TEXT');`, `op.addColumn('account', 'other', 'TEXT');`);
    const failed = await mbundle(root, 'check');
    expect(failed.code).toBe(1);
    expect(failed.stdout).toContain('next02');
    expect(failed.stdout).toContain('account.other');

    await writeRevision(root, 'next02', 'base01', `op.addColumn('account', 'nick', 'TEXT');`, `op.dropColumn('account', 'nick');`);
    const passed = await mbundle(root, 'check');
    expect(passed.stdout).toContain('ok');
    expect(passed.code).toBe(0);
  });

  it('rejects bad flags with exit 2 and a one-line message', async () => {
    const root = await folder();
    const result = await mbundle(root, 'build', '--key', 'k.key', '--out', 'x', '--expires', 'soon');
    expect(result.code).toBe(2);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toContain('--expires');
  });
});
