import { diffSchemas, type SchemaChange } from '../schema/diff.js';
import { schemaCasing, type Casing } from './casing.js';
import { headState } from './head-schema.js';
import { loadSchema } from './load-schema.js';
import { targetSchema } from './target-schema.js';
import { adoptUnmodeled, modelledByDrizzle } from './unmodeled.js';

/**
 * For `mbundle check --schema FILE`: how the schema the migrations folder's head builds differs
 * from the drizzle schema module (expected; `given` casing, else its drizzle.config.*'s), leaving aside what drizzle does not state (triggers,
 * virtual tables, views written by hand or `.existing()`, STRICT, WITHOUT ROWID). Empty when they agree.
 *
 * @example
 * const changes = await compareSchemaFileToHead('src/db/schema.ts', 'migrations', 'snake_case');
 * if (changes.length > 0) console.error(formatSchemaDiff(changes));
 */
export async function compareSchemaFileToHead(schemaFile: string, dir: string, given?: Casing): Promise<SchemaChange[]> {
  const casing = await schemaCasing(schemaFile, given);
  const head = await headState(dir);
  const { target, viewsLeftAlone } = adoptUnmodeled(targetSchema(await loadSchema(schemaFile), casing), head.schema, head.objectSql);
  return diffSchemas(modelledByDrizzle(target, viewsLeftAlone), modelledByDrizzle(head.schema, viewsLeftAlone));
}
