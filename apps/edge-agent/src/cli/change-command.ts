import type { ChangeOptions } from '../apply/change-options.js';
import { loadBundle } from '../bundle/load-bundle.js';
import { defaultBackupDir } from '../db/backup.js';
import { AgentError } from '../errors.js';
import type { CommandIO, OptionSpec, ParsedArgs } from './command.js';
import {
  BACKUP_OPTIONS,
  BUNDLE_OPTIONS,
  DB_OPTION,
  DEFAULT_KEEP_BACKUPS,
  DEFAULT_LOCK_TIMEOUT_MS,
  flag,
  JSON_OPTION,
  LOCK_OPTION,
  nonNegativeInt,
  optionalString,
  requireString,
  requireTrust,
} from './options.js';
import { previewSql, previewText, reportJson, reportText } from './print-report.js';
import { createProgress } from './progress.js';
import { assembleReport } from '../apply/change-report.js';

export const CHANGE_OPTIONS: OptionSpec = {
  ...DB_OPTION,
  ...BUNDLE_OPTIONS,
  ...JSON_OPTION,
  ...LOCK_OPTION,
  ...BACKUP_OPTIONS,
  sql: { type: 'boolean' },
  'dry-run': { type: 'boolean' },
  rehearse: { type: 'boolean' },
  force: { type: 'boolean' },
  'allow-rollback': { type: 'boolean' },
  'per-revision': { type: 'boolean' },
  integrity: { type: 'boolean' },
};

export const CHANGE_USAGE_OPTIONS = `
    [--sql] [--dry-run] [--rehearse] [--json] [--force] [--allow-rollback] [--per-revision]
    [--integrity] [--no-backup] [--backup-dir DIR] [--keep-backups N] [--lock-timeout MS]

  --sql             print the SQL that would run; change nothing
  --dry-run         print the plan (native or rebuild, rows, bytes, time); change nothing
  --rehearse        run everything on a throwaway copy and report; the database is untouched
  --json            print one JSON object (from, to, revisions, durationMs, outcome, ...)
  --force           migrate a database whose schema drifted (logged)
  --allow-rollback  accept a bundle older than the newest applied (logged)
  --per-revision    commit after each revision instead of once for all
  --integrity       full PRAGMA integrity_check first (default: quick_check of touched tables)
  --no-backup       skip the backup taken before a change
  --backup-dir DIR  where backups go (default: FILE.backups beside the database)
  --keep-backups N  backups kept (default ${DEFAULT_KEEP_BACKUPS})
  --lock-timeout MS how long to wait for another process's lock (default ${DEFAULT_LOCK_TIMEOUT_MS})`;

/** Reads the options upgrade and downgrade share into what the apply layer needs. */
export function changeOptions(command: ChangeOptions['command'], args: ParsedArgs, target: string): ChangeOptions {
  const { values } = args;
  const dbPath = requireString(values, 'db', command);
  const bundlePath = requireString(values, 'bundle', command);
  const trust = requireTrust(values, command);
  const modes = ['sql', 'dry-run', 'rehearse'].filter((m) => flag(values, m));
  if (modes.length > 1) throw new AgentError('usage', `--${modes.join(' and --')} cannot be combined; pick one`);
  return {
    command,
    dbPath,
    bundle: loadBundle(bundlePath, trust),
    target,
    force: flag(values, 'force'),
    allowRollback: flag(values, 'allow-rollback'),
    backup: flag(values, 'no-backup')
      ? null
      : { dir: optionalString(values, 'backup-dir') ?? defaultBackupDir(dbPath), keep: nonNegativeInt(values, 'keep-backups', DEFAULT_KEEP_BACKUPS) },
    lockTimeoutMs: nonNegativeInt(values, 'lock-timeout', DEFAULT_LOCK_TIMEOUT_MS),
    perRevision: flag(values, 'per-revision'),
    fullIntegrity: flag(values, 'integrity'),
  };
}

/** Runs an upgrade or downgrade command line: preview, rehearsal or the real thing, and prints it. */
export async function runChangeCommand(command: ChangeOptions['command'], args: ParsedArgs, io: CommandIO, target: string): Promise<number> {
  const json = flag(args.values, 'json');
  const started = performance.now();
  const options = changeOptions(command, args, target);
  if (flag(args.values, 'dry-run') || flag(args.values, 'sql')) {
    const { previewChange } = await import('../apply/preview-change.js');
    const preview = previewChange(options);
    const report = { ...preview.report, durationMs: Math.round(performance.now() - started) };
    if (json) io.stdout.write(reportJson(report, { plan: preview.revisions }));
    else io.stdout.write(flag(args.values, 'sql') ? previewSql(preview) : previewText(preview, options.dbPath));
    return 0;
  }
  const progress = await createProgress(io, json);
  options.onProgress = progress.onProgress;
  const { changeDatabase } = await import('../apply/change-database.js');
  const run = flag(args.values, 'rehearse') ? (await import('../apply/rehearse-change.js')).rehearseChange : changeDatabase;
  const result = await run(options).finally(() => progress.stop());
  io.stdout.write(json ? reportJson(result.report) : reportText(result.report, options.dbPath));
  if (result.error) throw result.error;
  return 0;
}

/**
 * The one JSON object of a change that failed before it printed its report (refused on its
 * command line, its bundle or its pre-checks): outcome "refused". The CLI frame prints it.
 */
export function refusalJson(command: ChangeOptions['command'], error: unknown, durationMs: number): string {
  const report = assembleReport({ command, bundle: null, forced: false, rollbackAllowed: false, durationMs, error: null });
  return reportJson({ ...report, error: { code: codeOf(error), message: messageOf(error) } });
}

function codeOf(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : 'failed';
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
