/**
 * Guarantee 3: the schema survives a rebuild. Each test builds one feature on a seeded file db,
 * rebuilds its table (by default with a CHECK that changes nothing, so every value and rowid must
 * be identical), and proves the feature is still there and still works, next to the usual checks
 * (rows, integrity, foreign keys, no leftovers, fingerprint = build's, empty diff).
 */
import type { Database } from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import type { Operations } from '../ops/operation.js';
import {
  applyUp,
  buildChain,
  cleanupDatabases,
  dataSnapshot,
  expectAtRevision,
  expectHealthy,
  exactRows,
  planUp,
  rowCount,
  tempDb,
} from './harness.js';

afterAll(cleanupDatabases);

const ROWS = 3000;

interface Survival {
  base: string[];
  seed: (db: Database) => void;
  table: string;
  /** Defaults to a CHECK that holds for every row: a rebuild that changes no value. */
  change?: (op: Operations) => void;
  /** When the change leaves every value in place (the default change does). */
  sameData?: boolean;
}

/** Objects other than tables, by name, with their stored SQL. */
function dependentObjects(db: Database): Record<string, string> {
  const rows = db
    .prepare("SELECT type || ' ' || name AS k, sql FROM sqlite_schema WHERE type IN ('index', 'trigger', 'view') AND sql IS NOT NULL")
    .all() as { k: string; sql: string }[];
  return Object.fromEntries(rows.map((r) => [r.k, r.sql]));
}

function survive(s: Survival) {
  const chain = buildChain([
    { id: 'r001_base', up: (op) => s.base.forEach((sql) => op.execute(sql)) },
    { id: 'r002_rebuild', up: s.change ?? ((op) => op.addCheck(s.table, 'rebuild_probe', '1 = 1')) },
  ]);
  const { db } = tempDb();
  applyUp(db, chain, ['r001_base']);
  db.transaction(() => s.seed(db))();
  const data = dataSnapshot(db);
  const objects = dependentObjects(db);
  const [plan] = planUp(db, chain, ['r002_rebuild']);
  expect(plan!.rebuilt).toContain(s.table);
  applyUp(db, chain, ['r002_rebuild']);
  if (s.sameData ?? !s.change) expect(dataSnapshot(db)).toEqual(data);
  if (!s.change) expect(dependentObjects(db)).toEqual(objects);
  expectHealthy(db);
  expectAtRevision(db, chain.byId('r002_rebuild'));
  return { db, data, objects, chain, plan: plan!.statements.map((p) => p.sql) };
}

const ITEMS = 'CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT NOT NULL, email TEXT, status TEXT, created INTEGER, qty INTEGER)';
function seedItems(db: Database): void {
  const insert = db.prepare('INSERT INTO items (id, name, email, status, created, qty) VALUES (?, ?, ?, ?, ?, ?)');
  for (let i = 1; i <= ROWS; i++) {
    insert.run(i, `Item ${i}`, `User${i}@Example.com`, i % 4 ? 'open' : 'closed', 1_700_000_000 + ((i * 7919) % 100_000), (i % 9) + 1);
  }
}
const detail = (db: Database, sql: string) => (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all() as { detail: string }[]).map((r) => r.detail).join('; ');

describe('survives a table rebuild', () => {
  it('a partial index', () => {
    const { db } = survive({ base: [ITEMS, "CREATE INDEX items_open ON items (created) WHERE status = 'open'"], seed: seedItems, table: 'items' });
    expect(db.prepare("SELECT partial FROM pragma_index_list('items') WHERE name = 'items_open'").pluck().get()).toBe(1);
    const query = "SELECT count(*) FROM items WHERE status = 'open' AND created > 1700050000";
    expect(detail(db, query)).toContain('items_open');
    expect(db.prepare(query).pluck().get()).toBe(db.prepare(query.replace('items', 'items NOT INDEXED')).pluck().get());
    db.close();
  });

  it('an index on an expression', () => {
    const { db } = survive({ base: [ITEMS, 'CREATE INDEX items_lower_email ON items (lower(email))'], seed: seedItems, table: 'items' });
    const query = "SELECT id FROM items WHERE lower(email) = 'user7@example.com'";
    expect(detail(db, query)).toContain('items_lower_email');
    expect(db.prepare(query).pluck().all()).toEqual([7]);
    db.close();
  });

  it('a DESC index', () => {
    const { db } = survive({ base: [ITEMS, 'CREATE INDEX items_recent ON items (created DESC, id)'], seed: seedItems, table: 'items' });
    expect(db.prepare("SELECT \"desc\" FROM pragma_index_xinfo('items_recent') WHERE name = 'created'").pluck().get()).toBe(1);
    db.close();
  });

  it('a UNIQUE index with COLLATE NOCASE keeps rejecting case-only duplicates', () => {
    const { db } = survive({ base: [ITEMS, 'CREATE UNIQUE INDEX items_email ON items (email COLLATE NOCASE)'], seed: seedItems, table: 'items' });
    expect(() => db.prepare("INSERT INTO items (name, email) VALUES ('dup', 'user1@example.COM')").run()).toThrow(/UNIQUE constraint failed/);
    db.close();
  });

  it('triggers on the rebuilt table still fire', () => {
    const { db } = survive({
      base: [
        ITEMS,
        'CREATE TABLE item_log (item_id INTEGER, what TEXT)',
        "CREATE TRIGGER items_ai AFTER INSERT ON items BEGIN INSERT INTO item_log VALUES (new.id, 'insert'); END",
        "CREATE TRIGGER items_au AFTER UPDATE OF status ON items WHEN new.status = 'closed' BEGIN INSERT INTO item_log VALUES (new.id, 'closed'); END",
      ],
      seed: seedItems,
      table: 'items',
    });
    const logged = rowCount(db, 'item_log');
    expect(logged).toBe(ROWS);
    db.prepare("INSERT INTO items (id, name) VALUES (5000, 'new')").run();
    db.prepare("UPDATE items SET status = 'closed' WHERE id = 1").run();
    expect(db.prepare('SELECT what FROM item_log WHERE rowid > ? ORDER BY rowid').pluck().all(logged)).toEqual(['insert', 'closed']);
    db.close();
  });

  it('a trigger on another table that writes into the rebuilt table still works', () => {
    const { db } = survive({
      base: [
        ITEMS,
        'CREATE TABLE imports (id INTEGER PRIMARY KEY, name TEXT)',
        "CREATE TRIGGER imports_ai AFTER INSERT ON imports BEGIN INSERT INTO items (name, status, qty) VALUES (new.name, 'imported', 1); UPDATE items SET qty = qty + 1 WHERE id = 1; END",
      ],
      seed: seedItems,
      table: 'items',
    });
    db.prepare("INSERT INTO imports (name) VALUES ('from import')").run();
    expect(db.prepare("SELECT count(*) FROM items WHERE name = 'from import' AND status = 'imported'").pluck().get()).toBe(1);
    expect(db.prepare('SELECT qty FROM items WHERE id = 1').pluck().get()).toBe(3);
    db.close();
  });

  it('a view naming the rebuilt table', () => {
    const base = [ITEMS, "CREATE VIEW open_items AS SELECT i.id, i.name FROM items AS i WHERE i.status = 'open'"];
    const { db, data } = survive({ base, seed: seedItems, table: 'items' });
    expect(data).toBeTruthy();
    expect(rowCount(db, 'open_items')).toBe(ROWS - ROWS / 4);
    db.close();
  });

  for (const order of ['rename first', 'rebuild first'] as const) {
    it(`a view naming a column renamed in the same revision as the rebuild (${order})`, () => {
      const base = [ITEMS, "CREATE VIEW open_items AS SELECT id, name FROM items WHERE status = 'open'"];
      const chainProbe = buildChain([{ id: 'r001_base', up: (op) => base.forEach((sql) => op.execute(sql)) }]);
      expect(chainProbe.planned).toHaveLength(1);
      const { db } = survive({
        base,
        seed: seedItems,
        table: 'items',
        change: (op) => {
          if (order === 'rename first') op.renameColumn('items', 'name', 'title');
          op.alterColumn('items', order === 'rename first' ? 'title' : 'name', { collate: 'NOCASE' });
          if (order === 'rebuild first') op.renameColumn('items', 'name', 'title');
        },
      });
      const rows = db.prepare('SELECT * FROM open_items ORDER BY id').raw(true).all() as unknown[][];
      expect(rows).toHaveLength(ROWS - ROWS / 4);
      expect(rows[0]).toEqual([1, 'Item 1']);
      expect(db.prepare("SELECT sql FROM sqlite_schema WHERE name = 'open_items'").pluck().get()).toMatch(/title/);
      db.close();
    });
  }

  it('CHECK constraints, column- and table-level, named and not', () => {
    const { db } = survive({
      base: [
        'CREATE TABLE stock (id INTEGER PRIMARY KEY, qty INTEGER CHECK (qty >= 0), price INTEGER, CONSTRAINT price_positive CHECK (price > 0))',
      ],
      seed: (db) => {
        const insert = db.prepare('INSERT INTO stock (qty, price) VALUES (?, ?)');
        for (let i = 0; i < ROWS; i++) insert.run(i % 50, (i % 7) + 1);
      },
      table: 'stock',
    });
    expect(() => db.prepare('INSERT INTO stock (qty, price) VALUES (-1, 1)').run()).toThrow(/CHECK constraint failed/);
    expect(() => db.prepare('INSERT INTO stock (qty, price) VALUES (1, 0)').run()).toThrow(/CHECK constraint failed: price_positive/);
    db.close();
  });

  it('UNIQUE constraints, column- and table-level', () => {
    const { db } = survive({
      base: ['CREATE TABLE seats (id INTEGER PRIMARY KEY, code TEXT UNIQUE, row_no INTEGER, seat INTEGER, UNIQUE (row_no, seat))'],
      seed: (db) => {
        const insert = db.prepare('INSERT INTO seats (code, row_no, seat) VALUES (?, ?, ?)');
        for (let i = 0; i < ROWS; i++) insert.run(`S${i}`, Math.floor(i / 30), i % 30);
      },
      table: 'seats',
    });
    expect(() => db.prepare("INSERT INTO seats (code, row_no, seat) VALUES ('S1', 999, 1)").run()).toThrow(/UNIQUE constraint failed: seats.code/);
    expect(() => db.prepare("INSERT INTO seats (code, row_no, seat) VALUES ('new', 0, 0)").run()).toThrow(/UNIQUE constraint failed: seats.row_no, seats.seat/);
    db.close();
  });

  it('FOREIGN KEY constraints of the rebuilt (child) table, with their actions', () => {
    const { db } = survive({
      base: [
        'CREATE TABLE owners (id INTEGER PRIMARY KEY, name TEXT)',
        'CREATE TABLE pets (id INTEGER PRIMARY KEY, owner_id INTEGER REFERENCES owners (id) ON DELETE CASCADE ON UPDATE CASCADE, name TEXT)',
      ],
      seed: (db) => {
        const owner = db.prepare('INSERT INTO owners (id, name) VALUES (?, ?)');
        const pet = db.prepare('INSERT INTO pets (owner_id, name) VALUES (?, ?)');
        for (let i = 1; i <= 300; i++) owner.run(i, `owner ${i}`);
        for (let i = 0; i < ROWS; i++) pet.run((i % 300) + 1, `pet ${i}`);
      },
      table: 'pets',
    });
    db.pragma('foreign_keys = ON');
    expect(() => db.prepare('INSERT INTO pets (owner_id) VALUES (12345)').run()).toThrow(/FOREIGN KEY constraint failed/);
    db.prepare('UPDATE owners SET id = 1000 WHERE id = 2').run();
    expect(db.prepare('SELECT count(*) FROM pets WHERE owner_id = 1000').pluck().get()).toBe(ROWS / 300);
    db.prepare('DELETE FROM owners WHERE id = 1').run();
    expect(db.prepare('SELECT count(*) FROM pets WHERE owner_id = 1').pluck().get()).toBe(0);
    db.close();
  });

  it('column collations', () => {
    const { db } = survive({
      base: ['CREATE TABLE tags (id INTEGER PRIMARY KEY, label TEXT COLLATE NOCASE, code TEXT COLLATE RTRIM)'],
      seed: (db) => {
        const insert = db.prepare('INSERT INTO tags (label, code) VALUES (?, ?)');
        for (let i = 0; i < ROWS; i++) insert.run(`Tag${i}`, `C${i}  `);
      },
      table: 'tags',
    });
    expect(db.prepare("SELECT id FROM tags WHERE label = 'TAG7'").pluck().get()).toBe(8);
    expect(db.prepare("SELECT id FROM tags WHERE code = 'C7'").pluck().get()).toBe(8);
    db.close();
  });

  it('column defaults: literals, negative numbers, expressions, CURRENT_TIMESTAMP', () => {
    const { db } = survive({
      base: [
        "CREATE TABLE settings (id INTEGER PRIMARY KEY, name TEXT DEFAULT 'unnamed', level INTEGER DEFAULT -1, ratio REAL DEFAULT 0.5, token TEXT DEFAULT (hex(zeroblob(2))), created TEXT DEFAULT CURRENT_TIMESTAMP, flag DEFAULT x'00ff')",
      ],
      seed: (db) => {
        const insert = db.prepare('INSERT INTO settings (name) VALUES (?)');
        for (let i = 0; i < ROWS; i++) insert.run(`s${i}`);
      },
      table: 'settings',
    });
    const id = db.prepare('INSERT INTO settings DEFAULT VALUES').run().lastInsertRowid;
    const row = db.prepare('SELECT name, level, ratio, token, typeof(created) AS created, hex(flag) AS flag FROM settings WHERE id = ?').get(id);
    expect(row).toEqual({ name: 'unnamed', level: -1, ratio: 0.5, token: '0000', created: 'text', flag: '00FF' });
    db.close();
  });

  it('generated columns, VIRTUAL and STORED', () => {
    const { db } = survive({
      base: [
        'CREATE TABLE lines (id INTEGER PRIMARY KEY, qty INTEGER NOT NULL, price INTEGER NOT NULL, total INTEGER GENERATED ALWAYS AS (qty * price) VIRTUAL, label TEXT AS (\'#\' || id || \'x\' || qty) STORED)',
      ],
      seed: (db) => {
        const insert = db.prepare('INSERT INTO lines (qty, price) VALUES (?, ?)');
        for (let i = 0; i < ROWS; i++) insert.run((i % 5) + 1, (i % 100) + 1);
      },
      table: 'lines',
    });
    const hidden = db.prepare("SELECT name, hidden FROM pragma_table_xinfo('lines') WHERE hidden <> 0 ORDER BY cid").all();
    expect(hidden).toEqual([
      { name: 'total', hidden: 2 },
      { name: 'label', hidden: 3 },
    ]);
    expect(exactRows(db, 'lines', ['total', 'label'], 'id').slice(0, 1)).toEqual(['i:1|t4:#1x1']);
    db.prepare('UPDATE lines SET qty = 10 WHERE id = 1').run();
    expect(db.prepare('SELECT total || label FROM lines WHERE id = 1').pluck().get()).toBe('10#1x10');
    db.close();
  });

  it('AUTOINCREMENT: sqlite_sequence keeps its value even above the largest rowid', () => {
    const { db } = survive({
      base: ['CREATE TABLE tickets (id INTEGER PRIMARY KEY AUTOINCREMENT, subject TEXT)'],
      seed: (db) => {
        const insert = db.prepare('INSERT INTO tickets (subject) VALUES (?)');
        for (let i = 0; i < ROWS; i++) insert.run(`ticket ${i}`);
        db.prepare('DELETE FROM tickets WHERE id > ?').run(ROWS - 100);
        db.prepare("UPDATE sqlite_sequence SET seq = 1000000 WHERE name = 'tickets'").run();
      },
      table: 'tickets',
    });
    expect(db.prepare("SELECT seq FROM sqlite_sequence WHERE name = 'tickets'").pluck().get()).toBe(1_000_000);
    expect(db.prepare("SELECT count(*) FROM sqlite_sequence WHERE name LIKE '%godwit%'").pluck().get()).toBe(0);
    expect(db.prepare("INSERT INTO tickets (subject) VALUES ('next')").run().lastInsertRowid).toBe(1_000_001);
    db.close();
  });

  it('STRICT tables stay STRICT', () => {
    const { db } = survive({
      base: ['CREATE TABLE readings (id INTEGER PRIMARY KEY, sensor TEXT NOT NULL, value REAL, raw ANY) STRICT'],
      seed: (db) => {
        const insert = db.prepare('INSERT INTO readings (sensor, value, raw) VALUES (?, ?, ?)');
        for (let i = 0; i < ROWS; i++) insert.run(`s${i % 10}`, i / 7, i % 2 ? Buffer.from([i & 0xff]) : `r${i}`);
      },
      table: 'readings',
    });
    expect(db.prepare("SELECT strict FROM pragma_table_list WHERE name = 'readings'").pluck().get()).toBe(1);
    expect(() => db.prepare("INSERT INTO readings (sensor, value) VALUES ('s', 'not a number')").run()).toThrow(/cannot store TEXT value in REAL column/);
    db.close();
  });

  it('WITHOUT ROWID tables stay WITHOUT ROWID, every row by primary key intact', () => {
    const { db } = survive({
      base: ['CREATE TABLE kv (bucket TEXT NOT NULL, key TEXT NOT NULL, value BLOB, PRIMARY KEY (bucket, key)) WITHOUT ROWID'],
      seed: (db) => {
        const insert = db.prepare('INSERT INTO kv (bucket, key, value) VALUES (?, ?, ?)');
        for (let i = 0; i < ROWS; i++) insert.run(`b${i % 13}`, `k${i}`, Buffer.from([i & 0xff, 0, i >> 8]));
      },
      table: 'kv',
    });
    expect(db.prepare("SELECT wr FROM pragma_table_list WHERE name = 'kv'").pluck().get()).toBe(1);
    expect(rowCount(db, 'kv')).toBe(ROWS);
    db.close();
  });

  for (const [label, ddl] of [
    ['no primary key', 'CREATE TABLE events (kind TEXT, at INTEGER)'],
    ['a non-INTEGER primary key', 'CREATE TABLE events (kind TEXT PRIMARY KEY, at INTEGER)'],
    ['an INT (not INTEGER) primary key', 'CREATE TABLE events (id INT PRIMARY KEY, kind TEXT, at INTEGER)'],
  ] as const) {
    it(`rowids of a table with ${label} are preserved, gaps included`, () => {
      const { db } = survive({
        base: [ddl],
        seed: (db) => {
          const withId = ddl.includes('id INT');
          const insert = db.prepare(withId ? 'INSERT INTO events (rowid, id, kind, at) VALUES (?, ?, ?, ?)' : 'INSERT INTO events (rowid, kind, at) VALUES (?, ?, ?)');
          for (let i = 1; i <= ROWS; i++) {
            const args = [i * 3 + 100, `kind ${i}`, i];
            insert.run(...(withId ? [args[0], ROWS - i, args[1], args[2]] : args));
          }
        },
        table: 'events',
      });
      expect(db.prepare('SELECT min(rowid), max(rowid) FROM events').raw(true).get()).toEqual([103, ROWS * 3 + 100]);
      db.close();
    });
  }

  it('rowids of a table whose key is INTEGER PRIMARY KEY DESC (not a rowid alias in SQLite) are preserved', () => {
    const { db } = survive({
      base: ['CREATE TABLE events (id INTEGER PRIMARY KEY DESC, kind TEXT)'],
      seed: (db) => {
        const insert = db.prepare('INSERT INTO events (rowid, id, kind) VALUES (?, ?, ?)');
        for (let i = 1; i <= ROWS; i++) insert.run(i * 10, i, `kind ${i}`);
      },
      table: 'events',
    });
    db.close();
  });
});
