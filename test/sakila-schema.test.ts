/**
 * A real schema nobody on the team wrote: the SQLite port of Sakila, loaded as-is from the shared
 * data folder, seeded with ~35,000 rows (cyclic store <-> staff keys, ON UPDATE CASCADE, ON DELETE
 * SET NULL, composite keys, a trigger on every table, views over up to eight tables), then several
 * of its tables rebuilt in one revision. Everything survives and the live schema is exactly the
 * one the build expects.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Database } from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import {
  applyUp,
  buildChain,
  cleanupDatabases,
  columnsOf,
  contentHash,
  copyCount,
  expectAtRevision,
  expectHealthy,
  planUp,
  rowCount,
  tempDb,
} from '../packages/migration-bundle/src/engine-tests/harness.js';

afterAll(cleanupDatabases);

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const schemaFile = ['/work/shared/data/sakila-sqlite-schema.sql', join(repoRoot, '..', 'shared', 'data', 'sakila-sqlite-schema.sql')].find(existsSync);
if (!schemaFile) throw new Error('sakila-sqlite-schema.sql not found in /work/shared/data or ../shared/data');
const SAKILA = readFileSync(schemaFile, 'utf8');

const TABLES = [
  'actor', 'country', 'city', 'address', 'language', 'category', 'customer', 'film', 'film_actor',
  'film_category', 'film_text', 'inventory', 'staff', 'store', 'payment', 'rental',
];
const VIEWS = ['customer_list', 'film_list', 'staff_list', 'sales_by_store', 'sales_by_film_category'];

function seedSakila(db: Database): void {
  const n = { country: 20, city: 200, address: 600, actor: 200, film: 1000, inventory: 4000, customer: 600, rental: 8000 };
  const ts = (i: number) => `2006-02-15 ${String(i % 24).padStart(2, '0')}:${String(i % 60).padStart(2, '0')}:00`;
  const features = ['Trailers', 'Commentaries,Deleted Scenes', 'Behind the Scenes', null];
  const ratings = ['G', 'PG', 'PG-13', 'R', 'NC-17'];
  db.pragma('foreign_keys = OFF'); // store and staff reference each other
  db.transaction(() => {
    const run = (sql: string, rows: number, args: (i: number) => unknown[]) => {
      const stmt = db.prepare(sql);
      for (let i = 1; i <= rows; i++) stmt.run(...args(i));
    };
    run('INSERT INTO country VALUES (?, ?, ?)', n.country, (i) => [i, `Country ${i} ✈`, ts(i)]);
    run('INSERT INTO city VALUES (?, ?, ?, ?)', n.city, (i) => [i, `City ${i}`, (i % n.country) + 1, ts(i)]);
    run('INSERT INTO address VALUES (?, ?, ?, ?, ?, ?, ?, ?)', n.address, (i) => [
      i, `${i} Main St`, i % 3 ? null : `Apt ${i}`, `District ${i % 17}`, (i % n.city) + 1, i % 5 ? `${10000 + i}` : null, `555-${i}`, ts(i),
    ]);
    run('INSERT INTO language VALUES (?, ?, ?)', 6, (i) => [i, ['English', 'Italian', 'Japanese', 'Mandarin', 'French', 'German'][i - 1], ts(i)]);
    run('INSERT INTO category VALUES (?, ?, ?)', 16, (i) => [i, `Category ${i}`, ts(i)]);
    run('INSERT INTO actor VALUES (?, ?, ?, ?)', n.actor, (i) => [i, `First${i}`, `Last${i % 50}`, ts(i)]);
    run('INSERT INTO film VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)', n.film, (i) => [
      i, `FILM TITLE ${i}`, i % 4 ? `A description of film ${i} – “quoted”` : null, String(2000 + (i % 10)), (i % 6) + 1,
      i % 7 ? null : ((i + 1) % 6) + 1, (i % 5) + 3, [0.99, 2.99, 4.99][i % 3], i % 11 ? 60 + (i % 120) : null,
      9.99 + (i % 20), ratings[i % 5], features[i % 4], ts(i),
    ]);
    run('INSERT INTO film_actor VALUES (?, ?, ?)', 5000, (i) => [((i - 1) % n.actor) + 1, Math.floor((i - 1) / 5) + 1, ts(i)]);
    run('INSERT INTO film_category VALUES (?, ?, ?)', n.film, (i) => [i, (i % 16) + 1, ts(i)]);
    run('INSERT INTO film_text VALUES (?, ?, ?)', n.film, (i) => [i, `FILM TITLE ${i}`, `text ${i}`]);
    run('INSERT INTO store VALUES (?, ?, ?, ?)', 2, (i) => [i, i, i, ts(i)]);
    run('INSERT INTO staff VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)', 4, (i) => [
      i, `Staff${i}`, `Member${i}`, i + 2, i % 2 ? Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, i]) : null, `staff${i}@sakila.example`,
      ((i - 1) % 2) + 1, 1, `staff${i}`, i % 2 ? '8cb2237d0679ca88db6464eac60da96345513964' : null, ts(i),
    ]);
    run('INSERT INTO inventory VALUES (?, ?, ?, ?)', n.inventory, (i) => [i, ((i - 1) % n.film) + 1, (i % 2) + 1, ts(i)]);
    run('INSERT INTO customer VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)', n.customer, (i) => [
      i, (i % 2) + 1, `Cust${i}`, `Omer${i % 80}`, i % 9 ? `cust${i}@sakila.example` : null, (i % n.address) + 1, i % 10 ? 'Y' : 'N', ts(i), ts(i + 1),
    ]);
    run('INSERT INTO rental VALUES (?, ?, ?, ?, ?, ?, ?)', n.rental, (i) => [
      i, `2005-05-${String((i % 28) + 1).padStart(2, '0')} ${String(i % 24).padStart(2, '0')}:${String(i % 60).padStart(2, '0')}:${String(Math.floor(i / 60) % 60).padStart(2, '0')}`,
      ((i - 1) % n.inventory) + 1, ((i * 7) % n.customer) + 1, i % 6 ? ts(i + 3) : null, (i % 4) + 1, ts(i),
    ]);
    run('INSERT INTO payment VALUES (?, ?, ?, ?, ?, ?, ?)', 8000, (i) => [
      i, ((i * 7) % n.customer) + 1, (i % 4) + 1, i % 13 ? i : null, [0.99, 2.99, 4.99, 10.99][i % 4], ts(i), ts(i),
    ]);
  })();
  db.pragma('foreign_keys = ON');
}

/** Row count and content hash (rowid and every original column) of every table. */
function contents(db: Database, originalColumns: Record<string, string[]>): Record<string, string> {
  return Object.fromEntries(TABLES.map((t) => [t, `${rowCount(db, t)}:${contentHash(db, t, ['rowid', ...originalColumns[t]!])}`]));
}

function objectsSql(db: Database, type: 'trigger' | 'view' | 'index'): Record<string, string> {
  const rows = db.prepare('SELECT name, sql FROM sqlite_schema WHERE type = ? AND sql IS NOT NULL').all(type) as { name: string; sql: string }[];
  return Object.fromEntries(rows.map((r) => [r.name, r.sql]));
}

describe('the Sakila schema, loaded as-is', () => {
  it('rebuilds customer, film, staff, store and rental (cyclic and SET NULL keys) keeping every row, trigger, view and key', () => {
    const chain = buildChain([
      { id: 's001_sakila', up: (op) => op.execute(SAKILA) },
      {
        id: 's002_rebuilds',
        up: (op) => {
          op.addColumn('customer', 'loyalty_points', 'INTEGER', { notNull: true, default: '0' });
          op.alterColumn('customer', 'email', { type: 'VARCHAR(100)' });
          op.alterColumn('film', 'rental_rate', { default: '5.99' });
          op.addCheck('film', 'film_length_positive', 'length IS NULL OR length > 0');
          op.alterColumn('staff', 'username', { type: 'VARCHAR(32)', collate: 'NOCASE' });
          op.addColumn('store', 'opened', 'TEXT', { default: "'2006-02-15'", check: 'opened IS NOT NULL' });
          op.addCheck('store', 'store_manager_present', 'manager_staff_id > 0');
          op.alterColumn('rental', 'return_date', { type: 'DATETIME' });
        },
      },
      { id: 's003_rename', up: (op) => op.renameColumn('customer', 'first_name', 'given_name') },
    ]);
    const { db } = tempDb('sakila.db');
    applyUp(db, chain, ['s001_sakila']);
    // No false drift right after loading: the live schema is the one the build expects.
    expectAtRevision(db, chain.byId('s001_sakila'));
    seedSakila(db);
    expectHealthy(db);

    const originalColumns = Object.fromEntries(TABLES.map((t) => [t, columnsOf(db, t)]));
    const before = contents(db, originalColumns);
    const triggers = objectsSql(db, 'trigger');
    const views = objectsSql(db, 'view');
    const indexes = objectsSql(db, 'index');
    const viewRows = Object.fromEntries(VIEWS.map((v) => [v, rowCount(db, v)]));
    expect(Object.keys(triggers)).toHaveLength(30);
    expect(viewRows.customer_list).toBe(600);

    const [plan] = planUp(db, chain, ['s002_rebuilds']);
    expect([...plan!.rebuilt].sort()).toEqual(['customer', 'film', 'rental', 'staff', 'store']);
    const sql = plan!.statements.map((s) => s.sql);
    for (const table of plan!.rebuilt) expect(copyCount(sql, table), table).toBe(1);

    const reports = applyUp(db, chain, ['s002_rebuilds', 's003_rename']);
    expect(reports[0]!.rebuilt.map((r) => `${r.table}:${r.rowsCopied}`).sort()).toEqual([
      'customer:600', 'film:1000', 'rental:8000', 'staff:4', 'store:2',
    ]);
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);

    // Every row and value (rowids included) of every table, under the renamed column's new name.
    originalColumns.customer = originalColumns.customer!.map((c) => (c === 'first_name' ? 'given_name' : c));
    expect(contents(db, originalColumns)).toEqual(before);
    expect(db.prepare('SELECT count(*) FROM customer WHERE loyalty_points = 0').pluck().get()).toBe(600);
    expect(db.prepare("SELECT count(*) FROM store WHERE opened = '2006-02-15'").pluck().get()).toBe(2);

    // Triggers and indexes come back with their exact SQL, except where the rename rewrote them;
    // views too, and they return what they returned.
    const triggersAfter = objectsSql(db, 'trigger');
    expect(Object.keys(triggersAfter).sort()).toEqual(Object.keys(triggers).sort());
    for (const [name, text] of Object.entries(triggers)) expect(triggersAfter[name], name).toBe(text);
    expect(objectsSql(db, 'index')).toEqual(indexes);
    const viewsAfter = objectsSql(db, 'view');
    for (const [name, text] of Object.entries(views)) {
      if (name === 'customer_list') expect(viewsAfter[name]).toMatch(/cu\.\s*"?given_name"?/);
      else expect(viewsAfter[name], name).toBe(text);
    }
    expect(Object.fromEntries(VIEWS.map((v) => [v, rowCount(db, v)]))).toEqual(viewRows);

    // The cyclic keys and the SET NULL / CASCADE actions still hold.
    expect(db.prepare("SELECT \"table\" || '.' || \"to\" FROM pragma_foreign_key_list('store') ORDER BY id").pluck().all()).toEqual([
      'address.address_id',
      'staff.staff_id',
    ]);
    expect(db.prepare("SELECT \"table\" FROM pragma_foreign_key_list('staff') ORDER BY id").pluck().all()).toEqual(['address', 'store']);
    expectHealthy(db);
    expectAtRevision(db, chain.byId('s003_rename'));

    // Behaviour after the rebuilds, with foreign keys on: triggers fire, actions cascade.
    db.prepare("UPDATE customer SET last_update = 'stale' WHERE customer_id = 1").run();
    expect(db.prepare('SELECT last_update FROM customer WHERE customer_id = 1').pluck().get()).not.toBe('stale');
    const paidForRental6 = db.prepare('SELECT count(*) FROM payment WHERE rental_id = 6').pluck().get();
    expect(paidForRental6).toBe(1);
    db.prepare('DELETE FROM rental WHERE rental_id = 6').run();
    expect(db.prepare('SELECT count(*) FROM payment WHERE payment_id = 6 AND rental_id IS NULL').pluck().get()).toBe(1);
    db.prepare('UPDATE store SET store_id = 7 WHERE store_id = 2').run();
    expect(db.prepare('SELECT count(*) FROM customer WHERE store_id = 7').pluck().get()).toBe(300);
    expect(() => db.prepare("INSERT INTO film (title, language_id, length, last_update) VALUES ('x', 1, 0, 'now')").run()).toThrow(
      /CHECK constraint failed: film_length_positive/,
    );
    expect(db.prepare("SELECT count(*) FROM staff WHERE username = 'STAFF1'").pluck().get()).toBe(1);
    expect(db.prepare('PRAGMA foreign_key_check').all()).toEqual([]);
    db.close();
  });
});
