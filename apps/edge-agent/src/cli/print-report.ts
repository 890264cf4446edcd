import { renderScript } from '@godwit/migration-bundle';
import type { ChangeReport } from '../apply/change-report.js';
import type { ChangePreview } from '../apply/preview-change.js';
import { megabytes } from '../db/free-space.js';

/** The one object `--json` prints: the contract's fields first, then the rest, then `extra` (a plan). */
export function reportJson(report: ChangeReport, extra: Record<string, unknown> = {}): string {
  const { from, to, revisions, durationMs, outcome, ...rest } = report;
  return `${JSON.stringify({ from, to, revisions, durationMs, outcome, ...rest, ...extra }, null, 2)}\n`;
}

export function reportText(report: ChangeReport, dbPath: string): string {
  const lines: string[] = [];
  const verb = report.command === 'upgrade' ? 'upgraded' : 'downgraded';
  const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
  const at = (rev: string | null) => rev ?? 'base (empty schema)';
  if (report.outcome === 'up-to-date') {
    lines.push(`${dbPath} is up to date at ${at(report.to)}`);
  } else if (report.outcome === 'applied') {
    const prefix = report.rehearsal ? `rehearsal on a copy: ${dbPath} would be ${verb}` : `${verb} ${dbPath}`;
    lines.push(`${prefix} from ${at(report.from)} to ${at(report.to)} (${report.revisions.length} revision(s)) in ${seconds(report.durationMs)}`);
    for (const step of report.steps) {
      const last = step.coalesced?.at(-1);
      const rebuilt = step.rebuilt.length === 0 ? 'native ALTER only' : step.rebuilt.map((r) => `rebuilt ${r.table} (${r.rowsCopied} rows)`).join(', ');
      const work = last && last !== step.revision ? `coalesced into ${last}` : step.coalesced ? `${rebuilt} (coalesced: ${step.coalesced.join(', ')})` : rebuilt;
      lines.push(`  ${step.revision}  ${work}  ${seconds(step.durationMs)}`);
      const { carried = [], analysed = [] } = step.statistics ?? {};
      if (carried.length) lines.push(`    statistics carried over: ${carried.join(', ')}`);
      if (analysed.length) lines.push(`    statistics analysed: ${analysed.join(', ')}`);
    }
    for (const [table, before] of Object.entries(report.sizesBefore)) {
      const after = report.sizesAfter[table];
      lines.push(`  ${table}: ${megabytes(before)} before, ${after === undefined ? 'gone' : megabytes(after)} after`);
    }
    if (report.forced && report.drift) lines.push('  forced over schema drift (recorded in godwit_apply_log)');
    if (report.backup) lines.push(`backup: ${report.backup}`);
    if (report.rehearsal) lines.push(`the database itself was not changed`);
  } else if (report.rehearsal) {
    lines.push(`rehearsal on a copy: the ${report.command} would be ${report.outcome}; the database itself was not changed`);
  }
  return lines.length === 0 ? '' : `${lines.join('\n')}\n`;
}

export function previewText(preview: ChangePreview, dbPath: string): string {
  const { report } = preview;
  if (preview.revisions.length === 0) return `${dbPath} is up to date at ${report.from ?? 'base'}: nothing to do\n`;
  const lines = [`plan for ${dbPath}: ${report.from ?? 'base'} -> ${report.to ?? 'base'} (nothing is changed by --dry-run)`];
  for (const r of preview.revisions) {
    const name = r.coalesced ? `${r.coalesced.join(' + ')} (coalesced)` : r.revision;
    lines.push(`  ${name} (${r.direction}): ${r.native ? 'native ALTER' : 'table rebuild'}, ${r.statements.length} statement(s)`);
    for (const t of r.rebuilt) lines.push(`    copies ${t.table}: ~${t.rows} rows, ~${megabytes(t.bytes)}`);
    if (r.rebuilt.length > 0) lines.push(`    estimated time: ~${(r.estimatedMs / 1000).toFixed(1)} s`);
  }
  return `${lines.join('\n')}\n`;
}

/** The same script `mbundle sql` prints for the range, planned from the live schema. */
export function previewSql(preview: ChangePreview): string {
  return renderScript(
    preview.revisions.map((r) => ({
      revisions: (r.coalesced ?? [r.revision]).map((id) => ({ id, message: preview.messages[id] ?? '' })),
      direction: r.direction,
      statements: r.statements,
    })),
  );
}
