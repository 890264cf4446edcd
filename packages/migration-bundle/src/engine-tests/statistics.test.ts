/**
 * Planner statistics survive a migration: a database that has been analysed keeps a sqlite_stat1
 * row (and its sqlite_stat4 samples) for every table and index that had one, with the same values
 * when its rows and entries are the same, under a new name after a rename; new and changed
 * indexes are analysed; the query planner chooses the same plans. A database without statistics
 * gets none.
 */
import Database, { type Database as DatabaseType } from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { applyUp, buildChain, cleanupDatabases, expectAtRevision, expectHealthy, tempDb, thrown } from './harness.js';

afterAll(cleanupDatabases);

const ROWS = 4000;

const chain = buildChain([
  {
    id: 's001_base',
    up: (op) => {
      op.execute(`CREATE TABLE readings (
        id INTEGER PRIMARY KEY, device TEXT NOT NULL, kind TEXT, value REAL, at INTEGER NOT NULL, code TEXT UNIQUE)`);
      op.execute('CREATE INDEX readings_by_device ON readings (device, at)');
      op.execute('CREATE INDEX readings_by_kind ON readings (kind)');
      op.execute('CREATE INDEX readings_by_value ON readings (value)');
      op.execute('CREATE TABLE sites (id INTEGER PRIMARY KEY, name TEXT UNIQUE, region TEXT)');
      op.execute('CREATE TABLE log (line TEXT)');
    },
  },
  { id: 's002_notes', up: (op) => op.execute('CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)') },
  {
    id: 's003_rebuild',
    up: (op) => {
      op.alterColumn('readings', 'kind', { notNull: true });
      op.createIndex('readings_by_at', 'readings', ['at']);
      op.renameTable('sites', 'places');
    },
  },
  { id: 's004_scale', up: (op) => op.alterColumn('readings', 'value', { using: 'value * 2' }) },
  {
    id: 's005_again',
    up: (op) => {
      op.addCheck('readings', 'kind_known', "kind IN ('boot', 'sample', 'alarm', 'heartbeat')");
      op.addCheck('log', 'line_set', 'line IS NOT NULL');
      op.createIndex('notes_by_body', 'notes', ['body']);
    },
  },
]);
const UPGRADE = ['s003_rebuild', 's004_scale', 's005_again'];

/** At s002, seeded, analysed before `notes` existed (so `notes` has no statistics). */
function seeded(analyse: boolean): DatabaseType {
  const { db } = tempDb();
  applyUp(db, chain, ['s001_base']);
  db.prepare(
    `WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < ?)
     INSERT INTO readings (id, device, kind, value, at, code)
     SELECT i, 'd-' || (i % 1000), CASE i % 4 WHEN 0 THEN 'boot' WHEN 1 THEN 'sample' WHEN 2 THEN 'alarm' ELSE 'heartbeat' END,
            (i % 50) / 2.0, 1700000000 + i, 'c' || i FROM s`,
  ).run(ROWS);
  db.exec(`INSERT INTO sites (name, region) SELECT 'site ' || id, 'r' || (id % 3) FROM readings WHERE id <= 300;
           INSERT INTO log (line) SELECT 'line ' || id FROM readings WHERE id <= 50`);
  if (analyse) db.exec('ANALYZE');
  applyUp(db, chain, ['s002_notes']);
  db.exec(`INSERT INTO notes (body) SELECT 'note ' || (id % 7) FROM readings WHERE id <= 100`);
  return db;
}

function stat1(db: DatabaseType): Record<string, string> {
  const rows = db.prepare('SELECT tbl, idx, stat FROM sqlite_stat1').all() as { tbl: string; idx: string | null; stat: string }[];
  return Object.fromEntries(rows.map((r) => [`${r.tbl}.${r.idx ?? ''}`, r.stat]));
}

function stat4(db: DatabaseType, index: string): unknown[] {
  return db.prepare('SELECT tbl, neq, nlt, ndlt, sample FROM sqlite_stat4 WHERE idx = ? ORDER BY rowid').all(index);
}

const QUERIES = [
  "SELECT * FROM readings WHERE device = 'd-7' AND kind = 'alarm'",
  "SELECT * FROM readings WHERE kind = 'boot' AND value > 20",
  "SELECT * FROM readings WHERE device > 'd-5' AND kind = 'sample' ORDER BY at",
  "SELECT count(*) FROM readings WHERE code = 'c17' OR device = 'd-3'",
  "SELECT r.id FROM readings r JOIN log l ON l.line = 'line ' || r.id WHERE r.kind = 'alarm'",
];

/** The plans a fresh connection (which loads the statistics) chooses. */
function plans(path: string): string[][] {
  const db = new Database(path, { readonly: true });
  try {
    return QUERIES.map((sql) => (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all() as { detail: string }[]).map((r) => r.detail));
  } finally {
    db.close();
  }
}

describe('planner statistics through rebuilds', () => {
  it('carries unchanged rows over, follows renames, analyses what is new or changed, and keeps the query plans', () => {
    const db = seeded(true);
    const path = db.name;
    const before = stat1(db);
    const samples = stat4(db, 'readings_by_device');
    expect(samples.length).toBeGreaterThan(0);
    const plansBefore = plans(path);

    const reports = applyUp(db, chain, UPGRADE);
    expectAtRevision(db, chain.byId('s005_again'));
    expectHealthy(db);
    const after = stat1(db);

    // Every row there was is there (under the new name after the rename); unchanged ones as they were.
    const carried = ['readings.readings_by_device', 'readings.readings_by_kind', 'readings.sqlite_autoindex_readings_1', 'log.'];
    for (const key of carried) expect(after[key], key).toBe(before[key]);
    expect(after['places.sqlite_autoindex_places_1']).toBe(before['sites.sqlite_autoindex_sites_1']);
    expect(Object.keys(after).filter((key) => key.startsWith('sites.'))).toEqual([]);
    expect(stat4(db, 'readings_by_device')).toEqual(samples);
    // New indexes, and the one whose values `using` changed, are analysed; `notes` had none and has none.
    expect(after['readings.readings_by_at']).toMatch(/^\d+ \d+/);
    expect(after['readings.readings_by_value']).toMatch(/^\d+ \d+/);
    expect(after['notes.notes_by_body']).toMatch(/^\d+ \d+/);
    expect(Object.keys(after).filter((key) => key.startsWith('notes.') && key !== 'notes.notes_by_body')).toEqual([]);
    expect(Object.keys(after).sort()).toEqual(
      [...Object.keys(before).map((key) => key.replace(/^sites\.sqlite_autoindex_sites_/, 'places.sqlite_autoindex_places_')), 'readings.readings_by_at', 'notes.notes_by_body'].sort(),
    );

    expect(reports.map((r) => r.statistics)).toEqual([
      { carried: expect.arrayContaining(['readings_by_device', 'readings_by_kind', 'readings_by_value', 'places']), analysed: ['readings_by_at'], durationMs: expect.any(Number) },
      { carried: expect.arrayContaining(['readings_by_device', 'readings_by_kind', 'readings_by_at']), analysed: ['readings_by_value'], durationMs: expect.any(Number) },
      { carried: expect.arrayContaining(['readings_by_value', 'log']), analysed: ['notes_by_body'], durationMs: expect.any(Number) },
    ]);
    expect(reports[1]!.statistics!.carried).not.toContain('readings_by_value');
    expect(plans(path)).toEqual(plansBefore);
    // The plans compared depend on the statistics: without them the planner chooses others.
    db.exec('DELETE FROM sqlite_stat1; DELETE FROM sqlite_stat4');
    expect(plans(path)).not.toEqual(plansBefore);
    db.close();
  });

  it('keeps the same statistics when each revision commits on its own', () => {
    const together = seeded(true);
    applyUp(together, chain, UPGRADE);
    const apart = seeded(true);
    applyUp(apart, chain, UPGRADE, { perRevision: true });
    expect(Object.keys(stat1(apart)).sort()).toEqual(Object.keys(stat1(together)).sort());
    expect(stat1(apart)['readings.readings_by_device']).toBe(stat1(together)['readings.readings_by_device']);
  });

  it('leaves a database without statistics without them', () => {
    const db = seeded(false);
    const reports = applyUp(db, chain, UPGRADE);
    expect(reports.map((r) => r.statistics)).toEqual([null, null, null]);
    expect(db.prepare("SELECT name FROM sqlite_schema WHERE name LIKE 'sqlite_stat%'").all()).toEqual([]);
  });

  it('gives the statistics back untouched when the migration rolls back', () => {
    const db = seeded(true);
    const before = stat1(db);
    db.exec("UPDATE readings SET kind = 'other' WHERE id = 1");
    expect(thrown(() => applyUp(db, chain, UPGRADE)).code).toBe('statement-failed');
    expect(stat1(db)).toEqual(before);
  });
});
