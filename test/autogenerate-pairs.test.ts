import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { fingerprintOf, loadRevisionGraph, planChain, readSchema, type SchemaDescription } from '@godwit/migration-bundle';
import { autogenerateRevision, loadSchema, targetSchema } from '../packages/migration-bundle/src/autogenerate/index.js';
import {
  PAIRS,
  downgradeLast,
  fixture,
  fixtureExtras,
  mbundle,
  migrationsDir,
  removeMigrationsDirs,
  revisionFiles,
  snapshot,
  upgrade,
  writeHandRevision,
  type SchemaPair,
} from './fixtures/autogenerate/harness.js';
import { comparable, drizzleKitSchema, explained } from './fixtures/autogenerate/oracle.js';

/** What the drizzle schema states of a live schema: no triggers, virtual tables or views it does not declare. */
const stated = (schema: SchemaDescription, target: SchemaDescription) => ({
  ...schema,
  triggers: [],
  views: schema.views.filter((v) => target.views.some((t) => t.name === v.name)),
  virtualTables: [],
});
const byName = (a: { name: string }, b: { name: string }) => a.name.localeCompare(b.name);

/** Each table of `before` the pair keeps, with the columns it keeps, under old and new names. */
function keptColumns(pair: SchemaPair, before: SchemaDescription, after: SchemaDescription) {
  const tableRenames = new Map<string, string>();
  const columnRenames = new Map<string, string>();
  for (const rename of pair.renames ?? []) {
    const [from, to] = rename.split('=') as [string, string];
    if (from.includes('.')) columnRenames.set(from, to);
    else tableRenames.set(from, to);
  }
  return before.tables.flatMap((table) => {
    const to = tableRenames.get(table.name) ?? table.name;
    const target = after.tables.find((t) => t.name === to);
    if (!target) return [];
    const pairs = table.columns
      .map((c) => [c.name, columnRenames.get(`${table.name}.${c.name}`) ?? c.name] as const)
      .filter(([, name]) => target.columns.some((c) => c.name === name) && !pair.recomputed?.includes(`${to}.${name}`));
    const retyped = new Set(pairs.filter(([, name]) => pair.retyped?.includes(`${to}.${name}`)).map(([, name]) => name));
    return [{ from: table.name, to, fromColumns: pairs.map(([a]) => a), toColumns: pairs.map(([, b]) => b), retyped }];
  });
}

afterAll(removeMigrationsDirs);

describe.each(PAIRS)('autogenerate $name', (pair) => {
  it('takes a seeded database to exactly the drizzle schema, keeps every row of every kept column, and comes back', async () => {
    const dir = migrationsDir(pair.name);
    const extras = await fixtureExtras(pair.name);
    const first = await autogenerateRevision({ schemaFile: fixture(pair.name, 'before'), dir, message: 'before' });
    expect(first.file).not.toBeNull();
    if (extras.handWritten) writeHandRevision(dir, 'hand_written', first.id!, extras.handWritten);

    const db = new Database(':memory:');
    db.pragma('foreign_keys = ON');
    let applied = await upgrade(db, dir, []);
    for (const sql of extras.seed) db.exec(sql);
    const before = readSchema(db);
    const target = targetSchema(await loadSchema(fixture(pair.name, 'after')), pair.casing).schema;
    // Views written by hand (not declared by the schema) are left alone.
    const declaredBefore = targetSchema(await loadSchema(fixture(pair.name, 'before')), pair.casing).schema.views;
    const handViews = before.views.filter((v) => !declaredBefore.some((d) => d.name === v.name));
    const kept = keptColumns(pair, before, target);
    const rowsBefore = kept.map((k) => snapshot(db, k.from, k.fromColumns, k.retyped));
    const countRows = (name: string) => db.prepare(`SELECT count(*) FROM "${name}"`).pluck().get();
    const virtualRows = before.virtualTables.map((v) => countRows(v.name));
    expect(rowsBefore.flat().length).toBeGreaterThan(0);

    const second = await autogenerateRevision({
      schemaFile: fixture(pair.name, 'after'),
      dir,
      message: 'after',
      ...(pair.renames ? { renames: pair.renames } : {}),
    });
    expect(second.file).not.toBeNull();
    applied = await upgrade(db, dir, applied);

    // No false drift: the live schema is the drizzle schema, and the bundle's recorded head agrees.
    const live = readSchema(db);
    expect(fingerprintOf(stated(live, target))).toBe(fingerprintOf(target));
    // ... and exactly what drizzle-kit builds for it.
    const theirs = comparable(await drizzleKitSchema(fixture(pair.name, 'after'), pair.casing));
    expect(comparable(stated(live, target))).toEqual(
      explained(`${pair.name}/after`, theirs, (actual, expected) => expect(actual).toBe(expected)),
    );
    const { graph, revisions } = await loadRevisionGraph(dir);
    expect(planChain(revisions, graph).at(-1)!.fingerprint).toBe(fingerprintOf(live));
    // Triggers, hand-written views and virtual tables drizzle does not model are carried through, and still work.
    expect(live.triggers).toEqual(before.triggers);
    expect(live.views).toEqual([...target.views, ...handViews].sort(byName));
    expect(live.virtualTables).toEqual(before.virtualTables);
    expect(live.virtualTables.map((v) => countRows(v.name))).toEqual(virtualRows);
    for (const view of live.views) db.prepare(`SELECT * FROM "${view.name}"`).all();
    expect(db.pragma('foreign_key_check')).toEqual([]);
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    expect(kept.map((k) => snapshot(db, k.to, k.toColumns, k.retyped))).toEqual(rowsBefore);

    const again = await autogenerateRevision({ schemaFile: fixture(pair.name, 'after'), dir, message: 'again' });
    expect(again.file).toBeNull();
    expect(again.up).toEqual([]);
    expect(revisionFiles(dir)).toHaveLength(extras.handWritten ? 3 : 2);

    const check = await mbundle(['check', '--dir', dir, '--schema', fixture(pair.name, 'after'), ...(pair.casing ? ['--casing', pair.casing] : [])]);
    expect(check.stdout).toMatch(/^ok: /);
    expect(check.code).toBe(0);

    await downgradeLast(db, dir, second.id!);
    expect(fingerprintOf(readSchema(db))).toBe(fingerprintOf(before));
    expect(kept.map((k) => snapshot(db, k.from, k.fromColumns, k.retyped))).toEqual(rowsBefore);
    db.close();
  });
});
