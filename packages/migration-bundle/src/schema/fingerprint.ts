import { createHash } from 'node:crypto';
import type { Database } from 'better-sqlite3';
import { readSchema } from './describe.js';
import type { SchemaDescription } from './description.js';

/** Hex SHA-256 of the canonical description: equal schemas, equal fingerprints. */
export function fingerprintOf(schema: SchemaDescription): string {
  return createHash('sha256').update(JSON.stringify(schema)).digest('hex');
}

export function fingerprintDatabase(db: Database): string {
  return fingerprintOf(readSchema(db));
}
