/**
 * A rebuild's bytesBefore / bytesAfter, counted from the pages its statements allocate and free,
 * equal dbstat's walk of the table and its indexes, page for page: with overflow pages, a WITHOUT
 * ROWID table, AUTOINCREMENT, planner statistics, in rollback-journal and WAL files, with and
 * without auto-vacuum's pointer-map pages, at two page sizes.
 */
import type { Database } from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { applyUp, buildChain, cleanupDatabases, tempDb } from './harness.js';

afterAll(cleanupDatabases);

const chain = buildChain([
  {
    id: 's001_tables',
    up: (op) => {
      op.createTable('notes', [
        { name: 'id', type: 'INTEGER', primaryKey: true, autoincrement: true },
        { name: 'author', type: 'TEXT' },
        { name: 'body', type: 'TEXT' },
        { name: 'attachment', type: 'BLOB' },
      ]);
      op.createIndex('notes_by_author', 'notes', ['author']);
      op.addUnique('notes', 'notes_author_body', ['author', 'body']);
      op.createTable(
        'tags',
        [
          { name: 'name', type: 'TEXT', primaryKey: true },
          { name: 'uses', type: 'INTEGER' },
        ],
        { withoutRowid: true },
      );
      op.createTable('children', [
        { name: 'id', type: 'INTEGER', primaryKey: true },
        { name: 'note_id', type: 'INTEGER', references: { table: 'notes', column: 'id', onDelete: 'CASCADE' } },
      ]);
    },
  },
  {
    id: 's002_rebuild',
    up: (op) => {
      op.alterColumn('notes', 'author', { notNull: true });
      op.alterColumn('tags', 'uses', { notNull: true, default: '0' });
    },
  },
]);

/** What dbstat counts for a table and every index on it. */
function dbstatBytes(db: Database, table: string): number {
  const names = [table, ...(db.prepare("SELECT name FROM sqlite_schema WHERE type = 'index' AND tbl_name = ?").pluck().all(table) as string[])];
  const bytes = db.prepare('SELECT coalesce(sum(pgsize), 0) FROM dbstat WHERE name = ? AND aggregate = TRUE').pluck();
  return names.reduce((sum, name) => sum + (bytes.get(name) as number), 0);
}

function seed(db: Database): void {
  db.exec(`WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < 4000)
    INSERT INTO notes (author, body, attachment)
    SELECT 'author-' || (i % 97), printf('%.*c', 50 + i % 300, 'x') || i, CASE WHEN i % 40 = 0 THEN randomblob(9000 + i) END FROM s;
    WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < 3000)
    INSERT INTO tags (name, uses) SELECT 'tag-' || i || printf('%.*c', i % 200, 'y'), i FROM s;
    INSERT INTO children (note_id) SELECT id FROM notes WHERE id % 3 = 0;
    DELETE FROM notes WHERE id % 11 = 0;
    ANALYZE;`);
}

const layouts = [
  { name: 'rollback journal', pragmas: [] },
  { name: 'WAL', pragmas: ['journal_mode = WAL'] },
  { name: 'auto-vacuum FULL', pragmas: ['auto_vacuum = FULL'] },
  { name: 'auto-vacuum INCREMENTAL, 1 KiB pages', pragmas: ['page_size = 1024', 'auto_vacuum = INCREMENTAL'] },
  { name: '64 KiB pages', pragmas: ['page_size = 65536'] },
];

describe('rebuild sizes', () => {
  for (const layout of layouts) {
    it(`equal dbstat's, before and after, ${layout.name}`, () => {
      const { db } = tempDb();
      for (const pragma of layout.pragmas) db.pragma(pragma);
      applyUp(db, chain, ['s001_tables']);
      seed(db);
      const before = { notes: dbstatBytes(db, 'notes'), tags: dbstatBytes(db, 'tags') };
      const [report] = applyUp(db, chain, ['s002_rebuild']);
      const after = { notes: dbstatBytes(db, 'notes'), tags: dbstatBytes(db, 'tags') };
      expect(before.notes).toBeGreaterThan(40 * 9000);
      expect(report!.rebuilt).toEqual([
        { table: 'notes', rowsCopied: 3637, bytesBefore: before.notes, bytesAfter: after.notes },
        { table: 'tags', rowsCopied: 3000, bytesBefore: before.tags, bytesAfter: after.tags },
      ]);
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    });
  }
});

describe('rebuild sizes past 1 GiB', () => {
  it("skip SQLite's lock-byte page as dbstat does", () => {
    const { db } = tempDb();
    db.pragma('page_size = 65536');
    applyUp(db, chain, ['s001_tables']);
    // 600 rows of 1 MB of zeros: the copy takes the file past the lock-byte page at 1 GiB.
    db.exec(`WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < 600)
      INSERT INTO notes (author, body, attachment) SELECT 'a', 'b' || i, zeroblob(1000000) FROM s`);
    const lockBytePage = 0x40000000 / 65536 + 1;
    expect(db.pragma('page_count', { simple: true }) as number).toBeLessThan(lockBytePage);
    const before = dbstatBytes(db, 'notes');
    const [report] = applyUp(db, chain, ['s002_rebuild']);
    expect(db.pragma('page_count', { simple: true }) as number).toBeGreaterThan(lockBytePage);
    expect(report!.rebuilt[0]).toEqual({ table: 'notes', rowsCopied: 600, bytesBefore: before, bytesAfter: dbstatBytes(db, 'notes') });
  });
});
