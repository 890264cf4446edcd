import { diffSchemas, type SchemaChange } from '../schema/diff.js';
import { headState } from './head-schema.js';
import { loadSchemaTables } from './load-schema.js';
import { targetSchema } from './target-schema.js';
import { adoptUnmodeled, modelledByDrizzle } from './unmodeled.js';

/**
 * For `mbundle check --schema FILE`: how the schema the migrations folder's head builds differs
 * from the drizzle schema module (expected), leaving aside what drizzle does not model (triggers,
 * views, virtual tables, STRICT, WITHOUT ROWID). Empty when they agree.
 *
 * @example
 * const changes = await compareSchemaFileToHead('src/db/schema.ts', 'migrations');
 * if (changes.length > 0) console.error(formatSchemaDiff(changes));
 */
export async function compareSchemaFileToHead(schemaFile: string, dir: string): Promise<SchemaChange[]> {
  const head = await headState(dir);
  const { target } = adoptUnmodeled(targetSchema(await loadSchemaTables(schemaFile)), head.schema);
  return diffSchemas(target, modelledByDrizzle(head.schema));
}
