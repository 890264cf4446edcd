import { describe, expect, it } from 'vitest';
import { chainChecksums, revisionChecksum, type RevisionContent } from './checksum.js';

const base: RevisionContent = {
  id: 'base0001',
  parents: [],
  message: 'create events',
  up: [{ kind: 'createTable', table: 'events', columns: [{ name: 'id', type: 'INTEGER', primaryKey: true }], options: {} }],
  down: [{ kind: 'dropTable', table: 'events' }],
};
const left: RevisionContent = {
  id: 'left0002',
  parents: ['base0001'],
  message: 'add name',
  up: [{ kind: 'addColumn', table: 'events', column: { name: 'name', type: 'TEXT' } }],
  down: null,
};
const right: RevisionContent = { id: 'right003', parents: ['base0001'], message: 'index', up: [], down: [] };
const merge: RevisionContent = { id: 'merge004', parents: ['left0002', 'right003'], message: 'merge', up: [], down: [] };

describe('revisionChecksum', () => {
  it('is a hex SHA-256 that does not depend on key order or absent optional fields', () => {
    const sum = revisionChecksum(base, []);
    expect(sum).toMatch(/^[0-9a-f]{64}$/);
    const reordered = {
      down: base.down,
      up: [{ options: {}, columns: [{ primaryKey: true, type: 'INTEGER', name: 'id', notNull: undefined }], table: 'events', kind: 'createTable' }],
      message: base.message,
      parents: [],
      id: base.id,
    } as RevisionContent;
    expect(revisionChecksum(reordered, [])).toBe(sum);
  });

  it('changes with every part of the content', () => {
    const sum = revisionChecksum(left, ['0'.repeat(64)]);
    const variants: RevisionContent[] = [
      { ...left, id: 'left0009' },
      { ...left, message: 'add name!' },
      { ...left, up: [] },
      { ...left, down: [] },
    ];
    for (const variant of variants) expect(revisionChecksum(variant, ['0'.repeat(64)])).not.toBe(sum);
    expect(revisionChecksum(left, ['1'.repeat(64)])).not.toBe(sum);
  });

  it('depends on the order of the parents', () => {
    const a = revisionChecksum(merge, ['1'.repeat(64), '2'.repeat(64)]);
    const b = revisionChecksum({ ...merge, parents: ['right003', 'left0002'] }, ['2'.repeat(64), '1'.repeat(64)]);
    expect(a).not.toBe(b);
  });

  it('refuses a parent checksum list that does not match the parents', () => {
    expect(() => revisionChecksum(left, [])).toThrow(RangeError);
  });
});

describe('chainChecksums', () => {
  it('changes every descendant when an ancestor changes, and nothing else', () => {
    const before = chainChecksums([base, left, right, merge]);
    const after = chainChecksums([base, { ...left, message: 'changed' }, right, merge]);
    expect(after.get('base0001')).toBe(before.get('base0001'));
    expect(after.get('right003')).toBe(before.get('right003'));
    expect(after.get('left0002')).not.toBe(before.get('left0002'));
    expect(after.get('merge004')).not.toBe(before.get('merge004'));
  });

  it('refuses a child listed before its parent', () => {
    expect(() => chainChecksums([left, base])).toThrow(/parent base0001 of revision left0002/);
  });
});
