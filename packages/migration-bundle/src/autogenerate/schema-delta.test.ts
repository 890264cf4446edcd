import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { readSchema } from '../schema/describe.js';
import { runMigration } from '../execute/run-migration.js';
import type { SchemaDescription } from '../schema/description.js';
import { parseRenames } from './renames.js';
import { operationsBetween } from './schema-delta.js';

function schemaOf(...statements: string[]): SchemaDescription {
  const db = new Database(':memory:');
  for (const sql of statements) db.exec(sql);
  const schema = readSchema(db);
  db.close();
  return schema;
}

const kinds = (from: SchemaDescription, to: SchemaDescription, renames: string[] = []) =>
  operationsBetween(from, to, parseRenames(renames, from, to)).map(({ operation }) =>
    operation.kind === 'createTable' || operation.kind === 'dropTable' ? `${operation.kind} ${operation.table}` : operation.kind,
  );

describe('operationsBetween', () => {
  it('orders operations so that each one applies: index drops first, referenced tables created first, index creation last', () => {
    const from = schemaOf('CREATE TABLE a (id INTEGER PRIMARY KEY, x TEXT)', 'CREATE INDEX a_x ON a (x)');
    const to = schemaOf(
      'CREATE TABLE c (id INTEGER PRIMARY KEY, b_id INTEGER, CONSTRAINT c_b FOREIGN KEY (b_id) REFERENCES b (id))',
      'CREATE TABLE b (id INTEGER PRIMARY KEY)',
      'CREATE TABLE a (id INTEGER PRIMARY KEY, y TEXT)',
      'CREATE INDEX a_y ON a (y)',
    );
    expect(kinds(from, to)).toEqual(['dropIndex', 'createTable b', 'createTable c', 'addColumn', 'dropColumn', 'createIndex']);
  });

  it('finds nothing to do between equal schemas', () => {
    const sql = ['CREATE TABLE a (id INTEGER PRIMARY KEY, x TEXT NOT NULL DEFAULT (1 + 2) CHECK (x <> \'\'))', 'CREATE UNIQUE INDEX a_x ON a (lower(x)) WHERE id > 0'];
    expect(operationsBetween(schemaOf(...sql), schemaOf(...sql), parseRenames([], schemaOf(), schemaOf()))).toEqual([]);
  });

  it('refuses to rename and hand-rebuild one table in one revision while a trigger names it', () => {
    const from = schemaOf(
      'CREATE TABLE a (id INTEGER PRIMARY KEY, x TEXT)',
      'CREATE TABLE log (msg TEXT)',
      "CREATE TRIGGER a_log AFTER INSERT ON a BEGIN INSERT INTO log VALUES ('a'); END",
    );
    const to = schemaOf('CREATE TABLE b (x TEXT, id INTEGER PRIMARY KEY)', 'CREATE TABLE log (msg TEXT)');
    expect(() => kinds(from, to, ['a=b'])).toThrow(/b is renamed and rebuilt by hand \(column order changes\)/);
  });
});

describe('operationsBetween, creating tables', () => {
  it.each([
    'CREATE TABLE a (p TEXT, q TEXT, PRIMARY KEY (p DESC, q) ON CONFLICT ABORT, UNIQUE (q COLLATE NOCASE, p) ON CONFLICT IGNORE)',
    'CREATE TABLE a (id INTEGER PRIMARY KEY AUTOINCREMENT, x TEXT COLLATE NOCASE UNIQUE NOT NULL DEFAULT (lower(\'X\')) CHECK (x <> \'\'))',
    'CREATE TABLE a (id INTEGER, b_id INTEGER, CONSTRAINT a_b FOREIGN KEY (b_id) REFERENCES b (id) ON DELETE SET NULL DEFERRABLE INITIALLY DEFERRED)',
    'CREATE TABLE a (k TEXT PRIMARY KEY, v BLOB) WITHOUT ROWID, STRICT',
  ])('re-creates %s exactly', (sql) => {
    const wanted = schemaOf(sql);
    const ops = operationsBetween(schemaOf(), wanted, parseRenames([], schemaOf(), wanted));
    const db = new Database(':memory:');
    runMigration(db, [{ revision: 'r001', direction: 'up', operations: ops.map((p) => p.operation) }]);
    expect(readSchema(db)).toEqual(wanted);
    db.close();
  });
});

describe('operationsBetween, changes the engine states without a hand rebuild', () => {
  it.each([
    ['a primary key created (and, back, dropped)', 'CREATE TABLE a (x INTEGER, y TEXT)', 'CREATE TABLE a (x INTEGER, y TEXT, PRIMARY KEY (y, x))', ['addPrimaryKey']],
    ['AUTOINCREMENT added', 'CREATE TABLE a (id INTEGER PRIMARY KEY, y TEXT)', 'CREATE TABLE a (id INTEGER PRIMARY KEY AUTOINCREMENT, y TEXT)', ['dropPrimaryKey', 'addPrimaryKey']],
    ['a column added first, as the key', 'CREATE TABLE a (y TEXT)', 'CREATE TABLE a (id INTEGER PRIMARY KEY, y TEXT)', ['addColumn', 'addPrimaryKey']],
    ['a collation removed', 'CREATE TABLE a (y TEXT COLLATE NOCASE)', 'CREATE TABLE a (y TEXT)', ['alterColumn']],
    ['an unnamed CHECK changed', 'CREATE TABLE a (y TEXT, CHECK (y <> \'\'))', 'CREATE TABLE a (y TEXT, CHECK (length(y) > 1))', ['dropCheck', 'addCheck']],
    [
      'an unnamed FOREIGN KEY changed',
      'CREATE TABLE p (id INTEGER PRIMARY KEY); CREATE TABLE a (p_id INTEGER REFERENCES p (id))',
      'CREATE TABLE p (id INTEGER PRIMARY KEY); CREATE TABLE a (p_id INTEGER REFERENCES p (id) ON DELETE CASCADE)',
      ['dropForeignKey', 'addForeignKey'],
    ],
    ['a generated column changed', 'CREATE TABLE a (y TEXT, g TEXT AS (y || 1))', 'CREATE TABLE a (y TEXT, g TEXT AS (y || 2) STORED)', ['alterColumn']],
  ])('%s: both ways, and each way reaches the schema exactly', (_label, fromSql, toSql, upKinds) => {
    const from = schemaOf(fromSql);
    const to = schemaOf(toSql);
    expect(kinds(from, to)).toEqual(upKinds);
    for (const [start, end] of [[fromSql, to], [toSql, from]] as const) {
      const db = new Database(':memory:');
      db.exec(start);
      const ops = operationsBetween(readSchema(db), end, parseRenames([], readSchema(db), end)).map((p) => p.operation);
      runMigration(db, [{ revision: 'r001', direction: 'up', operations: ops }]);
      expect(readSchema(db)).toEqual(end);
      db.close();
    }
  });
});
