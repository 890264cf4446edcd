/**
 * Coalesced catch-up on known cases: five revisions that each rebuild `readings` copy it once and
 * end exactly where one-by-one application ends; a data statement on the table splits the run;
 * a `using` over a column a later revision renames still computes from the right value.
 */
import type { Database } from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import type { Operations } from '../ops/operation.js';
import { storedSchema } from '../plan/coalesce.js';
import { applyUp, buildChain, cleanupDatabases, dataSnapshot, expectAtRevision, expectHealthy, tempDb, type RevisionSpec } from './harness.js';

afterAll(cleanupDatabases);

const BASE: RevisionSpec = {
  id: 'c000_base',
  up: (op) => {
    op.execute('CREATE TABLE readings (id INTEGER PRIMARY KEY, device TEXT, kind TEXT, value REAL, at INTEGER)');
    op.execute('CREATE INDEX readings_by_device ON readings (device, at)');
  },
};

function seeded(specs: RevisionSpec[]): { chain: ReturnType<typeof buildChain>; copies: () => Database[] } {
  const chain = buildChain([BASE, ...specs]);
  const make = () => {
    const { db } = tempDb();
    applyUp(db, chain, ['c000_base']);
    db.exec(`WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < 2000)
      INSERT INTO readings (id, device, kind, value, at) SELECT i, 'd' || (i % 50), CASE i % 3 WHEN 0 THEN 'boot' ELSE 'sample' END, i / 8.0, 1700000000 + i FROM s`);
    return db;
  };
  return { chain, copies: () => [make(), make()] };
}

function applyBoth(specs: RevisionSpec[]) {
  const { chain, copies } = seeded(specs);
  const ids = specs.map((s) => s.id);
  const [together, apart] = copies();
  const reports = applyUp(together!, chain, ids, { coalesce: true });
  applyUp(apart!, chain, ids);
  expectAtRevision(together!, chain.byId(ids.at(-1)!));
  expectHealthy(together!);
  expect(storedSchema(together!)).toBe(storedSchema(apart!));
  expect(dataSnapshot(together!)).toEqual(dataSnapshot(apart!));
  return reports;
}

const rev = (id: string, up: (op: Operations) => void): RevisionSpec => ({ id, up });

describe('coalesced catch-up', () => {
  it('copies a table five revisions rebuild once, with every revision reported', () => {
    const reports = applyBoth([
      rev('c001', (op) => op.alterColumn('readings', 'kind', { notNull: true })),
      rev('c002', (op) => op.addCheck('readings', 'kind_known', "kind IN ('boot', 'sample')")),
      rev('c003', (op) => op.addColumn('readings', 'unit', 'TEXT', { default: "'C'" })),
      rev('c004', (op) => op.alterColumn('readings', 'at', { notNull: true })),
      rev('c005', (op) => op.createIndex('readings_by_kind', 'readings', ['kind'])),
    ]);
    expect(reports.map((r) => r.revision)).toEqual(['c001', 'c002', 'c003', 'c004', 'c005']);
    expect(reports.flatMap((r) => r.rebuilt)).toMatchObject([{ table: 'readings', rowsCopied: 2000 }]);
    expect(reports.every((r) => r.coalesced?.join() === 'c001,c002,c003,c004,c005')).toBe(true);
  });

  it('splits the run at a data statement on the table', () => {
    const reports = applyBoth([
      rev('c001', (op) => op.alterColumn('readings', 'kind', { notNull: true })),
      rev('c002', (op) => op.execute("UPDATE readings SET kind = 'sample' WHERE kind = 'boot'")),
      rev('c003', (op) => op.addCheck('readings', 'kind_known', "kind = 'sample'")),
    ]);
    expect(reports.flatMap((r) => r.rebuilt.map((copy) => copy.table))).toEqual(['readings', 'readings']);
  });

  it('computes a using from the right value when a later revision renames the column', () => {
    const reports = applyBoth([
      rev('c001', (op) => op.alterColumn('readings', 'value', { using: 'value * 2', notNull: true })),
      rev('c002', (op) => op.renameColumn('readings', 'value', 'reading')),
      rev('c003', (op) => op.addCheck('readings', 'reading_positive', 'reading > 0')),
    ]);
    expect(reports.flatMap((r) => r.rebuilt)).toHaveLength(1);
  });

  it('names every revision of a coalesced run that fails, and rolls it all back', () => {
    const { chain, copies } = seeded([
      rev('c001', (op) => op.alterColumn('readings', 'kind', { notNull: true })),
      rev('c002', (op) => op.addCheck('readings', 'kind_boot', "kind = 'boot'")),
    ]);
    const [db] = copies();
    const before = dataSnapshot(db!);
    expect(() => applyUp(db!, chain, ['c001', 'c002'], { coalesce: true })).toThrow(/^revision c001\+c002 failed: CHECK constraint failed/);
    expect(dataSnapshot(db!)).toEqual(before);
  });

  it('keeps a type change after an earlier rebuild of the table out of the run', () => {
    const reports = applyBoth([
      rev('c001', (op) => op.alterColumn('readings', 'kind', { notNull: true })),
      rev('c002', (op) => op.alterColumn('readings', 'value', { type: 'TEXT' })),
    ]);
    expect(reports.map((r) => r.coalesced)).toEqual([undefined, undefined]);
  });
});
