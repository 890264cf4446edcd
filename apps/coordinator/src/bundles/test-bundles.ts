import type { KeyObject } from 'node:crypto';
import { createBundle, emptySchema, fingerprintOf, generateKeyPair, type SchemaDescription } from '@godwit/migration-bundle';

export interface TestBundle {
  bytes: Uint8Array;
  bundleId: string;
  /** Revision id → expected schema and fingerprint after it. */
  revisions: Map<string, { schema: SchemaDescription; fingerprint: string }>;
}

/** A schema with one table per name: enough for distinct fingerprints and readable diffs. */
export function schemaWithTables(...names: string[]): SchemaDescription {
  return {
    ...emptySchema(),
    tables: names.map((name) => ({
      name,
      columns: [{ name: 'id', type: 'INTEGER', notNull: false, default: null, primaryKey: 1, collate: null, generated: null }],
      autoincrement: false,
      uniques: [],
      checks: [],
      foreignKeys: [],
      strict: false,
      withoutRowid: false,
    })),
  };
}

/** A signed linear bundle: revision i creates table t_i. */
export function makeTestBundle(privateKey: KeyObject, revisionIds: string[], options: { sequence?: number; expiresAt?: number | null } = {}): TestBundle {
  const revisions = new Map<string, { schema: SchemaDescription; fingerprint: string }>();
  const planned = revisionIds.map((id, i) => {
    const schema = schemaWithTables(...revisionIds.slice(0, i + 1).map((_, k) => `t_${k}`));
    const fingerprint = fingerprintOf(schema);
    revisions.set(id, { schema, fingerprint });
    return {
      id,
      parents: i === 0 ? [] : [revisionIds[i - 1]!],
      message: `create t_${i}`,
      up: [{ kind: 'execute' as const, sql: `CREATE TABLE t_${i} (id INTEGER PRIMARY KEY)` }],
      down: null,
      upSql: [`CREATE TABLE t_${i} (id INTEGER PRIMARY KEY)`],
      downSql: null,
      fingerprint,
      schema,
    };
  });
  const { bytes, manifest } = createBundle({ revisions: planned, keys: [privateKey], ...options });
  return { bytes, bundleId: manifest.bundleId, revisions };
}

export { generateKeyPair };
