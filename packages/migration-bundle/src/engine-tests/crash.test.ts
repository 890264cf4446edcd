/**
 * Guarantee 2 under kill -9: a process killed in the middle of a rebuild's row copy, or after every
 * statement ran but before COMMIT, leaves a file that opens at the previous revision, intact, with
 * no object of the rebuild left behind.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { applyUp, buildChain, cleanupDatabases, dataSnapshot, expectAtRevision, expectHealthy, schemaRows, tempDb } from './harness.js';
import { createShop, seedShop } from './shop-fixture.js';

afterAll(cleanupDatabases);

const here = dirname(fileURLToPath(import.meta.url));
/** tsx's loader, registered in the child process itself (its CLI would run the script in a grandchild, out of reach of our SIGKILL). */
const tsxLoader = pathToFileURL(createRequire(import.meta.url).resolve('tsx/esm')).href;

/** Runs the child until it prints `waitFor`, then SIGKILLs it. */
function killAt(file: string, operations: unknown, point: 'copy' | 'commit', waitFor: string): Promise<{ signal: NodeJS.Signals | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', tsxLoader, join(here, 'crash-child.ts'), file, JSON.stringify(operations), point], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`child never reached ${waitFor}: ${output}`));
    }, 30_000);
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes(waitFor)) child.kill('SIGKILL');
    });
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('exit', (_code, signal) => {
      clearTimeout(timer);
      resolve({ signal, output });
    });
  });
}

describe('kill -9 during a migration', () => {
  for (const [point, marker] of [
    ['copy', 'copying'],
    ['commit', 'committing'],
  ] as const) {
    it(`killed ${point === 'copy' ? 'in the middle of the row copy' : 'after every statement, before COMMIT'}: the file opens at the previous revision, intact`, async () => {
      const chain = buildChain([
        { id: 'r001_shop', up: createShop },
        {
          id: 'r002_crash',
          up: (op) => {
            op.alterColumn('orders', 'note', { collate: 'NOCASE' });
            op.addColumn('orders', 'code', 'TEXT', { unique: true });
            op.alterColumn('customers', 'name', { collate: 'NOCASE' });
          },
        },
      ]);
      const { db, path } = tempDb();
      applyUp(db, chain, ['r001_shop']);
      seedShop(db);
      const data = dataSnapshot(db);
      const schema = schemaRows(db);
      db.close();

      const { signal, output } = await killAt(path, chain.byId('r002_crash').up, point, marker);
      expect(output).toContain(marker);
      expect(signal).toBe('SIGKILL');
      // The transaction was open when the process died: a hot journal is left for the next opener.
      expect(existsSync(`${path}-journal`)).toBe(true);

      const reopened = new Database(path);
      expectHealthy(reopened); // integrity_check ok, foreign keys clean, no _godwit_new_ object
      expect(schemaRows(reopened)).toEqual(schema);
      expect(dataSnapshot(reopened)).toEqual(data);
      expectAtRevision(reopened, chain.byId('r001_shop'));
      // And the migration then applies normally.
      applyUp(reopened, chain, ['r002_crash']);
      expectHealthy(reopened);
      expectAtRevision(reopened, chain.byId('r002_crash'));
      reopened.close();
    });
  }
});
