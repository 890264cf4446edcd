import { loadBundle } from '../../bundle/load-bundle.js';
import { openForReading } from '../../db/open-database.js';
import { EMPTY_STATE } from '../../state/agent-state.js';
import { readState } from '../../state/read-state.js';
import type { AgentCommand } from '../command.js';
import { BUNDLE_OPTIONS, DEFAULT_LOCK_TIMEOUT_MS, flag, JSON_OPTION, optionalString, requireString, requireTrust } from '../options.js';

export const command: AgentCommand = {
  usage: `history --bundle FILE --trust PUBFILE [--trust PUBFILE ...] [--db FILE] [--json]

  Lists the bundle's revisions in apply order; with --db, marks the ones applied and the current heads.`,
  options: { ...BUNDLE_OPTIONS, ...JSON_OPTION, db: { type: 'string' } },
  positionals: [],
  run: async ({ values }, io) => {
    const bundle = loadBundle(requireString(values, 'bundle', 'history'), requireTrust(values, 'history'));
    const dbPath = optionalString(values, 'db');
    const db = dbPath === undefined ? null : openForReading(dbPath, DEFAULT_LOCK_TIMEOUT_MS);
    const state = db === null ? EMPTY_STATE : readState(db);
    db?.close();
    const rows = bundle.manifest.revisions.map((r) => ({
      id: r.id,
      parents: r.parents,
      message: r.message,
      reversible: r.down !== null,
      applied: state.checksums.has(r.id) || state.heads.includes(r.id),
      current: state.heads.includes(r.id),
    }));
    if (flag(values, 'json')) {
      io.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
      return 0;
    }
    const width = Math.max(4, ...rows.map((r) => r.id.length));
    const lines = rows.map((r) => {
      const mark = dbPath === undefined ? '' : r.current ? ' <- current' : r.applied ? ' (applied)' : '';
      const parents = r.parents.length === 0 ? 'base' : r.parents.join(',');
      return `${r.id.padEnd(width)}  ${r.message}  [after ${parents}]${r.reversible ? '' : ' (no down)'}${mark}`;
    });
    if (dbPath !== undefined && state.heads.length === 0) lines.unshift(`(database ${dbPath} is at base: no revision applied)`);
    io.stdout.write(`${lines.join('\n')}\n`);
    return 0;
  },
};
