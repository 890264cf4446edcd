import { existsSync, statSync } from 'node:fs';
import { extname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { is } from 'drizzle-orm';
import { SQLiteTable, SQLiteView, getViewConfig } from 'drizzle-orm/sqlite-core';
import { importTypeScript } from '../typescript-import.js';
import { AutogenerateError } from './errors.js';

const SCHEMA_EXTENSIONS = new Set(['.ts', '.mts', '.cts', '.js', '.mjs', '.cjs']);

/** What a drizzle sqlite-core schema module exports, in export order, each object once. */
export interface DrizzleSchema {
  tables: SQLiteTable[];
  /** Views with a query: the schema creates them. */
  views: SQLiteView[];
  /** Names of `.existing()` views: they exist, but the schema leaves them alone, as drizzle-kit does. */
  existingViews: string[];
}

/**
 * Imports a drizzle-orm sqlite-core schema module and returns the tables and views it exports, in
 * export order, each once even when exported under two names.
 */
export async function loadSchema(file: string): Promise<DrizzleSchema> {
  const path = resolve(file);
  if (!existsSync(path)) {
    throw new AutogenerateError('invalid-input', `schema file not found: ${file}`);
  }
  if (!SCHEMA_EXTENSIONS.has(extname(path))) {
    throw new AutogenerateError('invalid-input', `schema file must be .ts, .mts, .js or .mjs: ${file}`);
  }
  let module: Record<string, unknown>;
  try {
    // The query makes an edited file load afresh in a long-lived process.
    const { mtimeMs, size } = statSync(path);
    const url = `${pathToFileURL(path).href}?v=${mtimeMs}-${size}`;
    module = (await importTypeScript(url, import.meta.url)) as Record<string, unknown>;
  } catch (error) {
    throw new AutogenerateError('schema-load', `cannot load schema ${file}: ${messageOf(error)}`);
  }
  const schema: DrizzleSchema = { tables: [], views: [], existingViews: [] };
  for (const value of new Set(Object.values(module))) {
    if (is(value, SQLiteTable)) schema.tables.push(value);
    else if (is(value, SQLiteView)) {
      const { name, isExisting } = getViewConfig(value);
      if (isExisting) schema.existingViews.push(name.toLowerCase());
      else schema.views.push(value);
    }
  }
  if (schema.tables.length === 0) {
    // An empty result is far more often a wrong file than a wish to drop every table.
    throw new AutogenerateError('schema-load', `${file} exports no drizzle sqlite-core tables`);
  }
  return schema;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message.split('\n')[0]! : String(error);
}
