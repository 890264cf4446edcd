import { newestValidBundle } from '../../bundle/newest-bundle.js';
import { readAgentConfig } from '../../config/agent-config.js';
import { defaultBackupDir } from '../../db/backup.js';
import { usageError } from '../../errors.js';
import type { AgentCommand } from '../command.js';
import { DEFAULT_KEEP_BACKUPS, DEFAULT_LOCK_TIMEOUT_MS, flag, JSON_OPTION, requireString } from '../options.js';
import { reportJson, reportText } from '../print-report.js';
import { createProgress } from '../progress.js';

export const command: AgentCommand = {
  usage: `run --config FILE --once [--json]

  --once  apply the newest valid bundle in the config's "bundles" folder, offline, and exit with
          upgrade's exit codes: what a runtime's start script calls before it starts the application.
  The config is JSON: { "db", "trust": [PUBFILE...], "bundles", "mqtt": { "url", "username", "password" } }
  and optionally "backupDir", "keepBackups", "lockTimeoutMs". Paths are relative to the config file.`,
  options: { config: { type: 'string' }, once: { type: 'boolean' }, ...JSON_OPTION },
  maxPositionals: 0,
  run: async ({ values }, io) => {
    const config = readAgentConfig(requireString(values, 'config', 'run'));
    if (!flag(values, 'once')) {
      throw usageError('the MQTT daemon is not available in this version: pass --once to apply the newest bundle and exit');
    }
    const json = flag(values, 'json');
    const scan = newestValidBundle(config.bundles, config.trust);
    for (const { error } of scan.refused) io.stderr.write(`edge-agent: skipped: ${error.message}\n`);
    for (const { path, reason } of scan.skipped) io.stderr.write(`edge-agent: skipped ${path}: ${reason}\n`);
    if (scan.newest === null) {
      if (scan.refused.length > 0) throw scan.refused[0]!.error;
      io.stdout.write(json ? `${JSON.stringify({ outcome: 'up-to-date', bundle: null })}\n` : `no bundle in ${config.bundles}: nothing to do\n`);
      return 0;
    }
    const progress = await createProgress(io, json);
    const { changeDatabase } = await import('../../apply/change-database.js');
    const result = await changeDatabase({
      command: 'upgrade',
      dbPath: config.db,
      bundle: scan.newest,
      target: 'head',
      force: false,
      allowRollback: false,
      backup: { dir: config.backupDir ?? defaultBackupDir(config.db), keep: config.keepBackups ?? DEFAULT_KEEP_BACKUPS },
      lockTimeoutMs: config.lockTimeoutMs ?? DEFAULT_LOCK_TIMEOUT_MS,
      perRevision: false,
      fullIntegrity: false,
      onProgress: progress.onProgress,
    }).finally(() => progress.stop());
    io.stdout.write(json ? reportJson(result.report) : reportText(result.report, config.db));
    if (result.error) throw result.error;
    return 0;
  },
};
