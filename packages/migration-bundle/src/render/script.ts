/** One block of a migration script: the revisions it applies, in order, and its statements. */
export interface ScriptPart {
  revisions: { id: string; message: string }[];
  direction: 'up' | 'down';
  statements: readonly string[];
}

/**
 * The script the engine runs, as text: foreign keys off around one transaction, each revision (or
 * coalesced run of revisions) under a comment, the foreign-key check before COMMIT. `mbundle sql`
 * and `edge-agent upgrade --sql` both print it.
 */
export function renderScript(parts: readonly ScriptPart[]): string {
  const lines = ['PRAGMA foreign_keys = OFF;', 'BEGIN IMMEDIATE;'];
  for (const part of parts) {
    const [only] = part.revisions;
    const heading =
      part.revisions.length === 1
        ? `-- Revision ${only!.id} (${part.direction}): ${only!.message}`
        : `-- Revisions ${part.revisions.map((r) => r.id).join(', ')} (${part.direction}), coalesced: each table copied once`;
    lines.push('', heading, ...part.statements.map(terminate));
  }
  lines.push('', 'PRAGMA foreign_key_check;', 'COMMIT;', 'PRAGMA foreign_keys = ON;', '');
  return lines.join('\n');
}

function terminate(sql: string): string {
  return /;\s*$/.test(sql) ? sql : `${sql};`;
}
