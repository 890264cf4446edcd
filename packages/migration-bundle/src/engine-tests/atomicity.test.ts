/**
 * One copy per table per revision, and guarantee 2 for failing statements: whatever fails, and
 * wherever in a rebuild it fails, the database is left at its previous revision, byte for byte,
 * with no object of the rebuild left behind.
 */
import type { Database } from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import type { Operations } from '../ops/operation.js';
import type { MigrationStep } from '../plan/planner.js';
import { runMigration, type RunOptions } from '../execute/run-migration.js';
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
  leftovers,
  planUp,
  schemaRows,
  tempDb,
  thrown,
  type RevisionSpec,
} from './harness.js';
import { createShop, ORDER_COLUMNS, ORDERS, seedShop } from './shop-fixture.js';

afterAll(cleanupDatabases);

describe('one copy per table per revision', () => {
  it('three rebuild-needing changes of one table copy it once, and the copy carries all three', () => {
    const chain = buildChain([
      { id: 'r001_shop', up: createShop },
      {
        id: 'r002_three',
        up: (op) => {
          op.alterColumn('orders', 'qty', { type: 'BIGINT' });
          op.addCheck('orders', 'qty_positive', 'qty > 0');
          op.alterColumn('orders', 'status', { default: "'pending'", notNull: true });
          op.addColumn('orders', 'code', 'TEXT', { unique: true });
          op.dropColumn('orders', 'legacy');
        },
      },
    ]);
    const signed = chain.byId('r002_three').upSql;
    expect(copyCount(signed)).toBe(1);
    expect(copyCount(signed, 'orders')).toBe(1);
    expect(signed.filter((sql) => sql === 'DROP TABLE "orders"')).toHaveLength(1);

    const { db } = tempDb();
    applyUp(db, chain, ['r001_shop']);
    seedShop(db);
    const kept = ORDER_COLUMNS.filter((c) => c !== 'legacy');
    const before = contentHash(db, 'orders', kept);
    const [live] = planUp(db, chain, ['r002_three']);
    expect(live!.rebuilt).toEqual(['orders']);
    expect(live!.statements.map((s) => s.sql)).toEqual(signed);
    const [report] = applyUp(db, chain, ['r002_three']);
    expect(report!.rebuilt).toMatchObject([{ table: 'orders', rowsCopied: ORDERS }]);
    expect(contentHash(db, 'orders', kept)).toBe(before);
    expectHealthy(db);
    expectAtRevision(db, chain.byId('r002_three'));
    db.close();
  });

  // The contract: "All operations of one revision on one table that need a rebuild share one copy",
  // also when a renameColumn or createIndex of that table stands between them.
  for (const [label, between] of [
    ['renameColumn', (op: Operations) => op.renameColumn('orders', 'note', 'remark')],
    ['createIndex', (op: Operations) => op.createIndex('orders_sku', 'orders', ['sku'])],
  ] as const) {
    it(`three rebuild-needing changes with a ${label} between them still copy the table once`, () => {
      const chain = buildChain([
        { id: 'r001_shop', up: createShop },
        {
          id: 'r002_three',
          up: (op) => {
            op.alterColumn('orders', 'qty', { type: 'BIGINT' });
            op.addCheck('orders', 'qty_positive', 'qty > 0');
            between(op);
            op.alterColumn('orders', 'status', { default: "'pending'" });
          },
        },
      ]);
      expect(copyCount(chain.byId('r002_three').upSql, 'orders')).toBe(1);
    });
  }
});

/** Runs `specs` after a seeded base and expects the run to fail, leaving everything as it was. */
function expectCleanFailure(specs: RevisionSpec[], options: { beforeCommit?: (db: Database) => void } = {}) {
  const chain = buildChain([{ id: 'r001_shop', up: createShop }, ...specs]);
  const { db, path } = tempDb();
  applyUp(db, chain, ['r001_shop']);
  seedShop(db);
  const data = dataSnapshot(db);
  const schema = schemaRows(db);
  const file = fileHash(path);
  const error = thrown(() =>
    applyUp(db, chain, specs.map((s) => s.id), options.beforeCommit ? { beforeCommit: options.beforeCommit } : {}),
  );
  expect(leftovers(db)).toEqual([]);
  expect(schemaRows(db)).toEqual(schema);
  expect(dataSnapshot(db)).toEqual(data);
  expect(fileHash(path)).toBe(file);
  expect(db.pragma('legacy_alter_table', { simple: true })).toBe(0);
  expect(db.pragma('foreign_keys', { simple: true })).toBe(1); // restored, as better-sqlite3 opened it
  expect(db.inTransaction).toBe(false);
  expectHealthy(db);
  return { db, error, chain };
}

describe('no leftovers and no change after a failure', () => {
  it('a row copy failing half way (NOT NULL over existing NULLs)', () => {
    const { db, error } = expectCleanFailure([
      { id: 'r002_bad', up: (op) => op.alterColumn('orders', 'note', { notNull: true }) },
    ]);
    expect(error.code).toBe('statement-failed');
    expect(error.revision).toBe('r002_bad');
    expect(error.sql).toMatch(/^INSERT INTO "_godwit_new_orders"/);
    db.close();
  });

  it('an index re-created at the end of a rebuild failing (new NOCASE collation makes a UNIQUE index see duplicates)', () => {
    // customers_email_exact was created outside the chain: the live plan adds it to the rebuild.
    const chain = buildChain([
      { id: 'r001_shop', up: createShop },
      { id: 'r002_nocase', up: (op) => op.alterColumn('customers', 'email', { collate: 'NOCASE' }) },
    ]);
    const { db, path } = tempDb();
    applyUp(db, chain, ['r001_shop']);
    seedShop(db);
    db.exec('CREATE UNIQUE INDEX customers_email_exact ON customers (email)');
    db.exec("INSERT INTO customers (id, name, email) VALUES (9001, 'Dup', 'C1@EXAMPLE.COM')");
    const data = dataSnapshot(db);
    const schema = schemaRows(db);
    const file = fileHash(path);
    // Without expectedSql: the device plans from its live schema, which has the extra index.
    const steps = [{ revision: 'r002_nocase', direction: 'up' as const, operations: chain.byId('r002_nocase').up }];
    const [plan] = planUp(db, chain, ['r002_nocase']);
    const statements = plan!.statements.map((s) => s.sql);
    const failing = statements.findIndex((s) => s.startsWith('CREATE UNIQUE INDEX "customers_email_exact"') || s.startsWith('CREATE UNIQUE INDEX customers_email_exact'));
    expect(failing).toBeGreaterThan(statements.indexOf('ALTER TABLE "_godwit_new_customers" RENAME TO "customers"'));
    const error = thrown(() => runMigrationDirect(db, steps));
    expect(error.code).toBe('statement-failed');
    expect(error.message).toMatch(/UNIQUE constraint failed/);
    expect(leftovers(db)).toEqual([]);
    expect(schemaRows(db)).toEqual(schema);
    expect(dataSnapshot(db)).toEqual(data);
    expect(fileHash(path)).toBe(file);
    expect(db.pragma('legacy_alter_table', { simple: true })).toBe(0);
    expectHealthy(db);
    db.close();
  });

  it('the second table of a revision failing after the first was rebuilt', () => {
    const { db, error } = expectCleanFailure([
      {
        id: 'r002_two',
        up: (op) => {
          op.addCheck('customers', 'name_present', "name <> ''");
          op.alterColumn('orders', 'price_cents', { type: 'INTEGER', using: 'CAST(price_cents AS INTEGER)', notNull: true });
        },
      },
    ]);
    expect(error.code).toBe('statement-failed');
    expect(error.message).toMatch(/NOT NULL constraint failed: _godwit_new_orders.price_cents/);
    db.close();
  });

  it('a full disk during the copy (the file may not grow: max_page_count)', () => {
    const chain = buildChain([
      { id: 'r001_shop', up: createShop },
      { id: 'r002_copy', up: (op) => op.alterColumn('orders', 'note', { collate: 'NOCASE' }) },
    ]);
    const { db, path } = tempDb();
    applyUp(db, chain, ['r001_shop']);
    seedShop(db);
    const data = dataSnapshot(db);
    const schema = schemaRows(db);
    const file = fileHash(path);
    const pages = db.pragma('page_count', { simple: true }) as number;
    db.pragma(`max_page_count = ${pages + 5}`);
    const error = thrown(() => applyUp(db, chain, ['r002_copy']));
    expect(error.code).toBe('statement-failed');
    expect(error.message).toMatch(/full/i);
    expect(leftovers(db)).toEqual([]);
    expect(schemaRows(db)).toEqual(schema);
    expect(dataSnapshot(db)).toEqual(data);
    expect(fileHash(path)).toBe(file);
    expectHealthy(db);
    expectAtRevision(db, chain.byId('r001_shop'));
    db.close();
  });

  it('validation in beforeCommit throwing after every statement ran', () => {
    const { db, error } = expectCleanFailure(
      [{ id: 'r002_ok', up: (op) => op.alterColumn('orders', 'sku', { collate: 'NOCASE' }) }],
      {
        beforeCommit: () => {
          throw new Error('fingerprint mismatch');
        },
      },
    );
    expect(error.code).toBe('validation-failed');
    expect(error.message).toContain('fingerprint mismatch');
    db.close();
  });

  it('a plan that differs from the signed SQL is refused before anything runs', () => {
    const chain = buildChain([
      { id: 'r001_shop', up: createShop },
      { id: 'r002_ok', up: (op) => op.alterColumn('orders', 'sku', { collate: 'NOCASE' }) },
    ]);
    const { db, path } = tempDb();
    applyUp(db, chain, ['r001_shop']);
    seedShop(db);
    const file = fileHash(path);
    const tampered = [...chain.byId('r002_ok').upSql];
    tampered[1] = `${tampered[1]} WHERE 0`;
    const error = thrown(() =>
      runMigrationDirect(db, [{ revision: 'r002_ok', direction: 'up', operations: chain.byId('r002_ok').up }], new Map([['r002_ok', tampered]])),
    );
    expect(error.code).toBe('plan-mismatch');
    expect(fileHash(path)).toBe(file);
    db.close();
  });
});

describe('a chain whose last revision fails', () => {
  const specs: RevisionSpec[] = [
    { id: 'r002_rebuild', up: (op) => op.alterColumn('orders', 'note', { collate: 'NOCASE' }) },
    {
      id: 'r003_more',
      up: (op) => {
        op.addColumn('orders', 'channel', 'TEXT', { default: "'web'" });
        op.createTable('shipments', [{ name: 'id', type: 'INTEGER', primaryKey: true }, { name: 'order_id', type: 'INTEGER' }]);
        op.execute('INSERT INTO shipments (order_id) SELECT id FROM orders WHERE id % 2 = 0');
      },
    },
    { id: 'r004_bad', up: (op) => op.execute('UPDATE orders SET sku = NULL WHERE id % 500 = 0') },
  ];

  it('leaves the database at its starting revision with every row intact (one transaction)', () => {
    const { db, error, chain } = expectCleanFailure(specs);
    expect(error.code).toBe('statement-failed');
    expect(error.revision).toBe('r004_bad');
    expect(error.message).toMatch(/NOT NULL constraint failed: orders.sku/);
    expect(db.prepare("SELECT count(*) FROM sqlite_schema WHERE name = 'shipments'").pluck().get()).toBe(0);
    expectAtRevision(db, chain.byId('r001_shop'));
    db.close();
  });

  it('with perRevision, ends at the last revision that committed, never in between', () => {
    const chain = buildChain([{ id: 'r001_shop', up: createShop }, ...specs]);
    const { db } = tempDb();
    applyUp(db, chain, ['r001_shop']);
    seedShop(db);
    const before = contentHash(db, 'orders', ORDER_COLUMNS);
    const error = thrown(() => applyUp(db, chain, specs.map((s) => s.id), { perRevision: true }));
    expect(error.revision).toBe('r004_bad');
    expectAtRevision(db, chain.byId('r003_more'));
    expect(contentHash(db, 'orders', ORDER_COLUMNS)).toBe(before);
    expect(db.prepare('SELECT count(*) FROM shipments').pluck().get()).toBe(ORDERS / 2);
    expectHealthy(db);
    db.close();
  });
});

function runMigrationDirect(db: Database, steps: MigrationStep[], expectedSql?: Map<string, string[]>) {
  const options: RunOptions = expectedSql ? { expectedSql } : {};
  return runMigration(db, steps, options);
}
