/**
 * Generated columns, column positions and primary keys, each applied to the store's 4,000 orders
 * (a CASCADE child of customers, the parent of 8,000 CASCADE line items, with a view, a trigger,
 * indexes and two generated columns already there) natively where SQLite allows it and by the
 * one-copy rebuild otherwise, then reversed: every value kept both ways, the schema exactly the
 * build's, `mbundle check` clean on the pair.
 */
import type { Database } from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import type { Operations } from '../ops/operation.js';
import { buildChain, cleanupDatabases, columnsOf, thrown } from './harness.js';
import { accepts, createStore, orderSql, roundTrip } from './store-fixture.js';

afterAll(cleanupDatabases);

const valuesOf = (db: Database, sql: string) => db.prepare(sql).raw(true).all();

describe('generated columns, both ways, on 12,500 rows', () => {
  it('addColumn with a VIRTUAL generation expression runs natively; the down drops it natively', () => {
    roundTrip({
      up: (op) => op.addColumn('orders', 'shout', 'TEXT', { generated: { expr: 'upper(sku)' }, notNull: true }),
      down: (op) => op.dropColumn('orders', 'shout'),
      native: true,
      afterUp: (db, upSql) => {
        expect(upSql).toEqual([`ALTER TABLE "orders" ADD COLUMN "shout" TEXT GENERATED ALWAYS AS (upper(sku)) VIRTUAL NOT NULL`]);
        expect(valuesOf(db, 'SELECT count(*) FROM orders WHERE shout IS NOT upper(sku)')).toEqual([[0]]);
      },
      afterDown: (db) => expect(columnsOf(db, 'orders')).not.toContain('shout'),
    });
  });

  it('addColumn with a STORED generation expression rebuilds (ADD COLUMN cannot); the copy computes it', () => {
    roundTrip({
      up: (op) => op.addColumn('orders', 'weight', 'INTEGER', { generated: { expr: 'qty * 3 + length(sku)', stored: true } }),
      down: (op) => op.dropColumn('orders', 'weight'),
      afterUp: (db, upSql) => {
        expect(upSql.join('\n')).toMatch(/"weight" INTEGER GENERATED ALWAYS AS \(qty \* 3 \+ length\(sku\)\) STORED/);
        // Never written by the copy: SQLite computes it (and the existing generated columns) per row.
        expect(upSql.find((sql) => sql.startsWith('INSERT'))).not.toMatch(/weight|label|qty_cents/);
        expect(valuesOf(db, 'SELECT count(*) FROM orders WHERE weight IS NOT qty * 3 + length(sku)')).toEqual([[0]]);
      },
    });
  });

  it('a changed expression or kind rebuilds; generated: null keeps the computed values as plain ones', () => {
    roundTrip({
      up: (op) => {
        op.alterColumn('orders', 'label', { generated: { expr: "sku || ' / ' || qty", stored: true } });
        op.alterColumn('orders', 'qty_cents', { generated: null });
      },
      down: (op) => {
        op.alterColumn('orders', 'label', { generated: { expr: "sku || ' x' || qty" } });
        op.alterColumn('orders', 'qty_cents', { generated: { expr: 'qty * 100', stored: true } });
      },
      dropped: ['label'],
      afterUp: (db) => {
        expect(valuesOf(db, "SELECT count(*) FROM orders WHERE label IS NOT sku || ' / ' || qty")).toEqual([[0]]);
        // A plain column now: writable, and it kept what it computed.
        expect(valuesOf(db, 'SELECT count(*) FROM orders WHERE qty_cents IS NOT qty * 100')).toEqual([[0]]);
        expect(accepts(db, 'UPDATE orders SET qty_cents = 1 WHERE id = 1')).toBe(true);
      },
      afterDown: (db) => expect(accepts(db, 'UPDATE orders SET qty_cents = 1 WHERE id = 1')).toBe(false),
    });
  });

  it('dropping a generated column runs natively, VIRTUAL or STORED; the down puts it back where it was', () => {
    roundTrip({
      up: (op) => {
        op.dropColumn('orders', 'label');
        op.dropColumn('orders', 'qty_cents');
      },
      down: (op) => {
        op.addColumn('orders', 'label', 'TEXT', { generated: { expr: "sku || ' x' || qty" }, after: 'code' });
        op.addColumn('orders', 'qty_cents', 'INTEGER', { generated: { expr: 'qty * 100', stored: true } });
      },
      native: true,
      dropped: ['label', 'qty_cents'],
      afterUp: (db) => expect(orderSql(db)).not.toMatch(/GENERATED/),
    });
  });

  it('a table created with generated columns, and a generated column cannot take a default or be written by using', () => {
    const refusal = (up: (op: Operations) => void) =>
      thrown(() => buildChain([{ id: 'r001_store', up: createStore }, { id: 'r002_change', up }])).message;
    expect(refusal((op) => op.addColumn('orders', 'g', 'TEXT', { generated: { expr: 'sku' }, default: "'x'" }))).toMatch(
      /generated column can have neither a default/,
    );
    expect(refusal((op) => op.alterColumn('orders', 'label', { using: "'x'" }))).toMatch(/label is generated; it cannot take "using"/);
    expect(refusal((op) => op.addColumn('orders', 'g', 'TEXT', { generated: { expr: 'sku', virtual: true } as never }))).toMatch(
      /unknown key "virtual"/,
    );
  });
});

describe('column positions, both ways, on 12,500 rows', () => {
  it('addColumn after a column rebuilds with the column in place; the down drops it natively', () => {
    roundTrip({
      up: (op) => op.addColumn('orders', 'gift', 'INTEGER', { notNull: true, default: '0', after: 'qty' }),
      down: (op) => op.dropColumn('orders', 'gift'),
      afterUp: (db) => {
        expect(columnsOf(db, 'orders').slice(3, 6)).toEqual(['qty', 'gift', 'note']);
        expect(valuesOf(db, 'SELECT count(*) FROM orders WHERE gift IS NOT 0')).toEqual([[0]]);
      },
    });
  });

  it('a dropped column comes back where it was (before the first column too), so check passes on the pair', () => {
    roundTrip({
      up: (op) => {
        op.dropColumn('orders', 'label');
        op.addColumn('orders', 'first', 'TEXT', { before: 'id', default: "'f'" });
      },
      down: (op) => {
        op.dropColumn('orders', 'first');
        op.addColumn('orders', 'label', 'TEXT', { generated: { expr: "sku || ' x' || qty" }, before: 'qty_cents' });
      },
      dropped: ['label'],
      afterUp: (db) => expect(columnsOf(db, 'orders')[0]).toBe('first'),
    });
  });

  it('refuses a position naming no column, or two positions', () => {
    const refusal = (up: (op: Operations) => void) =>
      thrown(() => buildChain([{ id: 'r001_store', up: createStore }, { id: 'r002_change', up }])).message;
    expect(refusal((op) => op.addColumn('orders', 'x', 'TEXT', { after: 'nope' }))).toMatch(/table orders has no column nope/);
    expect(refusal((op) => op.addColumn('orders', 'x', 'TEXT', { after: 'qty', before: 'sku' }))).toMatch(/before or after, not both/);
  });
});
