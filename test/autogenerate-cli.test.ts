import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { autogenerateRevision } from '../packages/migration-bundle/src/autogenerate/index.js';
import {
  fixture,
  fixtureExtras,
  mbundle,
  migrationsDir,
  removeMigrationsDirs,
  revisionFiles,
  upgrade,
  writeHandRevision,
} from './fixtures/autogenerate/harness.js';

const autogenerate = (dir: string, schema: string, ...extra: string[]) =>
  mbundle(['revision', '--autogenerate', '-m', 'change', '--schema', schema, '--dir', dir, ...extra]);

afterAll(removeMigrationsDirs);

describe('mbundle revision --autogenerate', () => {
  it('prints the path of the revision it wrote, then says there is nothing to do and writes nothing', async () => {
    const dir = migrationsDir('cli-basic');
    const first = await autogenerate(dir, fixture('02-drop-table', 'before'));
    expect(first.code).toBe(0);
    const file = first.stdout.trim();
    expect(existsSync(file)).toBe(true);
    expect(readFileSync(file, 'utf8')).toMatch(/import \{ revision \} from '@godwit\/migration-bundle';[\s\S]*op\.createTable\('users'/);

    const again = await autogenerate(dir, fixture('02-drop-table', 'before'));
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/^nothing to do: the head already matches .*; no revision written$/m);
    expect(revisionFiles(dir)).toHaveLength(1);
  });

  it('loads a schema module written in plain JavaScript', async () => {
    const dir = migrationsDir('cli-mjs');
    const result = await autogenerate(dir, new URL('./fixtures/autogenerate/plain-schema.mjs', import.meta.url).pathname);
    expect(result.code).toBe(0);
    expect(readFileSync(result.stdout.trim(), 'utf8')).toContain("op.createTable('notes', [");
  });

  it('writes a comment saying what data each destructive operation discards or may refuse', async () => {
    const dir = migrationsDir('cli-destructive');
    await autogenerate(dir, fixture('04-drop-column', 'before'));
    const columns = readFileSync((await autogenerate(dir, fixture('02-drop-table', 'before'))).stdout.trim(), 'utf8');
    expect(columns).toMatch(/\/\/ Discards every value of users\.legacy_code\.\n\s+op\.dropColumn\('users', 'legacy_code'\);/);
    expect(columns).toMatch(/\/\/ Discards every value of users\.email\.\n\s+op\.dropColumn\('users', 'email'\);/);
    const table = readFileSync((await autogenerate(dir, fixture('02-drop-table', 'after'))).stdout.trim(), 'utf8');
    expect(table).toMatch(/\/\/ Discards every row of audit_log \(id, user_id, action\)\.\n\s+op\.dropTable\('audit_log'\);/);

    const typed = migrationsDir('cli-type');
    await autogenerate(typed, fixture('05-column-type', 'before'));
    const narrowing = readFileSync((await autogenerate(typed, fixture('05-column-type', 'after'))).stdout.trim(), 'utf8');
    expect(narrowing).toContain(
      "// Changes items.qty from TEXT to INTEGER: values are copied unchanged (no CAST); add a `using` expression to convert them.\n    op.alterColumn('items', 'qty', { type: 'INTEGER' });",
    );
    const nullable = migrationsDir('cli-not-null');
    await autogenerate(nullable, fixture('06-nullability', 'before'));
    const notNull = readFileSync((await autogenerate(nullable, fixture('06-nullability', 'after'))).stdout.trim(), 'utf8');
    expect(notNull).toContain('// items.name becomes NOT NULL: the copy fails on a row holding NULL there');
  });

  it('never guesses a rename: prints the --rename flag as a hint, and with it writes a rename that keeps the values', async () => {
    const hintDir = migrationsDir('cli-hint');
    await autogenerate(hintDir, fixture('16-rename-table', 'before'));
    const hinted = await autogenerate(hintDir, fixture('16-rename-table', 'after'));
    expect(hinted.code).toBe(0);
    expect(hinted.stderr).toContain('hint: table users is dropped and accounts added: if it is a rename, pass --rename users=accounts');
    const dropAndAdd = readFileSync(hinted.stdout.trim(), 'utf8');
    expect(dropAndAdd).toContain("op.dropTable('users');");
    expect(dropAndAdd).not.toContain('renameTable');

    const columnDir = migrationsDir('cli-column-hint');
    await autogenerate(columnDir, fixture('17-rename-column', 'before'));
    const columnHint = await autogenerate(columnDir, fixture('17-rename-column', 'after'));
    expect(columnHint.stderr).toContain(
      'hint: column users.name is dropped and users.full_name added: if it is a rename, pass --rename users.name=full_name',
    );

    const renameDir = migrationsDir('cli-rename');
    await autogenerate(renameDir, fixture('16-rename-table', 'before'));
    const db = new Database(':memory:');
    const applied = await upgrade(db, renameDir, []);
    for (const sql of (await fixtureExtras('16-rename-table')).seed) db.exec(sql);
    const users = db.prepare('SELECT id, name FROM users ORDER BY id').all();
    const renamed = await autogenerate(renameDir, fixture('16-rename-table', 'after'), '--rename', 'users=accounts');
    expect(renamed.code).toBe(0);
    expect(renamed.stderr).not.toContain('hint:');
    const text = readFileSync(renamed.stdout.trim(), 'utf8');
    expect(text).toContain("op.renameTable('users', 'accounts');");
    expect(text).not.toContain('dropTable');
    await upgrade(db, renameDir, applied);
    expect(db.prepare('SELECT id, name FROM accounts ORDER BY id').all()).toEqual(users);
    db.close();
  });

  it('refuses bad input with exit 2 and writes nothing', async () => {
    const dir = migrationsDir('cli-usage');
    await autogenerate(dir, fixture('01-add-table', 'before'));
    const cases: string[][] = [
      ['revision', '--autogenerate', '-m', 'x', '--dir', dir],
      ['revision', '--autogenerate', '--schema', fixture('01-add-table', 'after'), '--dir', dir],
      ['revision', '--autogenerate', '-m', 'x', '--schema', 'no/such/schema.ts', '--dir', dir],
      ['revision', '--autogenerate', '-m', 'x', '--schema', fixture('01-add-table', 'after'), '--dir', dir, '--rename', 'nosuch=posts'],
      ['revision', '--autogenerate', '-m', 'x', '--schema', fixture('01-add-table', 'after'), '--dir', dir, '--rename', 'users'],
      ['revision', '--autogenerate', '-m', 'x', '--schema', fixture('01-add-table', 'after'), '--dir', dir, '--id', 'Bad-Id'],
    ];
    for (const argv of cases) {
      const result = await mbundle(argv);
      expect({ argv, code: result.code }).toEqual({ argv, code: 2 });
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
    }
    expect(revisionFiles(dir)).toHaveLength(1);
    const [existing] = revisionFiles(dir);
    const duplicate = await autogenerate(dir, fixture('01-add-table', 'after'), '--id', existing!.split('_')[0]!);
    expect(duplicate.code).toBe(1);
    expect(duplicate.stderr).toMatch(/already exists/);
    expect(revisionFiles(dir)).toHaveLength(1);
  });

  it('refuses, naming them, when the folder has several heads and no --parent', async () => {
    const dir = migrationsDir('cli-heads');
    for (const id of ['head_one', 'head_two']) {
      writeFileSync(join(dir, `${id}.ts`), `export default { id: '${id}', parent: null, message: '${id}', up(op) {} };\n`);
    }
    const result = await autogenerate(dir, fixture('01-add-table', 'before'));
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/head_one[\s\S]*head_two/);
    expect(revisionFiles(dir)).toHaveLength(2);
    const chosen = await autogenerate(dir, fixture('01-add-table', 'before'), '--parent', 'head_one', '--parent', 'head_two');
    expect(chosen.code).toBe(0);
    expect(readFileSync(chosen.stdout.trim(), 'utf8')).toContain("parent: ['head_one', 'head_two'],");
  });

  it('says which triggers and views it left alone', async () => {
    const dir = migrationsDir('cli-ignored');
    const first = await autogenerateRevision({ schemaFile: fixture('14-rebuild-triggers-view-cascade', 'before'), dir, message: 'v1' });
    writeHandRevision(dir, 'hand_written', first.id!, (await fixtureExtras('14-rebuild-triggers-view-cascade')).handWritten!);
    const result = await autogenerate(dir, fixture('14-rebuild-triggers-view-cascade', 'after'));
    expect(result.code).toBe(0);
    expect(result.stderr).toContain(
      'left alone (drizzle does not model them): trigger readings_clamp on readings, trigger sensors_keep_alarms on sensors, view sensor_latest',
    );
  });

  it('keeps STRICT and WITHOUT ROWID, which drizzle cannot state, and says so', async () => {
    const dir = migrationsDir('cli-strict');
    const schema = new URL('./fixtures/autogenerate/strict-table.ts', import.meta.url).pathname;
    const { baseRevision } = (await import(schema)) as { baseRevision: string };
    writeFileSync(join(dir, 'strict_base.ts'), baseRevision);
    const result = await autogenerate(dir, schema);
    expect(result.code).toBe(0);
    expect(result.stderr).toContain('left alone (drizzle does not model them): STRICT of table kv, WITHOUT ROWID of table kv');
    expect(readFileSync(result.stdout.trim(), 'utf8')).toContain("op.addColumn('kv', 'updated_at', 'INTEGER');");
    const db = new Database(':memory:');
    await upgrade(db, dir, []);
    expect(db.prepare("SELECT sql FROM sqlite_schema WHERE name = 'kv'").pluck().get()).toMatch(/WITHOUT ROWID, STRICT$/);
    expect((await mbundle(['check', '--dir', dir, '--schema', schema])).code).toBe(0);
    db.close();
  });

  it('writes a generated column with op.createTable; a head made by hand with the same column is no difference, one with another expression is', async () => {
    const schema = new URL('./fixtures/autogenerate/generated-column.ts', import.meta.url).pathname;
    const dir = migrationsDir('cli-generated');
    const result = await autogenerate(dir, schema);
    expect(result.code).toBe(0);
    expect(readFileSync(result.stdout.trim(), 'utf8')).toContain(`{ name: 'full', type: 'TEXT', generated: { expr: "first || ' ' || last" } }`);
    expect((await mbundle(['check', '--dir', dir, '--schema', schema])).code).toBe(0);

    const handMade = (expr: string) => {
      const made = migrationsDir('cli-generated-by-hand');
      writeFileSync(
        join(made, 'people.ts'),
        `export default { id: 'people', parent: null, message: 'people', up(op) { op.execute("CREATE TABLE people (id integer PRIMARY KEY NOT NULL, first text NOT NULL, last text NOT NULL, full text GENERATED ALWAYS AS (${expr}) VIRTUAL)"); } };\n`,
      );
      return made;
    };
    const same = await autogenerate(handMade("first || ' ' || last"), schema);
    expect(same.stdout).toMatch(/^nothing to do/);
    expect(same.code).toBe(0);
    const other = await mbundle(['check', '--dir', handMade("last || ' ' || first"), '--schema', schema]);
    expect(other.code).toBe(1);
    expect(other.stdout).toMatch(/column people\.full: .*AS \(first \|\| ' ' \|\| last\) VIRTUAL -> .*AS \(last \|\| ' ' \|\| first\) VIRTUAL/);
  });
});

describe('mbundle check --schema', () => {
  it('exits 1 listing the differences when the head is not the schema, 0 once a revision catches up', async () => {
    const dir = migrationsDir('cli-check');
    await autogenerate(dir, fixture('13-indexes', 'before'));
    const stale = await mbundle(['check', '--dir', dir, '--schema', fixture('13-indexes', 'after')]);
    expect(stale.code).toBe(1);
    expect(stale.stdout).toContain('head differs from');
    expect(stale.stdout).toMatch(/index events_live/);
    await autogenerate(dir, fixture('13-indexes', 'after'));
    const fresh = await mbundle(['check', '--dir', dir, '--schema', fixture('13-indexes', 'after')]);
    expect(fresh.stdout).toMatch(/^ok: 2 revision/);
    expect(fresh.code).toBe(0);
  });
});

describe('views of the schema', () => {
  it('check --schema exits 1 naming a missing view; the revision creates it, after the tables, and check passes', async () => {
    const dir = migrationsDir('cli-view-check');
    const before = fixture('21-views', 'before');
    const first = await autogenerateRevision({ schemaFile: before, dir, message: 'v1' });
    writeHandRevision(dir, 'hand_written', first.id!, (await fixtureExtras('21-views')).handWritten!);
    writeFileSync(join(dir, 'zz_lost_view.ts'), `export default { id: 'zz_lost_view', parent: 'hand_written', message: 'lost', up(op) { op.execute('DROP VIEW active_users'); } };\n`);
    const stale = await mbundle(['check', '--dir', dir, '--schema', before]);
    expect(stale.code).toBe(1);
    expect(stale.stdout).toContain('view active_users is missing');

    const result = await autogenerate(dir, before);
    expect(result.code).toBe(0);
    // The view written by hand and declared .existing() is left alone; the schema's own are compared.
    expect(result.stderr).toContain('left alone (drizzle does not model them): view user_report');
    expect(readFileSync(result.stdout.trim(), 'utf8')).toMatch(/op\.execute\('CREATE VIEW "active_users" AS \/\* drizzle schema view \*\/ select "id", "name", "nickname" from "users"/);
    expect((await mbundle(['check', '--dir', dir, '--schema', before])).code).toBe(0);
  });
});

describe('drizzle casing', () => {
  const camel = new URL('./fixtures/autogenerate/camel-case.ts', import.meta.url).pathname;

  it('--casing camelCase names the columns as drizzle does, spelled as declared; check needs the same casing', async () => {
    const dir = migrationsDir('cli-camel');
    const result = await autogenerate(dir, camel, '--casing', 'camelCase');
    expect(result.code).toBe(0);
    const db = new Database(':memory:');
    await upgrade(db, dir, []);
    expect(db.prepare("SELECT name FROM sqlite_schema WHERE type = 'table'").pluck().all()).toEqual(['People']);
    expect(db.prepare('SELECT name FROM pragma_table_info(?)').pluck().all('People')).toEqual(['id', 'firstName', 'homeTown', 'BadgeCode']);
    expect(db.prepare("SELECT name FROM sqlite_schema WHERE type = 'index'").pluck().all()).toEqual(['People_BadgeCode_unique']);
    db.close();
    expect((await mbundle(['check', '--dir', dir, '--schema', camel, '--casing', 'camelCase'])).code).toBe(0);
    const uncased = await mbundle(['check', '--dir', dir, '--schema', camel]);
    expect(uncased.code).toBe(1);
    expect(uncased.stdout).toContain('column people.first_name is missing');
  });

  it('reads casing from the drizzle.config.ts beside the schema', async () => {
    const dir = migrationsDir('cli-config-casing');
    const result = await autogenerate(dir, fixture('22-casing', 'before'));
    expect(result.code).toBe(0);
    expect(readFileSync(result.stdout.trim(), 'utf8')).toContain("{ name: 'first_name', type: 'TEXT', notNull: true }");
    expect((await mbundle(['check', '--dir', dir, '--schema', fixture('22-casing', 'before')])).code).toBe(0);
  });

  it('refuses a casing drizzle does not know (exit 2), and a query-builder view that selects property keys (exit 1), writing nothing', async () => {
    const dir = migrationsDir('cli-bad-casing');
    const bad = await autogenerate(dir, camel, '--casing', 'kebab-case');
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim()).toBe('mbundle: --casing "kebab-case": expected snake_case or camelCase');
    expect((await mbundle(['check', '--dir', dir, '--casing', 'snake_case'])).code).toBe(2);
    const view = await autogenerate(dir, new URL('./fixtures/autogenerate/casing-query-view.ts', import.meta.url).pathname, '--casing', 'snake_case');
    expect(view.code).toBe(1);
    expect(view.stderr).toMatch(/view names cannot be read: no such column: "fullName".*name the columns it reads/);
    expect(existsSync(dir) ? revisionFiles(dir) : []).toHaveLength(0);
  });
});

describe('defects of issue 14', () => {
  it('a NOT NULL column without a default added inside a hand rebuild carries the same warning as addColumn', async () => {
    const dir = migrationsDir('cli-rebuild-not-null');
    await autogenerate(dir, new URL('./fixtures/autogenerate/rebuild-not-null-before.ts', import.meta.url).pathname);
    const result = await autogenerate(dir, new URL('./fixtures/autogenerate/rebuild-not-null-after.ts', import.meta.url).pathname);
    expect(result.code).toBe(0);
    expect(readFileSync(result.stdout.trim(), 'utf8')).toContain(
      '// Rebuilds parcels by hand: column order changes.\n    // parcels.carrier is NOT NULL without a default: the copy fails if parcels has rows; give it a default.\n    op.createTable(',
    );
  });

  it('refuses two CHECK constraints of one name, naming both, and writes nothing', async () => {
    const dir = migrationsDir('cli-duplicate-check');
    const result = await autogenerate(dir, new URL('./fixtures/autogenerate/duplicate-check.ts', import.meta.url).pathname);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('stock has two CHECK constraints named stock_quantity: ("quantity" >= 0) and ("quantity" < 1000); give one another name');
    expect(existsSync(dir) ? revisionFiles(dir) : []).toHaveLength(0);
  });
});
