/**
 * Guarantee 1, value by value: a rebuild copies every value byte for byte (storage class and
 * bytes, checked both through SQLite's typeof()/hex() and through exact JS values read with safe
 * integers), with no implicit CAST, and a renamed column's values land under its new name.
 */
import type { Database } from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import type { ProgressEvent } from '../execute/run-migration.js';
import {
  applyUp,
  buildChain,
  cleanupDatabases,
  expectAtRevision,
  expectHealthy,
  exactRows,
  planUp,
  rowCount,
  sqlTypedRows,
  tempDb,
} from './harness.js';

afterAll(cleanupDatabases);

const ROWS = 3000;

const BLOBS = [
  Buffer.alloc(0),
  Buffer.from([0]),
  Buffer.from([0, 0, 0, 0]),
  Buffer.from([0xff, 0x00, 0xfe, 0x00, 0x01]),
  Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 31) & 0xff)),
  Buffer.from('not utf-8: \xc3\x28', 'latin1'),
];
const INTEGERS = [
  -9223372036854775808n,
  9223372036854775807n,
  -9223372036854775807n,
  9223372036854775806n,
  0n,
  -1n,
  2n ** 53n + 1n,
  -(2n ** 53n) - 1n,
];
const REALS = [
  -0,
  Number.MIN_VALUE,
  -Number.MIN_VALUE,
  2.2250738585072014e-308,
  Number.MAX_VALUE,
  -Number.MAX_VALUE,
  0.1 + 0.2,
  1 / 3,
  Infinity,
  -Infinity,
  1e-300,
  123456789.12345679,
];
const JSON_TEXT = [
  '{"a":[1,2,{"b":null}],"ü":"\\u0000","n":-0.0}',
  '[]',
  '{"quote":"\\"x\\"","big":9223372036854775808}',
];
const TIMESTAMPS = ['2024-02-29T23:59:59.999Z', '1970-01-01 00:00:00', '9999-12-31 23:59:59+14:00', '2038-01-19T03:14:08'];
const UNICODE = [
  '👩‍👩‍👧‍👦 family',
  'e\u0301 vs \u00e9',
  '漢字かなカナ한국어',
  'مرحبا بالعالم',
  'nul\u0000inside',
  '\u200b\ufeffzero-width',
  '𝔘𝔫𝔦𝔠𝔬𝔡𝔢',
  '',
];
/** An untyped column keeps any storage class: one of each, -0.0 included. */
const MIXED: unknown[] = [-0, 42n, '0042', Buffer.from([0, 1]), null, 1.5, '1e3', 9223372036854775807n];

const COLUMNS = ['id', 'b', 'i', 'r', 'x', 'j', 'ts', 'u', 'n'];

function seedValues(db: Database): void {
  const insert = db.prepare('INSERT INTO vals (id, b, i, r, x, j, ts, u, n) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)').safeIntegers(true);
  db.transaction(() => {
    for (let k = 0; k < ROWS; k++) {
      const pick = <T>(list: readonly T[], salt: number): T | null => ((k + salt) % 17 === 0 ? null : list[(k + salt) % list.length]!);
      insert.run(
        BigInt(k + 1),
        pick(BLOBS, 1),
        pick(INTEGERS, 2),
        pick(REALS, 3),
        MIXED[k % MIXED.length],
        pick(JSON_TEXT, 4),
        pick(TIMESTAMPS, 5),
        pick(UNICODE, 6),
        null,
      );
    }
  })();
}

describe('values copy byte for byte through a rebuild', () => {
  for (const encoding of ['UTF-8', 'UTF-16le'] as const) {
    it(`BLOBs, 64-bit integers at the limits, REAL edge values, JSON, timestamps, unicode, invalid UTF-8, NULLs in a ${encoding} database; a renamed column keeps its values`, () => {
      const chain = buildChain([
        {
          id: 'r001_vals',
          up: (op) => op.execute('CREATE TABLE vals (id INTEGER PRIMARY KEY, b BLOB, i INTEGER, r REAL, x, j TEXT, ts TEXT, u TEXT, n TEXT)'),
        },
        {
          id: 'r002_rebuild',
          up: (op) => {
            op.renameColumn('vals', 'u', 'label');
            op.addCheck('vals', 'id_positive', 'id > 0');
            op.alterColumn('vals', 'j', { default: "'{}'" });
            op.addColumn('vals', 'added', 'TEXT', { unique: true });
          },
        },
      ]);
      const { db } = tempDb();
      db.pragma(`encoding = '${encoding}'`);
      applyUp(db, chain, ['r001_vals']);
      seedValues(db);
      // Text whose bytes are not valid in the database encoding: SQLite stores them as given.
      db.exec("UPDATE vals SET u = CAST(X'C328FFE282' AS TEXT) WHERE id % 97 = 0");
      expect(db.pragma('encoding', { simple: true })).toBe(encoding);
      const exactBefore = exactRows(db, 'vals', COLUMNS);
      const sqlBefore = sqlTypedRows(db, 'vals', COLUMNS);
      // The seed really holds the edge values (SQLite keeps -0.0 only where no REAL affinity applies).
      const negativeZero = db.prepare('SELECT x FROM vals WHERE id = 1').safeIntegers(true).pluck().get();
      expect(Object.is(negativeZero, -0)).toBe(true);
      const holding = db.prepare('SELECT count(*) FROM vals WHERE i = ?').pluck();
      for (const edge of INTEGERS) expect(holding.get(edge), `rows holding ${edge}`).toBeGreaterThan(0);
      expect(db.prepare("SELECT count(*) FROM vals WHERE typeof(b) = 'blob' AND length(b) = 0").pluck().get()).toBeGreaterThan(0);
      expect(db.prepare("SELECT count(DISTINCT hex(r)) FROM vals WHERE typeof(r) = 'real'").pluck().get()).toBeGreaterThanOrEqual(REALS.length - 1);

      const [plan] = planUp(db, chain, ['r002_rebuild']);
      expect(plan!.rebuilt).toEqual(['vals']);
      const copy = plan!.statements.find((s) => s.sql.startsWith('INSERT INTO "_godwit_new_vals"'))!.sql;
      expect(copy).not.toMatch(/CAST/i);
      applyUp(db, chain, ['r002_rebuild']);

      const renamed = COLUMNS.map((c) => (c === 'u' ? 'label' : c));
      expect(rowCount(db, 'vals')).toBe(ROWS);
      const exactAfter = exactRows(db, 'vals', renamed);
      const sqlAfter = sqlTypedRows(db, 'vals', renamed);
      for (let k = 0; k < ROWS; k++) {
        if (exactAfter[k] !== exactBefore[k] || sqlAfter[k] !== sqlBefore[k]) {
          expect({ row: k + 1, exact: exactAfter[k], sql: sqlAfter[k] }).toEqual({ row: k + 1, exact: exactBefore[k], sql: sqlBefore[k] });
        }
      }
      expect(Object.is(db.prepare('SELECT x FROM vals WHERE id = 1').safeIntegers(true).pluck().get(), -0)).toBe(true);
      expect(db.prepare("SELECT count(*) FROM vals WHERE label = '👩‍👩‍👧‍👦 family'").pluck().get()).toBeGreaterThan(0);
      expect(db.prepare("SELECT count(*) FROM vals WHERE length(CAST(label AS BLOB)) = length(CAST('nul' || char(0) || 'inside' AS BLOB))").pluck().get()).toBeGreaterThan(0);
      expectHealthy(db);
      expectAtRevision(db, chain.byId('r002_rebuild'));
      db.close();
    });
  }

  it('the ranged copy (with progress) keeps rows whose rowids sit at the 64-bit limits, rowids and values intact', () => {
    const chain = buildChain([
      { id: 'r001_log', up: (op) => op.execute('CREATE TABLE log (msg TEXT, payload BLOB, n INTEGER)') },
      { id: 'r002_rebuild', up: (op) => op.alterColumn('log', 'msg', { notNull: true, default: "''" }) },
    ]);
    const { db } = tempDb();
    applyUp(db, chain, ['r001_log']);
    const insert = db.prepare('INSERT INTO log (rowid, msg, payload, n) VALUES (?, ?, ?, ?)').safeIntegers(true);
    const rowids = [-9223372036854775808n, -9223372036854775807n, 9223372036854775806n, 9223372036854775807n];
    db.transaction(() => {
      for (const rowid of rowids) insert.run(rowid, `edge ${rowid}`, Buffer.from([0]), rowid);
      for (let k = 0; k < ROWS; k++) insert.run(BigInt(k * 1_000_003 - 1_500_000_000), `row ${k} ✓`, Buffer.from([k & 0xff, 0]), BigInt(k));
    })();
    const columns = ['rowid', 'msg', 'payload', 'n'];
    const before = exactRows(db, 'log', columns);
    const events: ProgressEvent[] = [];
    const [report] = applyUp(db, chain, ['r002_rebuild'], { onProgress: (e) => events.push(e), chunkRows: 250 });
    expect(report!.rebuilt).toMatchObject([{ table: 'log', rowsCopied: ROWS + rowids.length }]);
    expect(events.length).toBeGreaterThan(1);
    expect(events.at(-1)).toMatchObject({ table: 'log', rowsCopied: ROWS + rowids.length, rowsTotal: ROWS + rowids.length });
    // A range of 2^64 rowids is cut into at most 10,000 ranges, not one per 250 rowids.
    expect(events.length).toBeLessThanOrEqual(10_000);
    expect(exactRows(db, 'log', columns)).toEqual(before);
    expectHealthy(db);
    expectAtRevision(db, chain.byId('r002_rebuild'));
    db.close();
  });

  it("progress totals: exact throughout for rowids without gaps; estimated above the rows copied across a gap, exact at the copy's end", () => {
    const chain = buildChain([
      { id: 'r001_log', up: (op) => op.execute('CREATE TABLE log (msg TEXT)') },
      { id: 'r002_rebuild', up: (op) => op.alterColumn('log', 'msg', { notNull: true, default: "''" }) },
    ]);
    const progressOf = (rowids: number[]): ProgressEvent[] => {
      const { db } = tempDb();
      applyUp(db, chain, ['r001_log']);
      const insert = db.prepare('INSERT INTO log (rowid, msg) VALUES (?, ?)');
      db.transaction(() => rowids.forEach((rowid) => insert.run(rowid, `row ${rowid}`)))();
      const events: ProgressEvent[] = [];
      applyUp(db, chain, ['r002_rebuild'], { onProgress: (e) => events.push(e), chunkRows: 100 });
      expect(db.prepare('SELECT count(*) FROM log').pluck().get()).toBe(rowids.length);
      db.close();
      return events;
    };
    const dense = progressOf(Array.from({ length: 1000 }, (_, i) => i + 1));
    expect(dense.map((e) => [e.rowsCopied, e.rowsTotal])).toEqual(Array.from({ length: 10 }, (_, i) => [(i + 1) * 100, 1000]));

    const gapped = progressOf([...Array.from({ length: 500 }, (_, i) => i + 1), ...Array.from({ length: 500 }, (_, i) => i + 10_001)]);
    expect(gapped).toHaveLength(105);
    expect(gapped.at(-1)).toMatchObject({ rowsCopied: 1000, rowsTotal: 1000 });
    for (const [i, event] of gapped.slice(0, -1).entries()) {
      expect(event.rowsTotal).toBeGreaterThan(event.rowsCopied);
      expect(event.rowsCopied).toBeGreaterThanOrEqual(gapped[i - 1]?.rowsCopied ?? 0);
    }
  });
});
