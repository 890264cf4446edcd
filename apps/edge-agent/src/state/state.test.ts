import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { EMPTY_STATE, revisionLabel } from './agent-state.js';
import { readState } from './read-state.js';
import { appendApplyLog, writeState } from './write-state.js';

describe('bookkeeping', () => {
  it('reads an untouched database as base', () => {
    expect(readState(new Database(':memory:'))).toEqual(EMPTY_STATE);
    expect(readState(null)).toEqual(EMPTY_STATE);
  });

  it('reads back what writeState recorded, several heads included, and forgets removed revisions', () => {
    const db = new Database(':memory:');
    const bundle = { id: 'b1', sequence: 7 };
    writeState(db, { heads: ['aaaa', 'bbbb'], applied: [{ revision: 'base', checksum: 'c0' }, { revision: 'aaaa', checksum: 'c1' }, { revision: 'bbbb', checksum: 'c2' }], removed: [], bundle, now: 1 });
    let state = readState(db);
    expect(state.heads).toEqual(['aaaa', 'bbbb']);
    expect(revisionLabel(state.heads)).toBe('aaaa,bbbb');
    expect(state.bundleSequence).toBe(7);
    expect([...state.checksums]).toEqual([['base', 'c0'], ['aaaa', 'c1'], ['bbbb', 'c2']]);
    writeState(db, { heads: ['aaaa'], applied: [], removed: ['bbbb'], bundle: { id: 'b2', sequence: 9 }, now: 2 });
    state = readState(db);
    expect(state).toMatchObject({ heads: ['aaaa'], bundleSequence: 9, bundleId: 'b2' });
    expect(state.checksums.has('bbbb')).toBe(false);
  });

  it('appends apply-log rows with JSON columns and boolean flags', () => {
    const db = new Database(':memory:');
    appendApplyLog(db, {
      command: 'upgrade', bundleId: 'b', bundleSequence: 1, fromRevision: null, toRevision: 'aaaa', revisions: '["aaaa"]', startedAt: 5, durationMs: 3,
      rowsCopied: '{"t":2}', sizesBefore: '{}', sizesAfter: '{}', outcome: 'applied', error: null, forced: true, rollbackAllowed: false, drift: 'x',
    });
    expect(db.prepare('SELECT command, forced, rollback_allowed, rows_copied FROM godwit_apply_log').get()).toEqual({ command: 'upgrade', forced: 1, rollback_allowed: 0, rows_copied: '{"t":2}' });
  });
});
