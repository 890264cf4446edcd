import type { LoadedBundle } from '../bundle/load-bundle.js';
import { newestValidBundle } from '../bundle/newest-bundle.js';
import { readTrustedKeys } from '../bundle/trusted-keys.js';
import { AgentError } from '../errors.js';
import { ApplyQueue } from './apply-queue.js';
import { ApplyRunner } from './apply-runner.js';
import { receiveBundle } from './bundle-inbox.js';
import { commandHandler } from './device-commands.js';
import type { DaemonSettings } from './daemon-settings.js';
import { deviceIdentity } from './device-identity.js';
import { linkDevice } from './device-link.js';
import { openLedger } from './device-ledger.js';
import type { Logger } from './logger.js';
import { recordScanRefusals, refusal, resultOfRun } from './migration-results.js';

/** SIGTERM must end the process within 10 s; this leaves room for the broker's answers. */
const STOP_BUDGET_MS = 8000;

/**
 * `edge-agent run --config FILE`: applies the newest bundle of the folder, then stays connected,
 * reporting on every connect and applying what arrives on the device's bundle topic (again after
 * an operator's retry on its cmd topic), until SIGTERM or SIGINT. Resolves with the exit code (0
 * after a signal).
 */
export async function runDaemon(settings: DaemonSettings, log: Logger): Promise<number> {
  const device = deviceIdentity(settings.mqtt.username);
  const keys = readTrustedKeys(settings.trust);
  const ledger = openLedger(settings, log);
  const { outbox } = ledger;
  const runner = new ApplyRunner();

  const onCommand = commandHandler({
    forgetBundle: (sha256) => outbox.forgetBundle(sha256),
    refetchBundle: () => session.resubscribe([device.topics.bundle]),
    log,
  });
  const { session, reporter } = linkDevice({ settings, device, ledger, log, onBundle: (payload) => onBundle(payload), onCommand, applying: () => runner.busy });

  const apply = async (bundle: LoadedBundle): Promise<void> => {
    const { sequence, bundleId } = bundle.manifest;
    const applied = ledger.applied;
    if (sequence === applied.sequence && bundleId === applied.bundleId) return log('up-to-date', { path: bundle.path, sequence, to: outbox.state?.revision });
    if (applied.sequence !== null && sequence < applied.sequence) return log('bundle-stale', { path: bundle.path, sequence, applied: applied.sequence });
    const logIdBefore = ledger.maxLogId;
    log('applying', { path: bundle.path, sequence });
    const run = await runner.run(
      { dbPath: settings.db, bundlePath: bundle.path, trust: settings.trust, backup: settings.backup, lockTimeoutMs: settings.lockTimeoutMs },
      (p) => log('progress', { revision: p.revision, table: p.table, rowsCopied: p.rowsCopied, rowsTotal: p.rowsTotal }),
    );
    if (run === null) return;
    const result = resultOfRun(run, outbox.state?.revision ?? null);
    ledger.settle(logIdBefore, result);
    log(result.outcome, { from: result.from, to: result.to, revisions: result.revisions, durationMs: result.durationMs, sequence, error: result.error });
    reporter.send();
  };
  const queue = new ApplyQueue(apply);

  const onBundle = (payload: Buffer): void => {
    try {
      const delivery = receiveBundle(payload, { dir: settings.bundles, keys, maxBytes: settings.maxBundleBytes, seen: (sha) => outbox.hasSeenBundle(sha), applied: ledger.applied });
      if (delivery.kind === 'empty') return log('bundle-empty');
      if (delivery.kind === 'duplicate') return log('bundle-duplicate', { sha256: delivery.sha256.slice(0, 12) });
      outbox.markBundleSeen(delivery.sha256);
      if (delivery.kind === 'stale') return log('bundle-stale', { sequence: delivery.sequence, applied: ledger.applied.sequence });
      if (delivery.kind === 'refused') {
        const result = refusal(delivery.error, outbox.state?.revision ?? null);
        outbox.record({ results: [result] });
        log('refused', { error: result.error });
        return reporter.send();
      }
      log('bundle-received', { path: delivery.bundle.path, sequence: delivery.bundle.manifest.sequence });
      queue.submit(delivery.bundle);
    } catch (error) {
      // A full disk or an unwritable folder: not marked as seen, so the next connect delivers it again.
      log('error', { during: 'bundle', message: (error as Error).message });
    }
  };

  const stopped = new Promise<string>((resolve) => {
    process.once('SIGTERM', () => resolve('SIGTERM'));
    process.once('SIGINT', () => resolve('SIGINT'));
  });

  try {
    const scan = newestValidBundle(settings.bundles, settings.trust);
    for (const { path, reason } of scan.skipped) log('bundle-skipped', { path, reason });
    for (const { path, error } of scan.refused) log('bundle-skipped', { path, reason: error.message });
    recordScanRefusals(scan, ledger);
    if (scan.newest) queue.submit(scan.newest);
  } catch (error) {
    if (!(error instanceof AgentError) || error.code !== 'failed') throw error;
    log('error', { during: 'scan', message: error.message });
  }
  session.start();
  void queue.idle().then(() => log('ready', { device: device.deviceId, sidecar: settings.sidecar }));
  const check = settings.checkIntervalMs > 0 ? setInterval(() => !runner.busy && reporter.refreshIfChanged(), settings.checkIntervalMs) : null;

  const signal = await stopped;
  log('stopping', { signal });
  const force = setTimeout(() => process.exit(0), STOP_BUDGET_MS + 1000);
  if (check) clearInterval(check);
  reporter.stop();
  queue.clear();
  if (runner.busy) log('apply-killed', { reason: signal });
  await runner.kill();
  await session.stop(STOP_BUDGET_MS / 2);
  outbox.close();
  clearTimeout(force);
  log('stopped');
  return 0;
}
