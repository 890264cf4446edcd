import { emptySchema, fingerprintOf, readSchema } from '@godwit/migration-bundle/device';
import { openForReading } from '../../db/open-database.js';
import { revisionLabel } from '../../state/agent-state.js';
import { readState } from '../../state/read-state.js';
import type { AgentCommand } from '../command.js';
import { DB_OPTION, DEFAULT_LOCK_TIMEOUT_MS, flag, JSON_OPTION, LOCK_OPTION, nonNegativeInt, requireString } from '../options.js';

export const command: AgentCommand = {
  usage: `current --db FILE [--json] [--lock-timeout MS]

  Prints the recorded revision (several heads are joined by ','), the live schema's fingerprint and
  the highest bundle sequence applied. JSON: { "revision", "fingerprint", "bundleSequence", "heads" }.`,
  options: { ...DB_OPTION, ...JSON_OPTION, ...LOCK_OPTION },
  positionals: [],
  run: async ({ values }, io) => {
    const dbPath = requireString(values, 'db', 'current');
    const db = openForReading(dbPath, nonNegativeInt(values, 'lock-timeout', DEFAULT_LOCK_TIMEOUT_MS));
    try {
      const state = readState(db);
      const fingerprint = fingerprintOf(db === null ? emptySchema() : readSchema(db));
      const revision = revisionLabel(state.heads);
      if (flag(values, 'json')) {
        io.stdout.write(`${JSON.stringify({ revision, fingerprint, bundleSequence: state.bundleSequence, heads: state.heads })}\n`);
      } else {
        io.stdout.write(
          `revision: ${revision ?? 'base (no revision recorded)'}\nfingerprint: ${fingerprint}\nbundle sequence: ${state.bundleSequence ?? 'none applied'}\n`,
        );
      }
      return 0;
    } finally {
      db?.close();
    }
  },
};
