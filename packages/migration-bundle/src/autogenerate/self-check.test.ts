import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { emptySchema, readSchema } from '../schema/describe.js';
import type { PlannedOperation } from './planned-operation.js';
import { selfCheck } from './self-check.js';

const createA: PlannedOperation = {
  operation: { kind: 'createTable', table: 'a', columns: [{ name: 'id', type: 'INTEGER', primaryKey: true }], options: {} },
};
const dropA: PlannedOperation = { operation: { kind: 'dropTable', table: 'a' } };

function targetWithA() {
  const db = new Database(':memory:');
  db.exec('CREATE TABLE a (id INTEGER PRIMARY KEY)');
  const schema = readSchema(db);
  db.close();
  return schema;
}

describe('selfCheck', () => {
  it('passes a revision whose up reaches the target and whose down comes back', () => {
    expect(() => selfCheck([], 'abcd', [createA], [dropA], targetWithA(), emptySchema(), new Set())).not.toThrow();
  });

  it('refuses an up that misses the target, a down that does not come back, and one that fails', () => {
    expect(() => selfCheck([], 'abcd', [], [], targetWithA(), emptySchema(), new Set())).toThrow(/generated up does not reach[\s\S]*table a/);
    expect(() => selfCheck([], 'abcd', [createA], [], targetWithA(), emptySchema(), new Set())).toThrow(/generated down does not reach/);
    expect(() => selfCheck([], 'abcd', [createA], [dropA, dropA], targetWithA(), emptySchema(), new Set())).toThrow(/generated down fails/);
  });
});
