import { quoteIdent } from '@godwit/migration-bundle/device';
import { AgentError } from '../errors.js';
import type { Db } from './open-database.js';

/**
 * The integrity pre-check. By default `quick_check` of the given tables only: a table that is
 * rebuilt is read page by page by its own copy, which fails on a damaged page and rolls back, so
 * checking it first would only double the cost. `full` runs the whole `integrity_check`.
 */
export function checkIntegrity(db: Db, path: string, tables: readonly string[], full: boolean): void {
  const problems: string[] = [];
  const collect = (rows: unknown[]) => {
    for (const row of rows as Record<string, string>[]) {
      const text = Object.values(row)[0];
      if (text !== undefined && text !== 'ok') problems.push(text);
    }
  };
  try {
    if (full) collect(db.pragma('integrity_check') as unknown[]);
    else for (const table of tables) collect(db.pragma(`quick_check(${quoteIdent(table)})`) as unknown[]);
  } catch (error) {
    // Damage bad enough that the check itself cannot read the page.
    const code = (error as { code?: string }).code ?? '';
    if (!code.startsWith('SQLITE_CORRUPT') && code !== 'SQLITE_NOTADB') throw error;
    problems.push((error as Error).message);
  }
  if (problems.length > 0) {
    throw new AgentError(
      'integrity',
      `database ${path} failed its integrity check (${problems.length} problem(s)); nothing was changed: restore a backup with edge-agent restore`,
      problems.slice(0, 20).join('\n'),
    );
  }
}
