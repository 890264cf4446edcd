import Database from 'better-sqlite3';
import { getTableConfig } from 'drizzle-orm/sqlite-core';
import { describe, expect, it } from 'vitest';
import { AGENT_TABLES_DDL } from './ddl.js';
import { godwitApplyLog, godwitHeads, godwitRevisions, godwitState } from './tables.js';

describe('agent bookkeeping DDL', () => {
  it('creates exactly the columns the drizzle tables declare', () => {
    const db = new Database(':memory:');
    for (const sql of AGENT_TABLES_DDL) db.exec(sql);
    for (const table of [godwitHeads, godwitRevisions, godwitState, godwitApplyLog]) {
      const config = getTableConfig(table);
      const live = db.pragma(`table_info(${config.name})`) as { name: string; notnull: number; pk: number }[];
      const declared = config.columns.map((c) => ({ name: c.name, notnull: c.notNull || c.primary ? 1 : 0, pk: c.primary ? 1 : 0 }));
      expect(live.map((c) => ({ name: c.name, notnull: c.notnull || c.pk ? 1 : 0, pk: c.pk ? 1 : 0 }))).toEqual(declared);
    }
  });

  it('names every table with the godwit_ prefix the schema reader skips', () => {
    for (const sql of AGENT_TABLES_DDL) expect(sql).toMatch(/CREATE TABLE IF NOT EXISTS godwit_/);
  });
});
