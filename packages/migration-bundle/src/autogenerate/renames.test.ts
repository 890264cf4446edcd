import { describe, expect, it } from 'vitest';
import type { SchemaDescription, TableDescription } from '../schema/description.js';
import { applyRenames, invertRenames, parseRenames } from './renames.js';

const table = (name: string, columns: string[]): TableDescription => ({
  name,
  columns: columns.map((c) => ({ name: c, type: 'TEXT', notNull: false, default: null, primaryKey: 0, collate: null, generated: null })),
  autoincrement: false,
  primaryKeyClause: null,
  uniques: [],
  checks: [],
  foreignKeys: [],
  strict: false,
  withoutRowid: false,
});
const schema = (...tables: TableDescription[]): SchemaDescription => ({ tables, indexes: [], triggers: [], views: [], virtualTables: [] });

const head = schema(table('users', ['id', 'name']), table('posts', ['id', 'body']));
const target = schema(table('accounts', ['id', 'full_name']), table('posts', ['id', 'text']));

describe('parseRenames', () => {
  it('reads table and column renames, a column one by the old or the new table name', () => {
    const renames = parseRenames(['users=accounts', 'accounts.name=full_name', 'posts.body=text'], head, target);
    expect(renames.tables).toEqual(new Map([['users', 'accounts']]));
    expect(renames.columns).toEqual(new Map([['users', new Map([['name', 'full_name']])], ['posts', new Map([['body', 'text']])]]));
    expect(applyRenames(head, renames).tables.map((t) => [t.name, t.columns.map((c) => c.name)])).toEqual([
      ['accounts', ['id', 'full_name']],
      ['posts', ['id', 'text']],
    ]);
    const back = invertRenames(renames);
    expect(applyRenames(applyRenames(head, renames), back)).toEqual(head);
  });

  it.each([
    ['users', /expected OLD=NEW/],
    ['nosuch=accounts', /no table nosuch/],
    ['users=posts', /adds no table posts/],
    ['posts.nosuch=text', /drops no column posts.nosuch/],
    ['posts.body=id', /adds no column posts.id/],
    ['ghosts.a=b', /table ghosts must be in both the head and the schema/],
  ])('refuses --rename %s as invalid input (the CLI makes it exit 2)', (value, message) => {
    expect(() => parseRenames([value], head, target)).toThrow(message);
    try {
      parseRenames([value], head, target);
    } catch (error) {
      expect((error as { code?: string }).code).toBe('invalid-input');
    }
  });
});
