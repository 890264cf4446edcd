import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const APP = fileURLToPath(new URL('../../', import.meta.url));
const MIGRATIONS = join(APP, 'drizzle');
const DRIZZLE_KIT = join(createRequire(import.meta.url).resolve('drizzle-kit'), '..', 'bin.cjs');

describe('committed migrations', () => {
  it('force row-level security on every table, in the migration that creates it', () => {
    for (const file of readdirSync(MIGRATIONS).filter((f) => f.endsWith('.sql'))) {
      const text = readFileSync(join(MIGRATIONS, file), 'utf8');
      for (const [, table] of text.matchAll(/CREATE TABLE "(\w+)"/g)) {
        expect(text, `${file}: ${table}`).toContain(`ALTER TABLE "${table}" ENABLE ROW LEVEL SECURITY`);
        expect(text, `${file}: ${table}`).toContain(`ALTER TABLE "${table}" FORCE ROW LEVEL SECURITY`);
        expect(text, `${file}: ${table}`).toMatch(new RegExp(`CREATE POLICY "\\w+" ON "${table}"`));
      }
    }
  });

  it('are what drizzle-kit generates from the table definitions', async () => {
    const out = mkdtempSync(join(tmpdir(), 'godwit-drizzle-'));
    try {
      cpSync(MIGRATIONS, out, { recursive: true });
      // drizzle-kit reads --out relative to the working directory, even an absolute one.
      const { stdout } = await promisify(execFile)(
        process.execPath,
        [DRIZZLE_KIT, 'generate', '--dialect', 'postgresql', '--schema', '../../packages/schema/src/coordinator/index.ts', '--out', relative(APP, out)],
        { cwd: APP },
      );
      expect(stdout).toMatch(/No schema changes/);
      expect(readdirSync(out).filter((f) => f.endsWith('.sql'))).toEqual(readdirSync(MIGRATIONS).filter((f) => f.endsWith('.sql')));
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});
