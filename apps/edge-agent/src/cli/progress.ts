import type { Progress } from '../apply/change-options.js';
import type { CommandIO } from './command.js';

export interface ProgressDisplay {
  onProgress: (progress: Progress) => void;
  stop(): void;
}

/** The copy is not the whole wait: say what the silent seconds after it are. */
const AFTER_COPY = (p: Progress) => `${p.revision}: ${p.table} copied; recreating its indexes and triggers, then checking and committing\n`;

const SILENT: ProgressDisplay = { onProgress: () => {}, stop: () => {} };

/**
 * Rows copied by each table rebuild: a bar with rate and time left on a terminal, a plain line
 * per tenth otherwise, nothing with --json (stdout then carries only the JSON object).
 */
export async function createProgress(io: CommandIO, json: boolean): Promise<ProgressDisplay> {
  if (json) return SILENT;
  return io.interactive ? barProgress(io) : lineProgress(io);
}

async function barProgress(io: CommandIO): Promise<ProgressDisplay> {
  const { default: cliProgress } = await import('cli-progress');
  let bar: InstanceType<typeof cliProgress.SingleBar> | null = null;
  let current = '';
  let startedAt = 0;
  const stop = () => {
    bar?.stop();
    bar = null;
  };
  return {
    onProgress: (p) => {
      const key = `${p.revision}/${p.table}`;
      if (key !== current) {
        stop();
        current = key;
        startedAt = performance.now();
        bar = new cliProgress.SingleBar(
          {
            stream: io.stderr as NodeJS.WriteStream,
            format: `${p.revision} rebuilding ${p.table} [{bar}] {value}/{total} rows | {rate} rows/s | {eta_formatted} left`,
            hideCursor: true,
            etaBuffer: 20,
          },
          cliProgress.Presets.shades_classic,
        );
        bar.start(p.rowsTotal, 0, { rate: 0 });
      }
      const seconds = (performance.now() - startedAt) / 1000;
      // The total is an estimate until the copy's last event (see the engine's ProgressEvent).
      if (bar && bar.getTotal() !== p.rowsTotal) bar.setTotal(p.rowsTotal);
      bar?.update(p.rowsCopied, { rate: seconds > 0 ? Math.round(p.rowsCopied / seconds) : 0 });
      if (p.rowsCopied >= p.rowsTotal && bar) {
        stop();
        io.stderr.write(AFTER_COPY(p));
      }
    },
    stop,
  };
}

function lineProgress(io: CommandIO): ProgressDisplay {
  let current = '';
  let lastTenth = -1;
  return {
    onProgress: (p) => {
      const key = `${p.revision}/${p.table}`;
      if (key !== current) {
        current = key;
        lastTenth = -1;
      }
      const tenth = p.rowsTotal === 0 ? 10 : Math.floor((p.rowsCopied / p.rowsTotal) * 10);
      if (tenth === lastTenth) return;
      lastTenth = tenth;
      io.stderr.write(`${p.revision}: rebuilding ${p.table}: ${p.rowsCopied}/${p.rowsTotal} rows copied (${p.rowsTotal === 0 ? 100 : Math.round((p.rowsCopied / p.rowsTotal) * 100)}%)\n`);
      if (p.rowsCopied >= p.rowsTotal) io.stderr.write(AFTER_COPY(p));
    },
    stop: () => {},
  };
}
