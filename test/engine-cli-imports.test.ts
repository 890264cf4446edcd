/**
 * The engine's library never reaches into its own command line: only `src/cli/` knows exit codes
 * and usage errors; and its folders are layered as docs/engine.md lists them. Read from the
 * sources, so a new import is caught before it ships.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SRC = resolve(dirname(fileURLToPath(import.meta.url)), '../packages/migration-bundle/src');
const CLI = join(SRC, 'cli');
const IMPORT = /(?:from|import)\s*\(?\s*['"](\.{1,2}\/[^'"]+)['"]/g;

/** Library sources: every .ts file outside src/cli/ except tests, which may drive the CLI. */
function librarySources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return path === CLI ? [] : librarySources(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') ? [path] : [];
  });
}

describe('packages/migration-bundle', () => {
  it('imports nothing from its own cli/ outside cli/', () => {
    const files = librarySources(SRC);
    expect(files.length).toBeGreaterThan(50);
    const offending = files.flatMap((file) =>
      [...readFileSync(file, 'utf8').matchAll(IMPORT)]
        .map((match) => resolve(dirname(file), match[1]!))
        .filter((target) => target === CLI || target.startsWith(`${CLI}/`))
        .map((target) => `${relative(SRC, file)} imports ${relative(SRC, target)}`),
    );
    expect(offending).toEqual([]);
  });
});

/** docs/engine.md's layout: each folder may import only the folders before it. */
const LAYERS = ['sqlite', 'ops', 'graph', 'render', 'schema', 'plan', 'execute', 'bundle', 'compile', 'autogenerate'];

describe('packages/migration-bundle layers', () => {
  it('each folder imports only folders below it', () => {
    const offending = LAYERS.flatMap((folder, rank) =>
      librarySources(join(SRC, folder)).flatMap((file) =>
        [...readFileSync(file, 'utf8').matchAll(IMPORT)]
          .map((match) => relative(SRC, resolve(dirname(file), match[1]!)).split('/')[0]!)
          .filter((target) => LAYERS.indexOf(target) > rank)
          .map((target) => `${relative(SRC, file)} imports ${target}/`),
      ),
    );
    expect(offending).toEqual([]);
  });
});
