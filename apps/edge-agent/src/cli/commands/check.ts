import { loadBundle } from '../../bundle/load-bundle.js';
import { checkChecksums, compareSchema, driftError } from '../../apply/preflight.js';
import { resolveChange } from '../../apply/resolve-change.js';
import { openForReading } from '../../db/open-database.js';
import { revisionLabel } from '../../state/agent-state.js';
import { readState } from '../../state/read-state.js';
import type { AgentCommand } from '../command.js';
import { BUNDLE_OPTIONS, DB_OPTION, DEFAULT_LOCK_TIMEOUT_MS, flag, JSON_OPTION, requireString, requireTrust } from '../options.js';

export const command: AgentCommand = {
  usage: `check --db FILE --bundle FILE --trust PUBFILE [--trust PUBFILE ...] [--json]

  Compares the live schema with the one the recorded revision expects: exit 0 when they match,
  4 with the differences when they do not.`,
  options: { ...DB_OPTION, ...BUNDLE_OPTIONS, ...JSON_OPTION },
  positionals: [],
  run: async ({ values }, io) => {
    const dbPath = requireString(values, 'db', 'check');
    const bundle = loadBundle(requireString(values, 'bundle', 'check'), requireTrust(values, 'check'));
    const db = openForReading(dbPath, DEFAULT_LOCK_TIMEOUT_MS);
    try {
      const state = readState(db);
      checkChecksums(bundle.manifest, bundle.path, state);
      resolveChange(bundle.manifest, bundle.path, state, 'up', 'head');
      const result = compareSchema(db, bundle.manifest, state.heads);
      const revision = revisionLabel(state.heads);
      if (flag(values, 'json')) {
        io.stdout.write(
          `${JSON.stringify({ revision, clean: result.diff === null, expectedFingerprint: result.expectedFingerprint, fingerprint: result.liveFingerprint, diff: result.changes, diffText: result.diff }, null, 2)}\n`,
        );
      } else if (result.diff === null) {
        io.stdout.write(`${dbPath} matches revision ${revision ?? 'base'} (fingerprint ${result.liveFingerprint.slice(0, 16)})\n`);
      }
      if (result.diff !== null) throw driftError(dbPath, revision, result.diff, 'edge-agent upgrade');
      return 0;
    } finally {
      db?.close();
    }
  },
};
