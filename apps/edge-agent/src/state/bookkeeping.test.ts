import { godwitApplyLog, godwitHeads, godwitRevisions, godwitState } from '@godwit/schema';
import Database from 'better-sqlite3';
import { drizzle } from 'drizzle-orm/better-sqlite3';
import { getTableConfig } from 'drizzle-orm/sqlite-core';
import { describe, expect, it } from 'vitest';
import { BOOKKEEPING_ADDED_COLUMNS, BOOKKEEPING_DDL } from './bookkeeping-ddl.js';
import { appendApplyLog, writeState } from './write-state.js';

describe('the agent\'s bookkeeping SQL agrees with the drizzle definitions in @godwit/schema', () => {
  it('creates exactly the columns the drizzle tables declare', () => {
    const db = new Database(':memory:');
    for (const sql of BOOKKEEPING_DDL) db.exec(sql);
    for (const table of [godwitHeads, godwitRevisions, godwitState, godwitApplyLog]) {
      const config = getTableConfig(table);
      expect(config.name).toMatch(/^godwit_/);
      const live = db.pragma(`table_info(${config.name})`) as { name: string; notnull: number; pk: number }[];
      const declared = config.columns.map((c) => ({ name: c.name, required: c.notNull || c.primary, pk: c.primary }));
      expect(live.map((c) => ({ name: c.name, required: c.notnull === 1 || c.pk === 1, pk: c.pk === 1 }))).toEqual(declared);
    }
  });

  it('adds the columns that came later to an apply log an older agent created', () => {
    const db = new Database(':memory:');
    const [older] = BOOKKEEPING_DDL.filter((sql) => sql.includes('godwit_apply_log')).map((sql) => sql.replace(/,\s*statistics TEXT/, ''));
    db.exec(older!);
    db.prepare("INSERT INTO godwit_apply_log (command, revisions, started_at, duration_ms, rows_copied, sizes_before, outcome, forced, rollback_allowed) VALUES ('upgrade', '[]', 1, 1, '{}', '{}', 'applied', 0, 0)").run();
    appendApplyLog(db, {
      command: 'upgrade', bundleId: 'b1', bundleSequence: 4, fromRevision: null, toRevision: 'aaaa', revisions: '["aaaa"]', startedAt: 9, durationMs: 2,
      rowsCopied: '{}', sizesBefore: '{}', sizesAfter: '{}', outcome: 'applied', error: null, forced: false, rollbackAllowed: false, drift: null,
      statistics: '{"carried":["t"],"analysed":[]}',
    });
    expect(db.prepare('SELECT statistics FROM godwit_apply_log ORDER BY id').all()).toEqual([{ statistics: null }, { statistics: '{"carried":["t"],"analysed":[]}' }]);
    expect(BOOKKEEPING_ADDED_COLUMNS.every(({ table, column }) => db.prepare('SELECT 1 FROM pragma_table_info(?) WHERE name = ?').get(table, column))).toBe(true);
  });

  it('writes rows that drizzle reads back through the schema package\'s definitions', () => {
    const db = new Database(':memory:');
    writeState(db, { heads: ['aaaa'], applied: [{ revision: 'aaaa', checksum: 'c1' }], removed: [], bundle: { id: 'b1', sequence: 4 }, now: 9 });
    appendApplyLog(db, {
      command: 'upgrade', bundleId: 'b1', bundleSequence: 4, fromRevision: null, toRevision: 'aaaa', revisions: '["aaaa"]', startedAt: 9, durationMs: 2,
      rowsCopied: '{}', sizesBefore: '{}', sizesAfter: '{}', outcome: 'applied', error: null, forced: true, rollbackAllowed: false, drift: null,
    });
    const orm = drizzle({ client: db });
    expect(orm.select().from(godwitHeads).all()).toEqual([{ revision: 'aaaa' }]);
    expect(orm.select().from(godwitRevisions).all()).toEqual([{ revision: 'aaaa', checksum: 'c1', bundleId: 'b1', appliedAt: 9 }]);
    expect(orm.select().from(godwitState).all()).toEqual([{ id: 1, bundleSequence: 4, bundleId: 'b1', updatedAt: 9 }]);
    expect(orm.select().from(godwitApplyLog).all()).toEqual([
      expect.objectContaining({ command: 'upgrade', forced: true, rollbackAllowed: false, toRevision: 'aaaa', sizesAfter: '{}' }),
    ]);
  });
});
