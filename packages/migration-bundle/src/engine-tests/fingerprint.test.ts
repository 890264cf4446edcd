/**
 * Fingerprint properties: spelling (whitespace, identifier quoting, keyword case, comments) never
 * changes it; any change of a column, constraint, index, trigger or view does, and the diff names it.
 */
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { diffSchemas } from '../schema/diff.js';
import { readSchema } from '../schema/describe.js';
import { fingerprintDatabase } from '../schema/fingerprint.js';

const BASE = [
  "CREATE TABLE customers (id INTEGER PRIMARY KEY, email TEXT NOT NULL COLLATE NOCASE UNIQUE, name TEXT DEFAULT 'anon', score REAL CHECK (score >= 0), level INTEGER DEFAULT -1)",
  'CREATE TABLE orders (id INTEGER PRIMARY KEY AUTOINCREMENT, customer_id INTEGER NOT NULL, total INTEGER DEFAULT 0, doubled INTEGER AS (total * 2) VIRTUAL, CONSTRAINT fk_customer FOREIGN KEY (customer_id) REFERENCES customers (id) ON DELETE CASCADE, CONSTRAINT total_positive CHECK (total >= 0), UNIQUE (customer_id, total))',
  'CREATE INDEX orders_customer ON orders (customer_id, total DESC) WHERE total > 0',
  'CREATE INDEX customers_lower ON customers (lower(name))',
  'CREATE TRIGGER orders_ai AFTER INSERT ON orders BEGIN UPDATE customers SET score = score + 1 WHERE id = new.customer_id; END',
  'CREATE VIEW big_orders AS SELECT id, total FROM orders WHERE total > 100',
];

/** The same schema, spelled differently: whitespace, quoting, keyword and identifier case, comments. */
const RESPELLED = [
  `create   table "Customers"(
     [id] integer primary key,   -- the key
     \`email\` text not null collate nocase unique,
     "name"  Text Default 'anon',
     score real check(score>=0), level integer default - 1
   )`,
  `CREATE TABLE "orders" ( "id" INTEGER PRIMARY KEY AUTOINCREMENT , "customer_id" INTEGER NOT NULL , "total" INTEGER DEFAULT 0 ,
     doubled integer as (TOTAL*2) virtual,
     constraint "fk_customer" foreign key ("customer_id") references "customers"("id") on delete cascade,
     constraint [total_positive] check (  total>=0  ), unique(customer_id,total) )`,
  'create index "orders_customer" on "orders"("customer_id","total" desc) where "total">0',
  'create index Customers_Lower on customers(LOWER(name))',
  `create trigger orders_ai after insert on orders
     begin
       update customers set score=score+1 where id=NEW.customer_id;
     end`,
  'create view "big_orders" as /* big ones */ select ID, TOTAL from ORDERS where TOTAL>100',
];

function open(statements: string[]): Database.Database {
  const db = new Database(':memory:');
  for (const sql of statements) db.exec(sql);
  return db;
}

function fingerprint(statements: string[]): string {
  const db = open(statements);
  try {
    return fingerprintDatabase(db);
  } finally {
    db.close();
  }
}

const base = fingerprint(BASE);

describe('the fingerprint ignores spelling', () => {
  it('whitespace, identifier quoting, keyword and identifier case and comments do not change it', () => {
    expect(fingerprint(RESPELLED)).toBe(base);
    const a = open(BASE);
    const b = open(RESPELLED);
    expect(diffSchemas(readSchema(a), readSchema(b))).toEqual([]);
    a.close();
    b.close();
  });

  it("the order objects were created in and the tool's own tables do not change it", () => {
    const reordered = [BASE[1]!, BASE[0]!, BASE[5]!, BASE[4]!, BASE[3]!, BASE[2]!];
    expect(fingerprint(reordered)).toBe(base);
    expect(fingerprint([...BASE, 'CREATE TABLE godwit_state (key TEXT PRIMARY KEY, value TEXT)'])).toBe(base);
  });

  it('rows do not change it', () => {
    const db = open(BASE);
    db.exec("INSERT INTO customers (id, email) VALUES (1, 'a@b'); INSERT INTO orders (customer_id, total) VALUES (1, 500)");
    expect(fingerprintDatabase(db)).toBe(base);
    db.close();
  });
});

/** [what changes, statement index, from, to] */
const MUTATIONS: [string, number, string, string][] = [
  ['a column type', 0, 'score REAL', 'score NUMERIC'],
  ['NOT NULL dropped', 0, 'email TEXT NOT NULL', 'email TEXT'],
  ['a default literal (case inside a string matters)', 0, "DEFAULT 'anon'", "DEFAULT 'Anon'"],
  ['a negative default', 0, 'DEFAULT -1', 'DEFAULT 1'],
  ['a default added', 1, 'total INTEGER DEFAULT 0', 'total INTEGER DEFAULT 0, note TEXT DEFAULT (datetime())'],
  ['a collation', 0, 'COLLATE NOCASE', 'COLLATE RTRIM'],
  ['a column added', 0, 'level INTEGER DEFAULT -1', 'level INTEGER DEFAULT -1, extra BLOB'],
  ['a column renamed', 0, 'level INTEGER', 'rank INTEGER'],
  ['the column order', 0, "name TEXT DEFAULT 'anon', score REAL CHECK (score >= 0)", "score REAL CHECK (score >= 0), name TEXT DEFAULT 'anon'"],
  ['the primary key', 0, 'id INTEGER PRIMARY KEY', 'id INTEGER'],
  ['a generated column expression', 1, 'AS (total * 2) VIRTUAL', 'AS (total * 3) VIRTUAL'],
  ['a generated column becoming STORED', 1, 'AS (total * 2) VIRTUAL', 'AS (total * 2) STORED'],
  ['a CHECK expression', 0, 'score >= 0', 'score > 0'],
  ['a column UNIQUE dropped', 0, 'NOCASE UNIQUE', 'NOCASE'],
  ['a table UNIQUE changed', 1, 'UNIQUE (customer_id, total)', 'UNIQUE (total, customer_id)'],
  ['a foreign key action', 1, 'ON DELETE CASCADE', 'ON DELETE SET NULL'],
  ['a foreign key ON UPDATE action', 1, 'ON DELETE CASCADE', 'ON DELETE CASCADE ON UPDATE RESTRICT'],
  ['a constraint name', 1, 'CONSTRAINT total_positive', 'CONSTRAINT total_nonnegative'],
  ['AUTOINCREMENT', 1, 'PRIMARY KEY AUTOINCREMENT', 'PRIMARY KEY'],
  ['STRICT', 0, 'level INTEGER DEFAULT -1)', 'level INTEGER DEFAULT -1) STRICT'],
  ['WITHOUT ROWID', 0, 'level INTEGER DEFAULT -1)', 'level INTEGER DEFAULT -1) WITHOUT ROWID'],
  ['an index column order', 2, '(customer_id, total DESC)', '(total DESC, customer_id)'],
  ['an index sort direction', 2, 'total DESC', 'total'],
  ['an index WHERE', 2, 'WHERE total > 0', 'WHERE total > 1'],
  ['an index made UNIQUE', 2, 'CREATE INDEX', 'CREATE UNIQUE INDEX'],
  ['an expression index', 3, 'lower(name)', 'upper(name)'],
  ['an index collation', 3, 'lower(name)', 'name COLLATE NOCASE'],
  ['a trigger body', 4, 'score + 1', 'score + 2'],
  ['a trigger timing', 4, 'AFTER INSERT', 'BEFORE INSERT'],
  ['a view body', 5, 'total > 100', 'total > 1000'],
  ['a view column list', 5, 'SELECT id, total', 'SELECT id, total, customer_id'],
];

describe('the fingerprint changes with any change of a column, constraint, index, trigger or view', () => {
  it.each(MUTATIONS)('%s', (_label, index, from, to) => {
    const mutated = [...BASE];
    expect(mutated[index]).toContain(from);
    mutated[index] = mutated[index]!.replace(from, to);
    expect(fingerprint(mutated)).not.toBe(base);
    const a = open(BASE);
    const b = open(mutated);
    expect(diffSchemas(readSchema(a), readSchema(b)).length).toBeGreaterThan(0);
    a.close();
    b.close();
  });

  it.each([
    ['an index dropped', 'DROP INDEX orders_customer'],
    ['a trigger dropped', 'DROP TRIGGER orders_ai'],
    ['a view dropped', 'DROP VIEW big_orders'],
    ['a table added', 'CREATE TABLE notes (id INTEGER PRIMARY KEY)'],
    ['an FTS5 table added', 'CREATE VIRTUAL TABLE notes_fts USING fts5(body)'],
    ['an R*Tree table added', 'CREATE VIRTUAL TABLE areas USING rtree(id, min_x, max_x)'],
  ])('%s', (_label, sql) => {
    expect(fingerprint([...BASE, sql])).not.toBe(base);
  });

  it('a virtual table whose columns change', () => {
    const one = fingerprint([...BASE, 'CREATE VIRTUAL TABLE notes_fts USING fts5(body)']);
    const two = fingerprint([...BASE, 'CREATE VIRTUAL TABLE notes_fts USING fts5(title, body)']);
    expect(two).not.toBe(one);
  });

  // Constraint clauses that change what the database does, but that the description drops.
  it.each([
    ['a foreign key made DEFERRABLE INITIALLY DEFERRED', 1, 'ON DELETE CASCADE', 'ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED'],
    ['a UNIQUE given ON CONFLICT REPLACE (duplicates then delete rows)', 0, 'NOCASE UNIQUE', 'NOCASE UNIQUE ON CONFLICT REPLACE'],
    ['a table UNIQUE given a collation', 1, 'UNIQUE (customer_id, total)', 'UNIQUE (customer_id, total COLLATE NOCASE)'],
    ['a PRIMARY KEY given DESC (no longer a rowid alias)', 0, 'id INTEGER PRIMARY KEY', 'id INTEGER PRIMARY KEY DESC'],
  ] as [string, number, string, string][])('%s', (_label, index, from, to) => {
    const mutated = [...BASE];
    mutated[index] = mutated[index]!.replace(from, to);
    expect(mutated[index]).toContain(to);
    expect(fingerprint(mutated)).not.toBe(base);
  });
});
