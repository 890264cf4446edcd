import { newestValidBundle } from '../../bundle/newest-bundle.js';
import { readAgentConfig } from '../../config/agent-config.js';
import { daemonSettings, type DaemonSettings } from '../../daemon/daemon-settings.js';
import { createLogger, type LogFormat, type Logger } from '../../daemon/logger.js';
import { applyResultOf, recordScanRefusals, resultOfRun } from '../../daemon/migration-results.js';
import { openLedger, type DeviceLedger } from '../../daemon/device-ledger.js';
import { usageError } from '../../errors.js';
import type { AgentCommand, CommandIO } from '../command.js';
import { flag, JSON_OPTION, requireString } from '../options.js';
import { reportJson, reportText } from '../print-report.js';
import { createProgress } from '../progress.js';

export const command: AgentCommand = {
  usage: `run --config FILE [--log text|json]
run --config FILE --once [--json] [--log text|json]

  Without --once: the device daemon. Applies the newest valid bundle in the config's "bundles"
          folder, connects to the broker (reconnecting with backoff), reports its state on every
          connect, applies the bundles the coordinator sends, and runs until SIGTERM or SIGINT
          (exit 0). One log line per event on stdout (--log json: one JSON object per line).
  --once  apply the newest valid bundle in "bundles", offline, report it if the broker answers
          within "onceReportTimeoutMs" (default 5000), and exit with upgrade's exit codes: what a
          runtime's start script calls before it starts the application.
  --log   text (default) or json; with --once the log goes to stderr.
  The config is JSON: { "db", "trust": [PUBFILE...], "bundles", "mqtt": { "url", "username", "password" } }
  and optionally "backupDir", "keepBackups", "lockTimeoutMs", "mqtt.ca", "mqtt.keepaliveSeconds",
  "reconnect": { "baseMs", "capMs" }, "onceReportTimeoutMs", "stateDir", "checkIntervalSeconds".
  Paths are relative to the config file. See docs/edge-agent.md, "Daemon".`,
  options: { config: { type: 'string' }, once: { type: 'boolean' }, log: { type: 'string' }, ...JSON_OPTION },
  positionals: [],
  run: async ({ values }, io) => {
    const configPath = requireString(values, 'config', 'run');
    const settings = daemonSettings(readAgentConfig(configPath), configPath);
    const format = logFormat(values.log);
    if (!flag(values, 'once')) {
      if (flag(values, 'json')) throw usageError('--json goes with --once; the daemon logs JSON with --log json');
      const { runDaemon } = await import('../../daemon/run-daemon.js');
      return runDaemon(settings, createLogger(format, io.stdout));
    }
    return runOnce(settings, flag(values, 'json'), createLogger(format, io.stderr), io);
  },
};

/** `--once`: the offline upgrade, recorded in the sidecar outbox and reported when the broker answers. */
async function runOnce(settings: DaemonSettings, json: boolean, log: Logger, io: CommandIO): Promise<number> {
  const ledger = openLedger(settings, log);
  try {
    const scan = newestValidBundle(settings.bundles, settings.trust);
    for (const { error } of scan.refused) io.stderr.write(`edge-agent: skipped: ${error.message}\n`);
    for (const { path, reason } of scan.skipped) io.stderr.write(`edge-agent: skipped ${path}: ${reason}\n`);
    recordScanRefusals(scan, ledger);
    if (scan.newest === null) {
      await report(settings, ledger, log);
      if (scan.refused.length > 0) throw scan.refused[0]!.error;
      io.stdout.write(json ? `${JSON.stringify({ outcome: 'up-to-date', bundle: null })}\n` : `no bundle in ${settings.bundles}: nothing to do\n`);
      return 0;
    }
    const progress = await createProgress(io, json);
    const { changeDatabase } = await import('../../apply/change-database.js');
    const logIdBefore = ledger.maxLogId;
    const result = await changeDatabase({
      command: 'upgrade',
      dbPath: settings.db,
      bundle: scan.newest,
      target: 'head',
      force: false,
      allowRollback: false,
      backup: settings.backup,
      lockTimeoutMs: settings.lockTimeoutMs,
      perRevision: false,
      fullIntegrity: false,
      onProgress: progress.onProgress,
    }).finally(() => progress.stop());
    ledger.settle(logIdBefore, resultOfRun(applyResultOf(result.report, result.error), ledger.outbox.state?.revision ?? null));
    io.stdout.write(json ? reportJson(result.report) : reportText(result.report, settings.db));
    await report(settings, ledger, log);
    if (result.error) throw result.error;
    return 0;
  } finally {
    ledger.outbox.close();
  }
}

/** Loaded only when there is something to report: an up-to-date boot never loads MQTT. */
async function report(settings: DaemonSettings, ledger: DeviceLedger, log: Logger): Promise<void> {
  if (!ledger.outbox.pending) return;
  const { reportOnce } = await import('../../daemon/report-once.js');
  await reportOnce(settings, ledger, log);
}

function logFormat(value: unknown): LogFormat {
  if (value === undefined || value === 'text' || value === 'json') return value ?? 'text';
  throw usageError(`--log must be text or json, not "${String(value)}"`);
}
