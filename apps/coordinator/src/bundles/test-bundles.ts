import type { KeyObject } from 'node:crypto';
import {
  createBundle,
  createGraph,
  generateKeyPair,
  planChain,
  replaySchema,
  type AuthoredRevision,
  type SchemaDescription,
} from '@godwit/migration-bundle';

export interface TestBundle {
  bytes: Uint8Array;
  bundleId: string;
  /** Revision id → expected schema and fingerprint after it. */
  revisions: Map<string, { schema: SchemaDescription; fingerprint: string }>;
}

const createTable = (name: string) => ({ kind: 'execute' as const, sql: `CREATE TABLE ${name} (id INTEGER PRIMARY KEY)` });

/** The engine's description of a schema holding one `(id INTEGER PRIMARY KEY)` table per name. */
export function schemaWithTables(...names: string[]): SchemaDescription {
  return replaySchema(['test_schema'], [{ id: 'test_schema', parents: [], message: 'tables', up: names.map(createTable), down: null }]);
}

/** A bundle built and signed by the engine: a linear chain where revision i creates table t_i. */
export function makeTestBundle(privateKey: KeyObject, revisionIds: string[], options: { sequence?: number; expiresAt?: number | null } = {}): TestBundle {
  const authored: AuthoredRevision[] = revisionIds.map((id, i) => ({
    id,
    parents: i === 0 ? [] : [revisionIds[i - 1]!],
    message: `create t_${i}`,
    up: [createTable(`t_${i}`)],
    down: null,
  }));
  const planned = planChain(authored, createGraph(authored.map(({ id, parents }) => ({ id, parents }))));
  const { bytes, manifest } = createBundle({ revisions: planned, keys: [privateKey], ...options });
  return {
    bytes,
    bundleId: manifest.bundleId,
    revisions: new Map(manifest.revisions.map((r) => [r.id, { schema: r.schema, fingerprint: r.fingerprint }])),
  };
}

export { generateKeyPair };
