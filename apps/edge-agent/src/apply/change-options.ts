import type { LoadedBundle } from '../bundle/load-bundle.js';

export interface Progress {
  revision: string;
  table: string;
  rowsCopied: number;
  rowsTotal: number;
}

/** Everything an upgrade or downgrade needs, whoever starts it (CLI, `run --once`, a rehearsal). */
export interface ChangeOptions {
  command: 'upgrade' | 'downgrade';
  dbPath: string;
  bundle: LoadedBundle;
  target: string;
  force: boolean;
  allowRollback: boolean;
  /** Where backups go and how many to keep; null with --no-backup. */
  backup: { dir: string; keep: number } | null;
  lockTimeoutMs: number;
  perRevision: boolean;
  fullIntegrity: boolean;
  onProgress?: (progress: Progress) => void;
}
