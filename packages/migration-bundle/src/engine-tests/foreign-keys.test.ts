/**
 * Guarantee 1 for parents: rebuilding a table that other tables reference (ON DELETE CASCADE, SET
 * NULL, SET DEFAULT, RESTRICT, NO ACTION) keeps every child row and value, whatever the
 * connection's foreign_keys setting was and however many revisions share the transaction; a change
 * that creates a foreign-key violation rolls back, names the table and rowid, and leaves the file
 * as it was.
 */
import type { Database } from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import type { ForeignKeyAction, Operations } from '../ops/operation.js';
import {
  applyUp,
  buildChain,
  cleanupDatabases,
  contentHash,
  copyCount,
  dataSnapshot,
  expectAtRevision,
  expectHealthy,
  fileHash,
  planUp,
  rowCount,
  schemaRows,
  tempDb,
  thrown,
} from './harness.js';

afterAll(cleanupDatabases);

const PARENTS = 1000;
const KIDS = 3000;
const ACTIONS: ForeignKeyAction[] = ['CASCADE', 'SET NULL', 'SET DEFAULT', 'RESTRICT', 'NO ACTION'];
const kidTable = (action: ForeignKeyAction) => `kids_${action.toLowerCase().replace(' ', '_')}`;
const KID_COLUMNS = ['id', 'parent_id', 'v'];
const PARENT_COLUMNS = ['id', 'name', 'code'];

function createFamily(op: Operations, actions: ForeignKeyAction[] = ACTIONS): void {
  op.createTable('parents', [
    { name: 'id', type: 'INTEGER', primaryKey: true },
    { name: 'name', type: 'TEXT', notNull: true },
    { name: 'code', type: 'TEXT' },
  ]);
  for (const action of actions) {
    op.createTable(kidTable(action), [
      { name: 'id', type: 'INTEGER', primaryKey: true },
      {
        name: 'parent_id',
        type: 'INTEGER',
        ...(action === 'SET DEFAULT' ? { default: '1' } : {}),
        references: { table: 'parents', column: 'id', onDelete: action, onUpdate: action === 'CASCADE' ? 'CASCADE' : 'NO ACTION' },
      },
      { name: 'v', type: 'TEXT' },
    ]);
  }
  op.createTable('kids_free', [
    { name: 'id', type: 'INTEGER', primaryKey: true },
    { name: 'parent_id', type: 'INTEGER' },
  ]);
}

function seedFamily(db: Database, actions: ForeignKeyAction[] = ACTIONS): void {
  db.transaction(() => {
    const parent = db.prepare('INSERT INTO parents (id, name, code) VALUES (?, ?, ?)');
    for (let i = 1; i <= PARENTS; i++) parent.run(i, `parent ${i}`, i % 4 ? `P${i}` : null);
    for (const action of actions) {
      const kid = db.prepare(`INSERT INTO ${kidTable(action)} (id, parent_id, v) VALUES (?, ?, ?)`);
      for (let i = 1; i <= KIDS; i++) kid.run(i, i % 10 === 0 ? null : ((i * 7) % PARENTS) + 1, `${action} kid ${i}`);
    }
    const free = db.prepare('INSERT INTO kids_free (id, parent_id) VALUES (?, ?)');
    // Every tenth row points at a parent that does not exist.
    for (let i = 1; i <= KIDS; i++) free.run(i, i % 10 === 7 ? PARENTS + i : (i % PARENTS) + 1);
  })();
}

function childHashes(db: Database, actions: ForeignKeyAction[] = ACTIONS): Record<string, string> {
  return Object.fromEntries(actions.map((a) => [kidTable(a), contentHash(db, kidTable(a), KID_COLUMNS)]));
}

/** Rebuilds `parents` without changing a value: a new collation and a new CHECK. */
const rebuildParents = (op: Operations) => {
  op.alterColumn('parents', 'name', { collate: 'NOCASE' });
  op.addCheck('parents', 'name_present', "name <> ''");
};

describe('rebuilding a parent table keeps every child row and value', () => {
  for (const before of ['ON', 'OFF'] as const) {
    it(`with CASCADE, SET NULL, SET DEFAULT, RESTRICT and NO ACTION children, foreign_keys=${before} before`, () => {
      const chain = buildChain([
        { id: 'r001_family', up: (op) => createFamily(op) },
        { id: 'r002_rebuild', up: rebuildParents },
      ]);
      const { db } = tempDb();
      applyUp(db, chain, ['r001_family']);
      seedFamily(db);
      db.pragma(`foreign_keys = ${before}`);
      const kids = childHashes(db);
      const parents = contentHash(db, 'parents', PARENT_COLUMNS);

      const [plan] = planUp(db, chain, ['r002_rebuild']);
      expect(plan!.rebuilt).toEqual(['parents']);
      expect(plan!.statements.map((s) => s.sql)).toContain('DROP TABLE "parents"');
      applyUp(db, chain, ['r002_rebuild']);

      expect(db.pragma('foreign_keys', { simple: true })).toBe(before === 'ON' ? 1 : 0);
      expect(childHashes(db)).toEqual(kids);
      for (const action of ACTIONS) expect(rowCount(db, kidTable(action))).toBe(KIDS);
      expect(contentHash(db, 'parents', PARENT_COLUMNS)).toBe(parents);
      // kids_free holds orphans on purpose: only the declared foreign keys must be clean.
      expect(db.prepare('PRAGMA foreign_key_check').all()).toEqual([]);
      expectHealthy(db);
      expectAtRevision(db, chain.byId('r002_rebuild'));
      db.close();
    });
  }

  it('when several revisions rebuilding the parent (and a child) run in one transaction, foreign_keys=ON before', () => {
    const chain = buildChain([
      { id: 'r001_family', up: (op) => createFamily(op) },
      { id: 'r002_rebuild', up: rebuildParents },
      {
        id: 'r003_more',
        up: (op) => {
          op.addColumn('parents', 'rank', 'INTEGER', { notNull: true, default: '0', check: 'rank >= 0' });
          op.alterColumn('kids_cascade', 'v', { collate: 'NOCASE' });
        },
      },
      {
        id: 'r004_rename',
        up: (op) => {
          op.renameColumn('parents', 'code', 'parent_code');
          op.alterColumn('parents', 'parent_code', { type: 'VARCHAR(20)' });
        },
      },
    ]);
    const { db } = tempDb();
    applyUp(db, chain, ['r001_family']);
    seedFamily(db);
    db.pragma('foreign_keys = ON');
    const kids = childHashes(db);
    const parents = contentHash(db, 'parents', PARENT_COLUMNS);
    const plans = planUp(db, chain, ['r002_rebuild', 'r003_more', 'r004_rename']);
    expect(plans.map((p) => p.rebuilt)).toEqual([['parents'], ['kids_cascade'], ['parents']]);

    const reports = applyUp(db, chain, ['r002_rebuild', 'r003_more', 'r004_rename']);
    expect(reports.map((r) => r.revision)).toEqual(['r002_rebuild', 'r003_more', 'r004_rename']);
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(childHashes(db)).toEqual(kids);
    expect(contentHash(db, 'parents', ['id', 'name', 'parent_code'])).toBe(parents);
    expect(db.prepare('SELECT count(*) FROM parents WHERE rank = 0').pluck().get()).toBe(PARENTS);
    expectHealthy(db);
    expectAtRevision(db, chain.byId('r004_rename'));

    // The actions still work after all those rebuilds (RESTRICT and NO ACTION children first).
    expect(() => db.prepare('DELETE FROM parents WHERE id = 8').run()).toThrow(/FOREIGN KEY/);
    db.prepare('DELETE FROM kids_restrict WHERE parent_id = 8').run();
    db.prepare('DELETE FROM kids_no_action WHERE parent_id = 8').run();
    db.prepare('DELETE FROM parents WHERE id = 8').run();
    expect(db.prepare('SELECT count(*) FROM kids_set_default WHERE parent_id = 8').pluck().get()).toBe(0);
    expect(db.prepare('SELECT count(*) FROM kids_cascade WHERE parent_id = 8').pluck().get()).toBe(0);
    expect(db.prepare('SELECT count(*) FROM kids_set_null WHERE parent_id = 8').pluck().get()).toBe(0);
    expect(db.prepare('SELECT count(*) FROM kids_set_null WHERE parent_id IS NULL').pluck().get()).toBeGreaterThan(KIDS / 10);
    db.close();
  });

  for (const action of ACTIONS) {
    it(`a parent whose only child is ON DELETE ${action} rebuilds, foreign_keys=ON before`, () => {
      const chain = buildChain([
        { id: 'r001_family', up: (op) => createFamily(op, [action]) },
        { id: 'r002_rebuild', up: rebuildParents },
      ]);
      const { db } = tempDb();
      applyUp(db, chain, ['r001_family']);
      seedFamily(db, [action]);
      db.pragma('foreign_keys = ON');
      const kids = childHashes(db, [action]);
      applyUp(db, chain, ['r002_rebuild']);
      expect(childHashes(db, [action])).toEqual(kids);
      expectHealthy(db);
      expectAtRevision(db, chain.byId('r002_rebuild'));
      if (action === 'RESTRICT' || action === 'NO ACTION') {
        expect(() => db.prepare('DELETE FROM parents WHERE id = 8').run()).toThrow(/FOREIGN KEY constraint failed/);
      }
      db.close();
    });
  }
});

describe('a change that creates a foreign-key violation', () => {
  function violationCase(change: (op: Operations) => void, foreignKeys: 'ON' | 'OFF') {
    const chain = buildChain([
      { id: 'r001_family', up: (op) => createFamily(op) },
      { id: 'r002_ok', up: rebuildParents },
      { id: 'r003_bad', up: change },
    ]);
    const { db, path } = tempDb();
    applyUp(db, chain, ['r001_family']);
    seedFamily(db);
    db.pragma(`foreign_keys = ${foreignKeys}`);
    const data = dataSnapshot(db);
    const schema = schemaRows(db);
    const file = fileHash(path);
    const error = thrown(() => applyUp(db, chain, ['r002_ok', 'r003_bad']));
    return { chain, db, path, data, schema, file, error };
  }

  it('addForeignKey over orphan rows rolls back every revision of the run and names the table and rowid', () => {
    const { chain, db, path, data, schema, file, error } = violationCase(
      (op) => op.addForeignKey('kids_free', 'fk_free_parent', ['parent_id'], 'parents', ['id']),
      'ON',
    );
    expect(error.code).toBe('foreign-key-violation');
    expect(error.revision).toBe('r003_bad');
    // The first orphan is row 7 (parent 1007 does not exist).
    expect(error.message).toMatch(/kids_free rowid 7\b/);
    expect(error.message).toContain('parents');
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(dataSnapshot(db)).toEqual(data);
    expect(schemaRows(db)).toEqual(schema);
    expect(fileHash(path)).toBe(file);
    expectHealthy(db);
    expectAtRevision(db, chain.byId('r001_family'));
    db.close();
  });

  it('a data migration deleting parents (no cascade while foreign keys are off) rolls back and names the children', () => {
    const { chain, db, path, data, schema, file, error } = violationCase(
      (op) => op.execute('DELETE FROM parents WHERE id = 8'),
      'OFF',
    );
    expect(error.code).toBe('foreign-key-violation');
    expect(error.message).toMatch(/kids_\w+ rowid \d+ references a missing row in parents/);
    expect(db.pragma('foreign_keys', { simple: true })).toBe(0);
    expect(dataSnapshot(db)).toEqual(data);
    expect(schemaRows(db)).toEqual(schema);
    expect(fileHash(path)).toBe(file);
    expect(rowCount(db, 'parents')).toBe(PARENTS);
    expectAtRevision(db, chain.byId('r001_family'));
    db.close();
  });

  // Orphans a device already holds may be tolerated, but never a new one next to them: foreign_key_check
  // reports no rowid for WITHOUT ROWID tables, so a "same table, same rowid" comparison cannot tell them apart.
  for (const layout of ['rowid', 'WITHOUT ROWID'] as const) {
    it(`a new orphan is refused even in a ${layout} child table that already held one`, () => {
      const withoutRowid = layout === 'WITHOUT ROWID' ? ' WITHOUT ROWID' : '';
      const chain = buildChain([
        {
          id: 'r001_base',
          up: (op) => {
            op.execute('CREATE TABLE p (id INTEGER PRIMARY KEY)');
            op.execute(`CREATE TABLE kv (k TEXT PRIMARY KEY, p_id INTEGER REFERENCES p (id))${withoutRowid}`);
          },
        },
        { id: 'r002_delete', up: (op) => op.execute('DELETE FROM p WHERE id = 1') },
      ]);
      const { db, path } = tempDb();
      applyUp(db, chain, ['r001_base']);
      db.pragma('foreign_keys = OFF');
      db.exec("INSERT INTO p VALUES (1), (2); INSERT INTO kv VALUES ('old orphan', 99), ('a', 1), ('b', 1), ('c', 2)");
      db.pragma('foreign_keys = ON');
      const file = fileHash(path);
      const error = thrown(() => applyUp(db, chain, ['r002_delete']));
      expect(error.code).toBe('foreign-key-violation');
      expect(error.message).toContain('kv');
      expect(fileHash(path)).toBe(file);
      expect(rowCount(db, 'p')).toBe(2);
      db.close();
    });
  }

  // A device's old orphans are still the same rows after the revision renames or rebuilds their
  // table; refusing them there blocks that device's upgrades for good.
  it('old orphans in a child table the revision renames and rebuilds do not block it', () => {
    const chain = buildChain([
      { id: 'r001_family', up: (op) => createFamily(op, ['CASCADE']) },
      {
        id: 'r002_rename',
        up: (op) => {
          op.renameTable('kids_cascade', 'children');
          op.alterColumn('children', 'v', { collate: 'NOCASE' });
        },
      },
    ]);
    const { db } = tempDb();
    applyUp(db, chain, ['r001_family']);
    seedFamily(db, ['CASCADE']);
    db.pragma('foreign_keys = OFF');
    db.exec(`INSERT INTO kids_cascade (id, parent_id, v) VALUES (${KIDS + 1}, ${PARENTS + 5}, 'legacy orphan')`);
    applyUp(db, chain, ['r002_rename']);
    expect(rowCount(db, 'children')).toBe(KIDS + 1);
    expectAtRevision(db, chain.byId('r002_rename'));
    db.close();
  });

  it('the plan for a violating foreign key still copies the table once', () => {
    const chain = buildChain([
      { id: 'r001_family', up: (op) => createFamily(op) },
      { id: 'r002_fk', up: (op) => op.addForeignKey('kids_free', 'fk_free_parent', ['parent_id'], 'parents', ['id']) },
    ]);
    expect(copyCount(chain.byId('r002_fk').upSql, 'kids_free')).toBe(1);
  });
});

// Planning databases run with foreign keys off, as every real migration transaction does.
describe('planning with foreign keys off, as devices run', () => {
  it('a revision seeding a parent and a child, then one rebuilding the parent: the build succeeds and the device keeps both rows', () => {
    const specs = [
      {
        id: 'r001_lookup',
        up: (op: Operations) => {
          op.createTable('kinds', [
            { name: 'id', type: 'INTEGER', primaryKey: true },
            { name: 'label', type: 'TEXT', notNull: true },
          ]);
          op.createTable('items', [
            { name: 'id', type: 'INTEGER', primaryKey: true },
            { name: 'kind_id', type: 'INTEGER', references: { table: 'kinds', column: 'id' } },
          ]);
        },
      },
      {
        id: 'r002_seed',
        up: (op: Operations) => op.execute("INSERT INTO kinds (id, label) VALUES (1, 'tool'); INSERT INTO items (id, kind_id) VALUES (1, 1)"),
      },
      { id: 'r003_rebuild', up: (op: Operations) => op.alterColumn('kinds', 'label', { collate: 'NOCASE' }) },
    ];
    const chain = buildChain(specs);
    expect(copyCount(chain.byId('r003_rebuild').upSql, 'kinds')).toBe(1);
    const { db } = tempDb();
    applyUp(db, chain, ['r001_lookup', 'r002_seed', 'r003_rebuild'], { coalesce: true });
    expect(db.prepare('SELECT id, label FROM kinds').all()).toEqual([{ id: 1, label: 'tool' }]);
    expect(db.prepare('SELECT id, kind_id FROM items').all()).toEqual([{ id: 1, kind_id: 1 }]);
    expectHealthy(db);
    expectAtRevision(db, chain.byId('r003_rebuild'));
    db.close();
  });

  it('a table whose foreign key names a table outside the schema is rebuilt, planned and applied', () => {
    const chain = buildChain([
      {
        id: 'r001_notes',
        up: (op) =>
          op.createTable('notes', [
            { name: 'id', type: 'INTEGER', primaryKey: true },
            { name: 'account_id', type: 'INTEGER', references: { table: 'accounts', column: 'id' } },
            { name: 'body', type: 'TEXT' },
          ]),
      },
      {
        id: 'r002_rebuild',
        up: (op) => op.addCheck('notes', 'body_present', "body <> ''"),
        down: (op) => op.dropCheck('notes', 'body_present'),
      },
    ]);
    const { db } = tempDb();
    applyUp(db, chain, ['r001_notes']);
    // The application writes with foreign keys off: the parent table lives elsewhere.
    db.pragma('foreign_keys = OFF');
    db.exec("WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < 2000) INSERT INTO notes (id, account_id, body) SELECT i, i % 50, 'note ' || i FROM s");
    const before = contentHash(db, 'notes', ['id', 'account_id', 'body']);
    const [live] = planUp(db, chain, ['r002_rebuild']);
    expect(live!.statements.map((s) => s.sql)).toEqual(chain.byId('r002_rebuild').upSql);
    applyUp(db, chain, ['r002_rebuild']);
    expect(contentHash(db, 'notes', ['id', 'account_id', 'body'])).toBe(before);
    expectAtRevision(db, chain.byId('r002_rebuild'));
    db.close();
  });
});
