/**
 * The apply process the daemon forks for each migration (see apply-runner.ts): receives one
 * ApplyRequest, runs it through the same path as `edge-agent upgrade` (loadBundle, then
 * changeDatabase with every check, the backup and the validation), sends progress and one result,
 * and exits.
 */
import type { Progress } from '../apply/change-options.js';
import { loadBundle } from '../bundle/load-bundle.js';
import { AgentError } from '../errors.js';
import type { ApplyRequest, ApplyResult, ChildMessage } from './apply-runner.js';
import { applyResultOf } from './migration-results.js';

function send(message: ChildMessage): Promise<void> {
  return new Promise((resolve) => process.send!(message, undefined, {}, () => resolve()));
}

async function apply(request: ApplyRequest): Promise<ApplyResult> {
  const started = performance.now();
  try {
    const bundle = loadBundle(request.bundlePath, request.trust);
    const { changeDatabase } = await import('../apply/change-database.js');
    const { report, error } = await changeDatabase({
      command: 'upgrade',
      dbPath: request.dbPath,
      bundle,
      target: 'head',
      force: false,
      allowRollback: false,
      backup: request.backup,
      lockTimeoutMs: request.lockTimeoutMs,
      perRevision: false,
      fullIntegrity: false,
      onProgress: orphanGuard(throttled((progress) => void send({ type: 'progress', progress }))),
    });
    return applyResultOf(report, error);
  } catch (error) {
    const known = error instanceof AgentError;
    return {
      from: null,
      to: null,
      revisions: [],
      outcome: 'refused',
      durationMs: Math.round(performance.now() - started),
      forced: false,
      error: { code: known ? error.code : 'failed', message: (error as Error).message },
    };
  }
}

const parentPid = process.ppid;

/**
 * A daemon killed outright (SIGKILL to its PID alone) leaves this process running; committing then
 * would race the restarted daemon for the database. Progress comes between copy chunks, so checking
 * there ends an orphaned migration before COMMIT: the journal rolls it back at the next open.
 */
function orphanGuard(onProgress: (progress: Progress) => void): (progress: Progress) => void {
  return (progress) => {
    if (process.ppid !== parentPid) process.exit(1);
    onProgress(progress);
  };
}

/** A line per tenth of each table copied is plenty for a log. */
function throttled(emit: (progress: Progress) => void): (progress: Progress) => void {
  let key = '';
  let tenth = -1;
  return (progress) => {
    const now = `${progress.revision}/${progress.table}`;
    const step = progress.rowsTotal > 0 ? Math.floor((progress.rowsCopied / progress.rowsTotal) * 10) : 10;
    if (now === key && step === tenth) return;
    key = now;
    tenth = step;
    emit(progress);
  };
}

process.once('message', (request: ApplyRequest) => {
  void apply(request)
    .then((result) => send({ type: 'result', result }))
    .finally(() => process.disconnect());
});
