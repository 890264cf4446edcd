import { describe, expect, it } from 'vitest';
import type { Operation } from '../ops/operation.js';
import { recordOperations } from '../ops/recorder.js';
import { literal, renderRevisionSource } from './render-revision.js';

const OPERATIONS: Operation[] = [
  {
    kind: 'createTable',
    table: 't',
    columns: [{ name: 'id', type: 'INTEGER', notNull: true, primaryKey: true, autoincrement: true }, { name: 'a', type: 'TEXT', default: "'it''s'" }],
    options: { constraints: ['CONSTRAINT "c" CHECK (a <> \'x\\y\')'] },
  },
  { kind: 'addColumn', table: 't', column: { name: 'b', type: 'INTEGER', notNull: true, default: '0' } },
  { kind: 'addColumn', table: 't', column: { name: 'g', type: 'TEXT', generated: { expr: "a || 'x'", stored: true } }, after: 'a' },
  { kind: 'alterColumn', table: 't', column: 'a', changes: { default: null, notNull: true } },
  { kind: 'createIndex', name: 'i', table: 't', columns: ['lower(a)'], unique: true, where: 'b > 0' },
  { kind: 'addForeignKey', table: 't', name: 'fk', columns: ['b'], refTable: 'u', refColumns: ['id'], onDelete: 'CASCADE' },
  { kind: 'renameColumn', table: 't', from: 'b', to: 'c' },
  { kind: 'dropPrimaryKey', table: 't' },
  { kind: 'addPrimaryKey', table: 't', name: null, columns: ['id'], autoincrement: true },
  { kind: 'dropPrimaryKey', table: 't', name: 'pk' },
  { kind: 'addPrimaryKey', table: 't', name: 'pk', columns: ['a', 'c'] },
  { kind: 'addColumn', table: 't', column: { name: 'k', type: 'INTEGER', primaryKey: true }, before: 'a' },
  { kind: 'execute', sql: 'UPDATE t SET a = "q" WHERE a = \'\n\'' },
  { kind: 'dropTable', table: 't' },
];

describe('renderRevisionSource', () => {
  it('writes op calls that record exactly the operations they were written from', () => {
    const source = renderRevisionSource({
      id: 'abcd',
      parent: null,
      message: "it's",
      header: [],
      up: OPERATIONS.map((operation) => ({ operation, note: 'a note\nover two lines' })),
      down: [],
    });
    const up = /up\(op\) \{\n([\s\S]*?)\n {2}\},/.exec(source)![1]!;
    expect(up).toContain('    // over two lines\n');
    const recorded = recordOperations(new Function('op', up) as (op: unknown) => void);
    expect(recorded).toEqual(OPERATIONS);
  });

  it('writes plain data as literals that evaluate back to it', () => {
    for (const value of ["it's", 'a\\b\n"c"', ['x', { 'odd key': 1, ok: true }], null, -1.5]) {
      expect(new Function(`return ${literal(value)}`)()).toEqual(value);
    }
  });
});
