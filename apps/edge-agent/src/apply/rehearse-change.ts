import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { openForReading } from '../db/open-database.js';
import { AgentError } from '../errors.js';
import type { ChangeOptions } from './change-options.js';
import { changeDatabase, type ChangeResult } from './change-database.js';

/**
 * `--rehearse`: copies the database through the online backup API (from a read-only connection,
 * so the real file is never written) and runs the whole change, every check included, on the copy.
 * The result is what the real run would report; the copy is deleted.
 */
export async function rehearseChange(options: ChangeOptions): Promise<ChangeResult> {
  const dir = mkdtempSync(join(tmpdir(), 'edge-agent-rehearsal-'));
  try {
    const copy = join(dir, basename(options.dbPath));
    const source = openForReading(options.dbPath, options.lockTimeoutMs);
    if (source) {
      try {
        await source.backup(copy);
      } finally {
        source.close();
      }
    }
    const result = await changeDatabase({ ...options, dbPath: copy, backup: null });
    if (result.error === null) return { ...result, report: { ...result.report, rehearsal: true } };
    // Name the real database in the message: the copy is gone by the time anyone reads it.
    const error = new AgentError(result.error.code, `rehearsal: ${result.error.message.replaceAll(copy, options.dbPath)}`, result.error.details);
    return { report: { ...result.report, rehearsal: true, error: { code: error.code, message: error.message } }, error };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
