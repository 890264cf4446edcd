import { existsSync, statSync } from 'node:fs';
import { extname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { is } from 'drizzle-orm';
import { SQLiteTable } from 'drizzle-orm/sqlite-core';
import { UsageError } from '../cli/command.js';
import { importTypeScript } from '../typescript-import.js';
import { AutogenerateError } from './errors.js';

const SCHEMA_EXTENSIONS = new Set(['.ts', '.mts', '.cts', '.js', '.mjs', '.cjs']);

/**
 * Imports a drizzle-orm sqlite-core schema module and returns every table it exports, in export
 * order, each table once even when exported under two names.
 */
export async function loadSchemaTables(file: string): Promise<SQLiteTable[]> {
  const path = resolve(file);
  if (!existsSync(path)) {
    throw new UsageError(`schema file not found: ${file}`);
  }
  if (!SCHEMA_EXTENSIONS.has(extname(path))) {
    throw new UsageError(`schema file must be .ts, .mts, .js or .mjs: ${file}`);
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
  const tables: SQLiteTable[] = [];
  for (const value of Object.values(module)) {
    if (is(value, SQLiteTable) && !tables.includes(value)) tables.push(value);
  }
  if (tables.length === 0) {
    // An empty result is far more often a wrong file than a wish to drop every table.
    throw new AutogenerateError('schema-load', `${file} exports no drizzle sqlite-core tables`);
  }
  return tables;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message.split('\n')[0]! : String(error);
}
