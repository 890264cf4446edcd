/**
 * Coalesced catch-up: random chains of 2 to 8 revisions, drawn from every operation (unnamed
 * constraints, columns dropped with the constraints they alone use, generated columns added,
 * changed and made plain, columns added before or after another, primary keys dropped, added and
 * joined by a new column, among them; a key-to-be whose values are other key-less rows' rowids) and
 * from data statements, applied at once (coalesced) and one by one to copies of the same seeded database,
 * end the same: the same outcome, fingerprint, `sqlite_schema` (every object, its SQL token for
 * token, their order per table) and rows of every table. Seeded: a failure prints the seed that reproduces it
 * (GODWIT_COALESCE_SEED=n, GODWIT_COALESCE_CHAINS=n).
 */
import Database, { type Database as DatabaseType } from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import type { AlterColumnChanges, Operation } from '../ops/operation.js';
import { groupSteps, storedSchema } from '../plan/coalesce.js';
import { planRevision, type MigrationStep } from '../plan/planner.js';
import { fingerprintDatabase } from '../schema/fingerprint.js';
import { runMigration } from '../execute/run-migration.js';
import { cloneSchema } from '../sqlite/schema-clone.js';
import { dataSnapshot, q } from './harness.js';
import { seededRandom } from '../../../../test/support/seeded-random.js';

const CHAINS = Number(process.env.GODWIT_COALESCE_CHAINS ?? 500);
const FIRST_SEED = Number(process.env.GODWIT_COALESCE_SEED ?? 1);

const BASE = [
  `CREATE TABLE t1 (id INTEGER PRIMARY KEY, a TEXT, b INTEGER, c REAL, d TEXT DEFAULT 'x', e TEXT AS (a || b) VIRTUAL)`,
  'CREATE INDEX t1_a ON t1 (a)',
  'CREATE TABLE t2 (id INTEGER PRIMARY KEY, t1_id INTEGER REFERENCES t1 (id) ON DELETE CASCADE, note TEXT)',
  'CREATE TABLE t3 (k TEXT PRIMARY KEY, v INTEGER, w TEXT) WITHOUT ROWID',
  'CREATE TABLE t4 (x INTEGER, y TEXT)',
  `CREATE TRIGGER t2_touch AFTER INSERT ON t2 BEGIN UPDATE t1 SET d = 'touched' WHERE id = NEW.t1_id; END`,
];

function seededBase(): Buffer {
  const db = new Database(':memory:');
  for (const sql of BASE) db.exec(sql);
  db.exec(`WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < 24)
    INSERT INTO t1 (id, a, b, c, d) SELECT i, CASE i % 5 WHEN 0 THEN NULL WHEN 1 THEN '42' WHEN 2 THEN '4.0' ELSE 'v' || i END,
      CASE i % 4 WHEN 0 THEN '7' WHEN 1 THEN NULL ELSE i * 3 END, i / 4.0, CASE WHEN i % 3 = 0 THEN NULL ELSE 'd' || i END FROM s`);
  db.exec(`INSERT INTO t2 (t1_id, note) SELECT id, 'n' || id FROM t1 WHERE id % 2 = 0`);
  db.exec(`INSERT INTO t3 (k, v, w) SELECT 'k' || id, id, a FROM t1`);
  // No primary key, rowids with gaps, a key-to-be with NULLs: what a new INTEGER PRIMARY KEY takes.
  // Some keys are other rows' rowids, of rows without a key (rowid 12, NULL; rowid 3, key 12).
  db.exec(`INSERT INTO t4 (rowid, x, y) SELECT id * 3,
    CASE id % 4 WHEN 0 THEN NULL WHEN 1 THEN (id + 3) * 3 WHEN 2 THEN (id + 1) * 3 ELSE id * 100 END, a FROM t1`);
  const bytes = db.serialize();
  db.close();
  return bytes;
}

interface Model {
  tables: { name: string; columns: { name: string; pk: boolean }[]; indexes: string[] }[];
}

function readModel(db: DatabaseType): Model {
  const tables = db.prepare("SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%'").pluck().all() as string[];
  return {
    tables: tables.map((name) => ({
      name,
      columns: (db.prepare('SELECT name, pk FROM pragma_table_info(?)').all(name) as { name: string; pk: number }[]).map((c) => ({ name: c.name, pk: c.pk > 0 })),
      indexes: db.prepare("SELECT name FROM sqlite_schema WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL").pluck().all(name) as string[],
    })),
  };
}

/** One random operation over the model's schema; it may be invalid there (the caller tries it). */
function randomOperation(next: () => number, model: Model, names: () => string): Operation {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!;
  const createTable = (): Operation => ({
    kind: 'createTable',
    table: `t_${names()}`,
    columns: [{ name: 'id', type: 'INTEGER', primaryKey: true }, { name: 'x', type: 'TEXT' }],
    options: {},
  });
  if (!model.tables.length) return createTable();
  // Mostly the same table, so that consecutive revisions often rebuild it.
  const table = model.tables.find((t) => t.name === 't1' && next() < 0.6) ?? pick(model.tables);
  const plain = table.columns.filter((c) => !c.pk);
  const column = plain.length ? pick(plain).name : 'id';
  const c = q(column);
  const alters: AlterColumnChanges[] = [
    { type: pick(['TEXT', 'INTEGER', 'REAL', 'NUMERIC']) },
    { notNull: true, using: `coalesce(${c}, 0)` },
    { notNull: false },
    { default: pick(["'z'", '0', '2.5']) },
    { default: null },
    { using: `${c} || ''` },
    { type: 'INTEGER', using: `length(${c})` },
    { collate: pick(['NOCASE', 'BINARY']) },
    { collate: null },
    { generated: { expr: `${c} || 'g'` } },
    { generated: { expr: `length(${c})`, stored: true } },
    { generated: null },
  ];
  const kinds: (() => Operation)[] = [
    () => ({ kind: 'addColumn', table: table.name, column: { name: names(), type: pick(['TEXT', 'INTEGER', 'REAL', '']), ...pick([{}, { default: "'n'" }, { default: '5', notNull: true }]) } }),
    () => ({ kind: 'addColumn', table: table.name, column: { name: names(), type: pick(['TEXT', 'INTEGER']), generated: { expr: `${c} || 'g'`, ...pick([{}, { stored: true }]) } } }),
    () => ({ kind: 'addColumn', table: table.name, column: { name: names(), type: 'TEXT', default: "'p'" }, ...pick([{ before: column }, { after: column }]) }),
    () => ({ kind: 'dropColumn', table: table.name, column }),
    () => ({ kind: 'dropPrimaryKey', table: table.name }),
    () => ({ kind: 'addPrimaryKey', table: table.name, name: pick([null, `pk_${names()}`]), columns: [column] }),
    () => ({ kind: 'addColumn', table: table.name, column: { name: names(), type: 'INTEGER', primaryKey: true }, ...pick([{}, { after: column }]) }),
    () => ({ kind: 'renameColumn', table: table.name, from: column, to: names() }),
    () => ({ kind: 'alterColumn', table: table.name, column, changes: pick(alters) }),
    () => ({ kind: 'alterColumn', table: table.name, column, changes: pick(alters) }),
    () => ({ kind: 'addCheck', table: table.name, name: `ck_${names()}`, expr: `${c} IS NULL OR length(${c}) >= 0` }),
    () => ({ kind: 'addCheck', table: table.name, name: `ck_${names()}`, expr: `typeof(${c}) <> 'blob'` }),
    () => ({ kind: 'alterColumn', table: table.name, column, changes: { notNull: true, default: "'filled'", using: `coalesce(${c}, 'filled')` } }),
    () => ({ kind: 'dropCheck', table: table.name, name: pick(['ck_1', 'ck_2', 'ck_3', 'ck_4']) }),
    () => ({ kind: 'addCheck', table: table.name, name: null, expr: `${c} <> 'never'` }),
    () => ({ kind: 'dropCheck', table: table.name, expr: `${c} <> 'never'` }),
    () => ({ kind: 'addUnique', table: table.name, name: pick([null, `uq_${names()}`]), columns: [column] }),
    () => ({ kind: 'dropUnique', table: table.name, columns: [column] }),
    () => ({ kind: 'dropForeignKey', table: table.name, columns: [pick(['id', 't1_id'])], refTable: 't1' }),
    () => ({ kind: 'addForeignKey', table: table.name, name: `fk_${names()}`, columns: ['id'], refTable: 't1', refColumns: ['id'], onDelete: 'CASCADE' }),
    () => ({ kind: 'createIndex', name: `ix_${names()}`, table: table.name, columns: [column], unique: false }),
    () => ({ kind: 'dropIndex', name: table.indexes.length ? pick(table.indexes) : 'none' }),
    () => ({ kind: 'renameTable', from: table.name, to: `t_${names()}` }),
    () => ({ kind: 'execute', sql: `UPDATE ${q(table.name)} SET ${c} = ${c} || '' WHERE rowid % 3 = 0` }),
    () => ({ kind: 'execute', sql: `INSERT INTO t2 (t1_id, note) SELECT id, 'late' FROM t1 WHERE id % 5 = 1` }),
    createTable,
    () => ({ kind: 'dropTable', table: table.name === 't1' ? 'none' : table.name }),
  ];
  return pick(kinds)();
}

/** A chain of 2..8 revisions, each of 1..3 operations that plan on the schema the chain reaches. */
function randomChain(seed: number, base: DatabaseType): MigrationStep[] {
  const next = seededRandom(seed);
  let counter = 0;
  const names = () => `n${seed}_${++counter}`;
  const model = cloneSchema(base);
  try {
    const length = 2 + Math.floor(next() * 7);
    const steps: MigrationStep[] = [];
    for (let r = 0; r < length; r++) {
      const operations: Operation[] = [];
      const wanted = 1 + Math.floor(next() * 3);
      for (let attempt = 0; operations.length < wanted && attempt < 20; attempt++) {
        const candidate = [...operations, randomOperation(next, readModel(model), names)];
        model.exec('SAVEPOINT probe');
        try {
          planRevision(model, { revision: 'probe', direction: 'up', operations: candidate });
          operations.push(candidate.at(-1)!);
        } catch {
          // Not valid on this schema: draw another.
        } finally {
          model.exec('ROLLBACK TO probe');
          model.exec('RELEASE probe');
          model.pragma('legacy_alter_table = OFF');
        }
      }
      const step: MigrationStep = { revision: `r${seed}_${r}`, direction: 'up', operations };
      planRevision(model, step);
      steps.push(step);
    }
    return steps;
  } finally {
    model.close();
  }
}

function makesXTheKeyOfT4(op: Operation): boolean {
  return op.kind === 'addPrimaryKey' && op.table === 't4' && op.columns.length === 1 && op.columns[0] === 'x';
}

interface Outcome {
  error: string | null;
  copies: number;
  fingerprint: string;
  schema: string;
  data: unknown;
}

function apply(base: Buffer, steps: MigrationStep[], coalesce: boolean): Outcome {
  const db = new Database(base);
  try {
    let error: string | null = null;
    let copies = 0;
    try {
      copies = runMigration(db, steps, { coalesce }).reduce((sum, r) => sum + r.rebuilt.length, 0);
    } catch (failure) {
      error = (failure as { code?: string }).code ?? 'error';
    }
    return {
      error,
      copies,
      fingerprint: fingerprintDatabase(db),
      schema: storedSchema(db),
      data: dataSnapshot(db),
    };
  } finally {
    db.close();
  }
}

describe('coalesced catch-up equals one-by-one application', () => {
  it(`holds for ${CHAINS} random chains of 2 to 8 revisions`, () => {
    const base = seededBase();
    const baseDb = new Database(base);
    let coalescedChains = 0;
    let copiesSaved = 0;
    let failedChains = 0;
    let keyedChains = 0;
    try {
      for (let seed = FIRST_SEED; seed < FIRST_SEED + CHAINS; seed++) {
        const steps = randomChain(seed, baseDb);
        const together = apply(base, steps, true);
        const apart = apply(base, steps, false);
        const { copies: copiesTogether, ...resultTogether } = together;
        const { copies: copiesApart, ...resultApart } = apart;
        expect(resultTogether, `seed ${seed}: ${JSON.stringify(steps)}`).toEqual(resultApart);
        expect(copiesTogether, `seed ${seed}: ${JSON.stringify(steps)}`).toBeLessThanOrEqual(copiesApart);
        if (groupSteps(steps).some((group) => group.length > 1)) coalescedChains++;
        copiesSaved += copiesApart - copiesTogether;
        if (apart.error) failedChains++;
        else if (steps.some((step) => step.operations.some(makesXTheKeyOfT4))) keyedChains++;
      }
    } finally {
      baseDb.close();
    }
    // The property must bite: many chains coalesce and save copies, most of them succeed.
    expect(coalescedChains).toBeGreaterThan(CHAINS / 4);
    expect(copiesSaved).toBeGreaterThan(CHAINS / 10);
    expect(failedChains).toBeLessThan(CHAINS / 2);
    // t4.x becoming the INTEGER PRIMARY KEY, its NULLs on rowids other rows hold as keys, succeeds.
    expect(keyedChains).toBeGreaterThan(CHAINS / 100);
  });
});
