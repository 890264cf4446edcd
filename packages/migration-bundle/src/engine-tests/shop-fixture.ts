/**
 * A small shop schema with thousands of rows, used by the per-operation tests: `customers` (500
 * rows), `orders` (4,000 rows, child of customers) and `audit` (written by a trigger on orders).
 */
import type { Database } from 'better-sqlite3';
import type { Operations } from '../ops/operation.js';

export const CUSTOMERS = 500;
export const ORDERS = 4000;
export const AUDITS = 2000;

export function createShop(op: Operations): void {
  op.createTable('customers', [
    { name: 'id', type: 'INTEGER', primaryKey: true },
    { name: 'name', type: 'TEXT', notNull: true },
    { name: 'email', type: 'TEXT', unique: true },
  ]);
  op.createTable('orders', [
    { name: 'id', type: 'INTEGER', primaryKey: true },
    { name: 'customer_id', type: 'INTEGER', references: { table: 'customers', column: 'id', onDelete: 'CASCADE' } },
    { name: 'sku', type: 'TEXT', notNull: true },
    { name: 'qty', type: 'INTEGER', notNull: true, default: '1' },
    { name: 'price_cents', type: 'TEXT' },
    { name: 'note', type: 'TEXT' },
    { name: 'legacy', type: 'BLOB' },
    { name: 'status', type: 'TEXT', default: "'new'" },
  ]);
  op.createIndex('orders_customer', 'orders', ['customer_id']);
  op.createTable('audit', [
    { name: 'id', type: 'INTEGER', primaryKey: true, autoincrement: true },
    { name: 'order_id', type: 'INTEGER' },
    { name: 'what', type: 'TEXT' },
  ]);
}

const NOTES = ['gift wrap 🎁', 'café crème', '東京へ配送', 'e\u0301te\u0301', null, "it's \"quoted\"", '', 'line\nbreak'];

/** Deterministic rows: every column is used, NULLs included. */
export function seedShop(db: Database): void {
  const insertCustomer = db.prepare('INSERT INTO customers (id, name, email) VALUES (?, ?, ?)');
  const insertAudit = db.prepare('INSERT INTO audit (order_id, what) VALUES (?, ?)');
  const insertOrder = db.prepare(
    'INSERT INTO orders (id, customer_id, sku, qty, price_cents, note, legacy, status) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
  );
  db.transaction(() => {
    for (let i = 1; i <= CUSTOMERS; i++) {
      insertCustomer.run(i, `Customer ${i}`, i % 7 === 0 ? null : `c${i}@example.com`);
    }
    for (let i = 1; i <= ORDERS; i++) {
      insertOrder.run(
        i,
        i % 11 === 0 ? null : (i % CUSTOMERS) + 1,
        `SKU-${(i * 7919) % 10007}`,
        (i % 9) + 1,
        i % 13 === 0 ? null : String((i * 37) % 100000),
        NOTES[i % NOTES.length],
        i % 5 === 0 ? null : Buffer.from([i & 0xff, 0, (i >> 8) & 0xff, 0]),
        i % 3 === 0 ? 'shipped' : 'new',
      );
    }
    for (let i = 1; i <= AUDITS; i++) insertAudit.run(i * 2, i % 2 ? 'created' : 'paid');
  })();
}

export const ORDER_COLUMNS = ['id', 'customer_id', 'sku', 'qty', 'price_cents', 'note', 'legacy', 'status'];
export const CUSTOMER_COLUMNS = ['id', 'name', 'email'];
export const AUDIT_COLUMNS = ['id', 'order_id', 'what'];
