/**
 * runMigration with a plan made before its transaction (planMigration): it runs exactly what was
 * planned, and refuses ('schema-changed', nothing run) when the schema changed in between.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { MigrationError } from '../execute/migration-error.js';
import { planMigration, runMigration } from '../execute/run-migration.js';
import { applyUp, buildChain, cleanupDatabases, fileHash, schemaRows, tempDb } from './harness.js';
import { createShop, seedShop } from './shop-fixture.js';

afterAll(cleanupDatabases);

const chain = buildChain([
  { id: 'r001_shop', up: createShop },
  { id: 'r002_status', up: (op) => op.alterColumn('orders', 'status', { default: "'pending'", notNull: true }) },
  { id: 'r003_check', up: (op) => op.addCheck('orders', 'qty_positive', 'qty > 0') },
]);
const pending = ['r002_status', 'r003_check'].map((id) => ({ revision: id, direction: 'up' as const, operations: chain.byId(id).up }));

describe('a carried plan', () => {
  for (const perRevision of [false, true]) {
    it(`gives what planning under the lock gives${perRevision ? ', revision by revision' : ''}`, () => {
      const [carried, planned] = [tempDb(), tempDb()];
      for (const { db } of [carried, planned]) {
        applyUp(db, chain, ['r001_shop']);
        seedShop(db);
      }
      const plan = planMigration(carried.db, pending, { perRevision, coalesce: !perRevision });
      expect(plan.runs).toHaveLength(perRevision ? 2 : 1);
      const expectedSql = new Map(['r002_status', 'r003_check'].map((id) => [id, chain.byId(id).upSql]));
      const a = runMigration(carried.db, pending, { perRevision, coalesce: !perRevision, expectedSql, plan });
      const b = runMigration(planned.db, pending, { perRevision, coalesce: !perRevision, expectedSql });
      expect(a.map((r) => [r.revision, r.rebuilt])).toEqual(b.map((r) => [r.revision, r.rebuilt]));
      expect(schemaRows(carried.db)).toEqual(schemaRows(planned.db));
    });
  }

  it('is refused with nothing run when the schema changed after planning', () => {
    const { db, path } = tempDb();
    applyUp(db, chain, ['r001_shop']);
    seedShop(db);
    const plan = planMigration(db, pending, { coalesce: true });
    db.exec('CREATE INDEX orders_by_hand ON orders (qty)');
    const before = fileHash(path);
    let thrown: unknown;
    try {
      runMigration(db, pending, { coalesce: true, plan });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(MigrationError);
    expect((thrown as MigrationError).code).toBe('schema-changed');
    expect(fileHash(path)).toBe(before);
  });
});
