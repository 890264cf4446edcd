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
