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
import { applyUp, buildChain, cleanupDatabases, columnsOf, dataSnapshot, expectAtRevision, tempDb, thrown } from './harness.js';
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
    // Dropped within a rebuild the revision makes anyway: the trigger reading it is named.
    expect(
      refusal((op) => {
        op.execute('CREATE TRIGGER orders_label AFTER INSERT ON orders BEGIN INSERT INTO audit (order_id, qty) VALUES (NEW.id, length(NEW.label)); END');
        op.alterColumn('orders', 'note', { type: 'TEXT' });
        op.dropColumn('orders', 'label');
      }),
    ).toMatch(/trigger orders_label uses column orders\.label, which this revision drops/);
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

const keyOf = (db: Database, table: string) =>
  (db.prepare('SELECT name FROM pragma_table_info(?) WHERE pk > 0 ORDER BY pk').pluck().all(table) as string[]).join(', ');
/** Rows whose rowid is not their id: 0 when the ids are the rowids (kept, or aliased). */
const rowidsOff = (db: Database, table: string) => valuesOf(db, `SELECT count(*) FROM ${table} WHERE rowid IS NOT id`)[0];

describe('primary keys, both ways, on 12,500 rows', () => {
  it('dropPrimaryKey (unnamed, an INTEGER PRIMARY KEY): the rows keep their ids as rowids; a UNIQUE keeps the CASCADE child valid; the down puts the key back', () => {
    roundTrip({
      up: (op) => {
        op.dropPrimaryKey('orders');
        op.addUnique('orders', null, ['id']);
      },
      down: (op) => {
        op.dropUnique('orders', { columns: ['id'] });
        op.addPrimaryKey('orders', null, ['id']);
      },
      afterUp: (db) => {
        expect(keyOf(db, 'orders')).toBe('');
        expect(rowidsOff(db, 'orders')).toEqual([0]);
      },
      afterDown: (db) => expect(keyOf(db, 'orders')).toBe('id'),
    });
  });

  it('addPrimaryKey on existing columns (named, composite) and its drop by name; the old ids stay the rowids', () => {
    roundTrip({
      table: 'line_items',
      up: (op) => {
        op.dropPrimaryKey('line_items');
        op.addPrimaryKey('line_items', 'line_items_pk', ['order_id', 'n']);
      },
      down: (op) => {
        op.dropPrimaryKey('line_items', 'line_items_pk');
        op.addPrimaryKey('line_items', null, ['id']);
      },
      afterUp: (db) => {
        expect(keyOf(db, 'line_items')).toBe('order_id, n');
        expect(rowidsOff(db, 'line_items')).toEqual([0]);
        expect(accepts(db, 'INSERT INTO line_items (id, order_id, n) SELECT 99999, order_id, n FROM line_items WHERE id = 1')).toBe(false);
      },
    });
  });

  it('dropColumn of the primary-key column takes the key along (its values live on as the rowids); the down adds it back as the key, in place, from the rowids', () => {
    roundTrip({
      table: 'line_items',
      up: (op) => op.dropColumn('line_items', 'id'),
      down: (op) => op.addColumn('line_items', 'id', 'INTEGER', { primaryKey: true, before: 'order_id' }),
      dropped: ['id'],
      afterUp: (db, upSql) => {
        expect(keyOf(db, 'line_items')).toBe('');
        expect(upSql.find((sql) => sql.startsWith('INSERT'))).toMatch(/^INSERT INTO "_godwit_new_line_items" \(rowid, "order_id", "n"\) SELECT rowid, "order_id", "n"/);
      },
      // Every value came back: the ids were kept as the rowids, and the new key column takes them.
      afterDown: (db, before) => expect(dataSnapshot(db)).toEqual(before),
    });
  });

  it('addColumn with primaryKey joins the key the table has; a UNIQUE on id keeps the CASCADE child valid', () => {
    roundTrip({
      up: (op) => {
        op.addColumn('orders', 'line', 'INTEGER', { primaryKey: true, notNull: true, default: '1', after: 'id' });
        op.addUnique('orders', 'orders_id_unique', ['id']);
      },
      down: (op) => {
        op.dropUnique('orders', 'orders_id_unique');
        op.dropPrimaryKey('orders');
        op.dropColumn('orders', 'line');
        op.addPrimaryKey('orders', null, ['id']);
      },
      afterUp: (db) => {
        expect(keyOf(db, 'orders')).toBe('id, line');
        expect(rowidsOff(db, 'orders')).toEqual([0]);
      },
    });
  });

  it('refuses a key change that would leave a foreign key naming no key, a second key, and a WITHOUT ROWID table without one', () => {
    const refusal = (up: (op: Operations) => void) =>
      thrown(() => buildChain([{ id: 'r001_store', up: createStore }, { id: 'r002_change', up }])).message;
    expect(refusal((op) => op.dropPrimaryKey('orders'))).toMatch(
      /primary key of orders changes, and a foreign key of line_items referencing orders no longer names its primary key or a UNIQUE column set/,
    );
    expect(refusal((op) => op.addPrimaryKey('orders', null, ['sku']))).toMatch(/already has a primary key \(id\); drop it first/);
    expect(refusal((op) => op.dropPrimaryKey('line_items', 'pk'))).toMatch(/primary key of table line_items is unnamed, not pk/);
    expect(
      refusal((op) => {
        op.createTable('kv', [{ name: 'k', type: 'TEXT', primaryKey: true }, { name: 'v', type: 'TEXT' }], { withoutRowid: true });
        op.dropPrimaryKey('kv');
      }),
    ).toMatch(/WITHOUT ROWID table needs a primary key: kv would have none/);
  });
});

describe('a new INTEGER PRIMARY KEY takes the old rowids', () => {
  it('where the key column has no value of its own (NULL, or a new column), the row keeps its rowid', () => {
    const chain = buildChain([
      { id: 'r001_base', up: (op) => op.createTable('notes', [{ name: 'body', type: 'TEXT' }, { name: 'num', type: 'INTEGER' }]) },
      {
        id: 'r002_key',
        up: (op) => op.addPrimaryKey('notes', null, ['num']),
        down: (op) => op.dropPrimaryKey('notes'),
      },
    ]);
    const { db } = tempDb();
    applyUp(db, chain, ['r001_base']);
    db.exec("INSERT INTO notes (rowid, body, num) VALUES (10, 'a', 7), (20, 'b', NULL), (30, 'c', 8)");
    applyUp(db, chain, ['r002_key']);
    expect(valuesOf(db, 'SELECT rowid, body, num FROM notes ORDER BY rowid')).toEqual([[7, 'a', 7], [8, 'c', 8], [20, 'b', 20]]);
    expectAtRevision(db, chain.byId('r002_key'));
    db.close();
  });
});

describe('a new INTEGER PRIMARY KEY never takes a rowid another row holds as its key, on 3,000 rows', () => {
  const TICKETS = 3000;
  const chain = buildChain([
    {
      id: 'r001_base',
      up: (op) => {
        op.createTable('tickets', [{ name: 'body', type: 'TEXT' }, { name: 'legacy', type: 'INTEGER', unique: true }]);
        op.createTable('ticket_notes', [
          { name: 'id', type: 'INTEGER', primaryKey: true },
          { name: 'ticket', type: 'INTEGER', references: { table: 'tickets', column: 'legacy', onDelete: 'CASCADE' } },
        ]);
      },
    },
    { id: 'r002_key', up: (op) => op.addPrimaryKey('tickets', null, ['legacy']), down: (op) => op.dropPrimaryKey('tickets') },
  ]);

  /**
   * Up to 2,000 the odd rowids have no key and the even row after each holds that rowid as its key
   * (rowid 1 NULL, rowid 2 key 1: copying the old rowid would be a UNIQUE failure); above, every third
   * row has no key and its rowid is free. Each keyed ticket has a CASCADE note.
   */
  const seeded = () => {
    const { db } = tempDb();
    applyUp(db, chain, ['r001_base']);
    db.exec(`WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < ${TICKETS})
      INSERT INTO tickets (rowid, body, legacy) SELECT i, 'ticket ' || i,
        CASE WHEN i <= 2000 THEN CASE WHEN i % 2 = 1 THEN NULL ELSE i - 1 END WHEN i % 3 = 0 THEN NULL ELSE i * 10 END FROM s`);
    db.exec('INSERT INTO ticket_notes (ticket) SELECT legacy FROM tickets WHERE legacy IS NOT NULL ORDER BY rowid');
    return db;
  };
  /** The rule of docs/engine.md: own key; else the old rowid where free; else the largest key (29,990) plus the distance from rowid 1. */
  const expectedKey = (i: number) => {
    if (i <= 2000) return i % 2 === 1 ? 29990 + i : i - 1;
    return i % 3 === 0 ? i : i * 10;
  };

  it('keeps every row and every explicit key, gives a NULL key its free old rowid or a fresh one, at once or in rowid ranges alike', () => {
    const atOnce = seeded();
    const inRanges = seeded();
    const notesBefore = valuesOf(atOnce, 'SELECT id, ticket FROM ticket_notes ORDER BY id');
    applyUp(atOnce, chain, ['r002_key']);
    let progressEvents = 0;
    applyUp(inRanges, chain, ['r002_key'], { chunkRows: 250, onProgress: () => progressEvents++ });
    expect(progressEvents).toBeGreaterThan(10);

    for (const db of [atOnce, inRanges]) {
      expect(keyOf(db, 'tickets')).toBe('legacy');
      const rows = valuesOf(db, 'SELECT rowid, legacy, body FROM tickets ORDER BY body') as [number, number, string][];
      expect(rows).toHaveLength(TICKETS);
      const byTicket = new Map(rows.map(([rowid, legacy, body]) => [Number(body.slice('ticket '.length)), { rowid, legacy }]));
      for (let i = 1; i <= TICKETS; i++) expect(byTicket.get(i), `ticket ${i}`).toEqual({ rowid: expectedKey(i), legacy: expectedKey(i) });
      // The notes still reference their tickets, and the CASCADE still works through the new key.
      expect(valuesOf(db, 'SELECT id, ticket FROM ticket_notes ORDER BY id')).toEqual(notesBefore);
      expect(valuesOf(db, 'SELECT count(*) FROM ticket_notes n JOIN tickets t ON t.legacy = n.ticket')).toEqual([[notesBefore.length]]);
      expectAtRevision(db, chain.byId('r002_key'));
    }
    expect(dataSnapshot(inRanges)).toEqual(dataSnapshot(atOnce));
    atOnce.pragma('foreign_keys = ON');
    atOnce.exec('DELETE FROM tickets WHERE legacy = 1');
    expect(valuesOf(atOnce, 'SELECT count(*) FROM ticket_notes WHERE ticket = 1')).toEqual([[0]]);
    atOnce.close();
    inRanges.close();
  });
});
