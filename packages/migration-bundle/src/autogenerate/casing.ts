import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { importTypeScript } from '../typescript-import.js';
import { AutogenerateError } from './errors.js';

/** drizzle's `casing` option: how a column declared without a name is named from its property key. */
export type Casing = 'snake_case' | 'camelCase';

const CASINGS: readonly string[] = ['snake_case', 'camelCase'];

/** drizzle-kit's config file names, in the order drizzle-kit looks for them. */
const CONFIG_FILES = ['drizzle.config.ts', 'drizzle.config.mts', 'drizzle.config.cts', 'drizzle.config.js', 'drizzle.config.mjs', 'drizzle.config.cjs'];

/** A `--casing` value, as drizzle-kit's config spells it. */
export function parseCasing(value: string): Casing {
  if (!CASINGS.includes(value)) throw new AutogenerateError('invalid-input', `--casing ${JSON.stringify(value)}: expected snake_case or camelCase`);
  return value as Casing;
}

/**
 * The casing a schema file is written for: `given` (the `--casing` flag), else the `casing` of the
 * drizzle-kit config file beside it, else none (columns named by their property keys as written).
 */
export async function schemaCasing(schemaFile: string, given?: Casing): Promise<Casing | undefined> {
  if (given !== undefined) return given;
  const config = CONFIG_FILES.map((name) => join(dirname(schemaFile), name)).find((path) => existsSync(path));
  if (config === undefined) return undefined;
  let casing: unknown;
  try {
    const module = (await importTypeScript(pathToFileURL(config).href, import.meta.url)) as { default?: { casing?: unknown } };
    casing = module.default?.casing;
  } catch (error) {
    throw new AutogenerateError('schema-load', `cannot load ${config}: ${(error as Error).message.split('\n')[0]}`);
  }
  if (casing === undefined) return undefined;
  if (typeof casing !== 'string' || !CASINGS.includes(casing)) {
    throw new AutogenerateError('schema-load', `${config}: casing ${JSON.stringify(casing)} is neither snake_case nor camelCase`);
  }
  return casing as Casing;
}
