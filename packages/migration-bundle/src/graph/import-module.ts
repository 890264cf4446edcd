import { stat } from 'node:fs/promises';
import { pathToFileURL } from 'node:url';
import { importTypeScript } from '../typescript-import.js';

/**
 * Imports a revision file and returns its default export: `.ts`/`.mts` through tsx (Node 20 cannot
 * strip types; tsx is loaded only when such a file exists), `.js`/`.mjs` with plain `import()`.
 */
export async function importDefault(file: string): Promise<unknown> {
  const { mtimeMs, size } = await stat(file);
  // Node caches modules by URL: a long-lived process that reloads a folder must see edited files.
  const url = `${pathToFileURL(file).href}?v=${mtimeMs}-${size}`;
  const namespace = /\.m?ts$/.test(file)
    ? await importTypeScript(url, import.meta.url)
    : await import(url);
  return unwrapDefault(namespace);
}

function unwrapDefault(namespace: unknown): unknown {
  const value = (namespace as { default?: unknown }).default;
  // tsx compiles a .ts file outside a `"type": "module"` package to CommonJS, whose namespace wraps the exports once more.
  if (typeof value === 'object' && value !== null && (value as { __esModule?: unknown }).__esModule === true) {
    return (value as { default?: unknown }).default;
  }
  return value;
}
