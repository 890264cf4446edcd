/**
 * Child process for the kill -9 test: applies one revision to a database file and, at the point
 * named by argv[4] ('copy' or 'commit'), reports it on stdout and waits to be killed.
 * Usage: tsx crash-child.ts DB_FILE OPERATIONS_JSON POINT
 */
import Database from 'better-sqlite3';
import type { Operation } from '../ops/operation.js';
import { runMigration } from '../execute/run-migration.js';

const [file, operationsJson, point] = process.argv.slice(2);
if (!file || !operationsJson || !point) throw new Error('usage: crash-child DB_FILE OPERATIONS_JSON copy|commit');
const operations = JSON.parse(operationsJson) as Operation[];
const db = new Database(file);

/** Tells the parent where we are, then blocks until the parent kills us. */
function stopHere(where: string): void {
  process.stdout.write(`${where}\n`, () => undefined);
  // fs.writeSync would also do; stdout to a pipe is synchronous for small writes on POSIX.
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 30_000);
  throw new Error('not killed in time');
}

runMigration(db, [{ revision: 'r002_crash', direction: 'up', operations }], {
  chunkRows: 500,
  onProgress: (event) => {
    if (point === 'copy' && event.rowsCopied > 0) stopHere('copying');
  },
  beforeCommit: () => {
    if (point === 'commit') stopHere('committing');
  },
});
process.stdout.write('done\n');
