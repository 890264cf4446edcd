import { describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { fingerprintOf, readSchema, type SchemaDescription } from '@godwit/migration-bundle';
import { assessDrift } from './assess-drift.js';

function schemaOf(sql: string): SchemaDescription {
  const db = new Database(':memory:');
  db.exec(sql);
  return readSchema(db);
}

const expectedSchema = schemaOf('create table events (id integer primary key, kind text not null)');
const expected = { fingerprint: fingerprintOf(expectedSchema), schema: expectedSchema };

describe('drift', () => {
  it('a device whose fingerprint is the revision’s expected one has not drifted', () => {
    const verdict = assessDrift({ revision: 'rev_0001', fingerprint: expected.fingerprint, schema: expectedSchema }, expected);
    expect(verdict).toEqual({ drifted: false, reason: null, expectedFingerprint: expected.fingerprint, diff: null });
  });

  it('a different fingerprint is drift, with a readable diff when the device sent its schema', () => {
    const live = schemaOf('create table events (id integer primary key, kind text not null, note text); create index events_note on events (note)');
    const verdict = assessDrift({ revision: 'rev_0001', fingerprint: fingerprintOf(live), schema: live }, expected);
    expect(verdict.drifted).toBe(true);
    expect(verdict.reason).toBe('fingerprint-mismatch');
    expect(verdict.diff).toMatch(/note/);
    expect(verdict.diff).toMatch(/events_note/);
    const blind = assessDrift({ revision: 'rev_0001', fingerprint: fingerprintOf(live), schema: null }, expected);
    expect(blind).toMatchObject({ drifted: true, reason: 'fingerprint-mismatch', diff: null });
  });

  it('a revision no stored bundle contains is flagged', () => {
    expect(assessDrift({ revision: 'rev_9999', fingerprint: expected.fingerprint, schema: null }, undefined)).toMatchObject({
      drifted: true,
      reason: 'unknown-revision',
    });
  });

  it('a database at base must be empty', () => {
    const empty = schemaOf('');
    expect(assessDrift({ revision: null, fingerprint: fingerprintOf(empty), schema: empty }, undefined).drifted).toBe(false);
    const verdict = assessDrift({ revision: null, fingerprint: expected.fingerprint, schema: expectedSchema }, undefined);
    expect(verdict).toMatchObject({ drifted: true, reason: 'fingerprint-mismatch' });
    expect(verdict.diff).toMatch(/events/);
  });
});
