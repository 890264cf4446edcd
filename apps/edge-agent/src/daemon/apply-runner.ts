import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Outcome, TableSize } from '@godwit/fleet-protocol';
import type { Progress } from '../apply/change-options.js';

/** What the parent asks of the apply process: one upgrade to head, exactly as `edge-agent upgrade` does it. */
export interface ApplyRequest {
  dbPath: string;
  bundlePath: string;
  trust: readonly string[];
  backup: { dir: string; keep: number };
  lockTimeoutMs: number;
}

/** The upgrade's report, as much of it as a migration event needs. */
export interface ApplyResult {
  from: string | null;
  to: string | null;
  revisions: string[];
  outcome: Outcome;
  durationMs: number;
  forced: boolean;
  error: { code: string; message: string } | null;
  /** Rows its table rebuilds copied; absent when nothing ran. */
  rowsCopied?: number;
  /** Bytes per table touched, before and after; absent when nothing was measured. */
  tableSizes?: TableSize[];
}

export type ChildMessage = { type: 'progress'; progress: Progress } | { type: 'result'; result: ApplyResult };

const CHILD = fileURLToPath(new URL('./apply-child.js', import.meta.url));

/**
 * Runs each migration in a child process (dist/daemon/apply-child.js), off the daemon's event loop:
 * a rebuild that takes minutes cannot starve the MQTT keepalive, the idle daemon never holds the
 * engine's planner in memory, and a stop can kill the migration outright (SQLite's journal rolls
 * the interrupted transaction back at the next open: guarantee 2).
 */
export class ApplyRunner {
  #child: ChildProcess | null = null;

  get busy(): boolean {
    return this.#child !== null;
  }

  /** The result; null when `kill` ended it. A child that dies unasked is a rolled-back result. */
  run(request: ApplyRequest, onProgress: (progress: Progress) => void): Promise<ApplyResult | null> {
    const started = performance.now();
    const child = fork(CHILD, [], { execArgv: [], stdio: ['ignore', 'inherit', 'inherit', 'ipc'], serialization: 'json' });
    this.#child = child;
    let result: ApplyResult | null = null;
    let killed = false;
    child.on('message', (message: ChildMessage) => {
      if (message.type === 'progress') onProgress(message.progress);
      else result = message.result;
    });
    child.send(request);
    return new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        this.#child = null;
        killed = killed || child.killed;
        if (result !== null) return resolve(result);
        if (killed) return resolve(null);
        resolve({
          from: null,
          to: null,
          revisions: [],
          outcome: 'rolled-back',
          durationMs: Math.round(performance.now() - started),
          forced: false,
          error: { code: 'failed', message: `the apply process ended unexpectedly (${signal ?? `exit code ${code}`}); SQLite rolls back whatever it had not committed` },
        });
      });
    });
  }

  /** Kills the migration in flight, if any, and waits for the process to be gone. */
  async kill(): Promise<void> {
    const child = this.#child;
    if (!child) return;
    const gone = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await gone;
  }
}
