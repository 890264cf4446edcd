/**
 * Constraints as ORMs and hand-written DDL leave them, unnamed: dropped by what they are (a CHECK by
 * its expression, a UNIQUE or FOREIGN KEY by its columns), put back unnamed by the `down`, a
 * collation removed and restored, and a column dropped together with the constraints that use it
 * alone. Each change runs on thousands of rows with a CASCADE child, a trigger, a view and indexes,
 * then its reverse: every value kept both ways, the schema exactly the build's, `mbundle check`
 * clean on the pair.
 */
import { afterAll, describe, expect, it } from 'vitest';
import type { Operations } from '../ops/operation.js';
import { buildChain, cleanupDatabases, columnsOf, thrown } from './harness.js';
import { accepts, createStore, orderSql, roundTrip } from './store-fixture.js';

afterAll(cleanupDatabases);

describe('unnamed constraints, collations and columns with their constraints, both ways, on 12,500 rows', () => {
  it('alterColumn collate: null removes a collation; the down restores it', () => {
    roundTrip({
      up: (op) => op.alterColumn('orders', 'note', { collate: null }),
      down: (op) => op.alterColumn('orders', 'note', { collate: 'NOCASE' }),
      afterUp: (db) => {
        expect(orderSql(db)).not.toMatch(/NOCASE/);
        expect(db.prepare("SELECT count(*) FROM orders WHERE note = 'gift'").pluck().get()).toBe(
          db.prepare("SELECT count(*) FROM orders WHERE note = 'gift' COLLATE BINARY").pluck().get(),
        );
      },
      afterDown: (db) =>
        expect(db.prepare("SELECT count(*) FROM orders WHERE note = 'gift'").pluck().get()).toBeGreaterThan(
          db.prepare("SELECT count(*) FROM orders WHERE note = 'gift' COLLATE BINARY").pluck().get() as number,
        ),
    });
  });

  it('dropCheck by expression: an unnamed CHECK goes; the down adds it back unnamed', () => {
    roundTrip({
      up: (op) => op.dropCheck('orders', { expr: '"qty">0' }),
      down: (op) => op.addCheck('orders', null, 'qty > 0'),
      afterUp: (db) => expect(accepts(db, 'UPDATE orders SET qty = 0 WHERE id = 1')).toBe(true),
      afterDown: (db) => expect(accepts(db, 'UPDATE orders SET qty = 0 WHERE id = 1')).toBe(false),
    });
  });

  it('dropUnique by columns: a table-level UNIQUE goes; the down adds it back', () => {
    roundTrip({
      up: (op) => op.dropUnique('orders', { columns: ['code'] }),
      down: (op) => op.addUnique('orders', null, ['code']),
      afterUp: (db) => expect(accepts(db, "UPDATE orders SET code = 'C-1' WHERE id = 2")).toBe(true),
      afterDown: (db) => expect(accepts(db, "UPDATE orders SET code = 'C-1' WHERE id = 2")).toBe(false),
    });
  });

  it('dropForeignKey by columns and referenced table: an unnamed table-level key goes; the down adds it back', () => {
    roundTrip({
      up: (op) => op.dropForeignKey('orders', { columns: ['sku'], refTable: 'products' }),
      down: (op) => op.addForeignKey('orders', null, ['sku'], 'products', ['sku']),
      afterUp: (db) => expect(db.prepare('SELECT * FROM pragma_foreign_key_list(?)').all('orders')).toHaveLength(1),
      afterDown: (db) => expect(db.prepare('SELECT * FROM pragma_foreign_key_list(?)').all('orders')).toHaveLength(2),
    });
  });

  it('dropColumn takes along the constraints that use it alone, and says so in the SQL; the down puts them back', () => {
    roundTrip({
      up: (op) => op.dropColumn('orders', 'code'),
      down: (op) => {
        op.addColumn('orders', 'code', 'TEXT', { before: 'label' });
        op.addUnique('orders', null, ['code']);
        op.addCheck('orders', null, 'length(code) > 2');
      },
      dropped: ['code'],
      afterUp: (db, upSql) => {
        expect(columnsOf(db, 'orders')).not.toContain('code');
        expect(upSql.join('\n')).toContain('-- dropped with column code: UNIQUE (code)');
        expect(upSql.join('\n')).toContain('-- dropped with column code: CHECK (length(code) > 2)');
      },
    });
  });
});

describe('refusals name what stands in the way', () => {
  const refusal = (up: (op: Operations) => void) =>
    thrown(() => buildChain([{ id: 'r001_store', up: createStore }, { id: 'r002_change', up }])).message;

  it('a column used by a multi-column constraint is not dropped', () => {
    expect(refusal((op) => op.dropColumn('orders', 'note'))).toMatch(/table constraint CHECK \(qty < 1000 OR note IS NOT NULL\) also uses qty/);
  });

  it('an unnamed constraint that is not there, or is there twice, is not guessed', () => {
    expect(refusal((op) => op.dropCheck('orders', { expr: 'qty > 1' }))).toMatch(/has no CHECK constraint like CHECK \(qty > 1\)/);
    expect(refusal((op) => op.dropForeignKey('orders', { columns: ['sku'], refTable: 'customers' }))).toMatch(/has no foreign key like/);
    expect(
      refusal((op) => {
        op.addCheck('orders', 'again', 'qty > 0');
        op.dropCheck('orders', { expr: 'qty > 0' });
      }),
    ).toMatch(/matches 2 constraints .*drop it by name/);
  });
});
