/**
 * The store the per-operation round trips run on: `customers` (500 rows), `products`, `orders`
 * (4,000 rows: a CASCADE child of customers, with unnamed constraints, a NOCASE column, a VIRTUAL
 * and a STORED generated column, indexes, a view and an audit trigger) and `line_items` (8,000
 * rows, a CASCADE child of orders). `roundTrip` applies a change to `orders` and its reverse on a
 * seeded file (or to another table of the store), as the build plans it and a device applies it,
 * checking every value both ways.
 */
import type { Database } from 'better-sqlite3';
import { expect } from 'vitest';
import type { Operations } from '../ops/operation.js';
import {
  applyDown,
  applyUp,
  buildChain,
  checkChain,
  columnsOf,
  contentHash,
  copyCount,
  dataSnapshot,
  expectAtRevision,
  expectHealthy,
  planUp,
  rowCount,
  tempDb,
} from './harness.js';

const CUSTOMERS = 500;
const ORDERS = 4000;
const LINES = 8000;

export function createStore(op: Operations): void {
  op.createTable('customers', [
    { name: 'id', type: 'INTEGER', primaryKey: true },
    { name: 'name', type: 'TEXT', notNull: true },
    { name: 'email', type: 'TEXT', unique: true },
  ]);
  op.createTable('products', [
    { name: 'sku', type: 'TEXT', primaryKey: true },
    { name: 'title', type: 'TEXT' },
  ]);
  op.createTable(
    'orders',
    [
      { name: 'id', type: 'INTEGER', primaryKey: true },
      { name: 'customer_id', type: 'INTEGER', references: { table: 'customers', column: 'id', onDelete: 'CASCADE' } },
      { name: 'sku', type: 'TEXT', notNull: true },
      { name: 'qty', type: 'INTEGER', notNull: true },
      { name: 'note', type: 'TEXT', collate: 'NOCASE' },
      { name: 'code', type: 'TEXT' },
      { name: 'label', type: 'TEXT', generated: { expr: "sku || ' x' || qty" } },
      { name: 'qty_cents', type: 'INTEGER', generated: { expr: 'qty * 100', stored: true } },
    ],
    {
      constraints: [
        'CHECK (qty > 0)',
        'UNIQUE (code)',
        'CHECK (length(code)\n          > 2)',
        'CHECK (qty < 1000 OR note IS NOT NULL)',
        'FOREIGN KEY (sku) REFERENCES products (sku)',
      ],
    },
  );
  op.createTable('line_items', [
    { name: 'id', type: 'INTEGER', primaryKey: true },
    { name: 'order_id', type: 'INTEGER', references: { table: 'orders', column: 'id', onDelete: 'CASCADE' } },
    { name: 'n', type: 'INTEGER' },
  ]);
  op.createTable('audit', [
    { name: 'id', type: 'INTEGER', primaryKey: true },
    { name: 'order_id', type: 'INTEGER' },
    { name: 'qty', type: 'INTEGER' },
  ]);
  op.createIndex('orders_sku', 'orders', ['sku']);
  op.createIndex('orders_note', 'orders', ['note']);
  op.execute('CREATE VIEW order_view AS SELECT o.id, c.name, o.qty, o.note FROM orders o JOIN customers c ON c.id = o.customer_id');
  op.execute('CREATE TRIGGER orders_audit AFTER UPDATE OF qty ON orders BEGIN INSERT INTO audit (order_id, qty) VALUES (NEW.id, NEW.qty); END');
}

export function seedStore(db: Database): void {
  db.transaction(() => {
    const customer = db.prepare('INSERT INTO customers (id, name, email) VALUES (?, ?, ?)');
    for (let i = 1; i <= CUSTOMERS; i++) customer.run(i, `Customer ${i}`, i % 9 === 0 ? null : `c${i}@example.com`);
    const product = db.prepare('INSERT INTO products (sku, title) VALUES (?, ?)');
    for (let i = 0; i < 100; i++) product.run(`SKU-${i}`, i % 4 ? `Product ${i}` : null);
    const order = db.prepare('INSERT INTO orders (id, customer_id, sku, qty, note, code) VALUES (?, ?, ?, ?, ?, ?)');
    const notes = ['Gift', 'gift', 'café', null, '東京', "it's", ''];
    for (let i = 1; i <= ORDERS; i++) {
      order.run(i, i % 13 === 0 ? null : (i % CUSTOMERS) + 1, `SKU-${i % 100}`, (i % 9) + 1, notes[i % notes.length], i % 5 === 0 ? null : `C-${i}`);
    }
    const line = db.prepare('INSERT INTO line_items (id, order_id, n) VALUES (?, ?, ?)');
    for (let i = 1; i <= LINES; i++) line.run(i, (i % ORDERS) + 1, i * 3);
  })();
}

export interface RoundTrip {
  up: (op: Operations) => void;
  down: (op: Operations) => void;
  /** The table the change is to (`orders` unless given). */
  table?: string;
  /** Columns of the table whose values the up removes (a dropped column): not compared after it. */
  dropped?: string[];
  /** The up runs natively (no copy of the table) rather than by the one-copy rebuild. */
  native?: boolean;
  /** What the change is for, checked after the up and again (inverted) after the down (given the data before the up). */
  afterUp?: (db: Database, upSql: string[]) => void;
  afterDown?: (db: Database, before: ReturnType<typeof dataSnapshot>) => void;
}

/** Applies base, the change and its reverse on a seeded file, checking every value and the schema. */
export function roundTrip(c: RoundTrip): void {
  const specs = [
    { id: 'r001_store', up: createStore },
    { id: 'r002_change', up: c.up, down: c.down },
  ];
  expect(checkChain(specs)).toEqual([]);
  const chain = buildChain(specs);
  const { db } = tempDb();
  applyUp(db, chain, ['r001_store']);
  seedStore(db);
  const before = dataSnapshot(db);
  const table = c.table ?? 'orders';
  const keptColumns = columnsOf(db, table).filter((name) => !c.dropped?.includes(name));
  const keptBefore = contentHash(db, table, keptColumns);

  const [live] = planUp(db, chain, ['r002_change']);
  expect(live!.statements.map((s) => s.sql)).toEqual(chain.byId('r002_change').upSql);
  const [report] = applyUp(db, chain, ['r002_change']);
  expect(report!.rebuilt.map((r) => r.table)).toEqual(c.native ? [] : [table]);
  expect(copyCount(chain.byId('r002_change').upSql, table)).toBe(c.native ? 0 : 1);
  expect(contentHash(db, table, keptColumns)).toBe(keptBefore);
  const others = (snapshot: ReturnType<typeof dataSnapshot>) => Object.entries(snapshot).filter(([name]) => name !== table);
  expect(others(dataSnapshot(db))).toEqual(others(before));
  expectHealthy(db);
  expectAtRevision(db, chain.byId('r002_change'));
  expectDependentsWork(db);
  c.afterUp?.(db, chain.byId('r002_change').upSql);

  applyDown(db, chain, 'r002_change');
  expectHealthy(db);
  expectAtRevision(db, chain.byId('r001_store'));
  if (!c.dropped) expect(dataSnapshot(db)).toEqual(before);
  expect(contentHash(db, table, keptColumns)).toBe(keptBefore);
  expectDependentsWork(db);
  c.afterDown?.(db, before);
  db.close();
}

/** The view reads, the trigger fires, and deleting a customer still cascades to orders and their lines. */
export function expectDependentsWork(db: Database): void {
  db.pragma('foreign_keys = ON');
  expect(rowCount(db, 'order_view')).toBe(db.prepare('SELECT count(*) FROM orders WHERE customer_id IS NOT NULL').pluck().get());
  const audits = rowCount(db, 'audit');
  db.exec('UPDATE orders SET qty = qty WHERE id = 1');
  expect(rowCount(db, 'audit')).toBe(audits + 1);
  db.exec('DELETE FROM audit WHERE id = (SELECT max(id) FROM audit)');
  db.exec('SAVEPOINT cascade');
  const orders = rowCount(db, 'orders');
  const theirs = db.prepare('SELECT count(*) FROM orders WHERE customer_id = 2').pluck().get() as number;
  const lines = rowCount(db, 'line_items');
  db.exec('DELETE FROM customers WHERE id = 2');
  expect(theirs).toBeGreaterThan(0);
  expect(rowCount(db, 'orders')).toBe(orders - theirs);
  expect(rowCount(db, 'line_items')).toBeLessThan(lines);
  db.exec('ROLLBACK TO cascade');
  db.exec('RELEASE cascade');
  db.pragma('foreign_keys = OFF');
}

export const accepts = (db: Database, sql: string) => {
  db.exec('SAVEPOINT probe');
  try {
    db.exec(sql);
    return true;
  } catch {
    return false;
  } finally {
    db.exec('ROLLBACK TO probe');
    db.exec('RELEASE probe');
  }
};

export const orderSql = (db: Database) => db.prepare("SELECT sql FROM sqlite_schema WHERE name = 'orders'").pluck().get() as string;
