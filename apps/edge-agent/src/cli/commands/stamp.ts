import { stampDatabase } from '../../apply/stamp-database.js';
import { loadBundle } from '../../bundle/load-bundle.js';
import type { AgentCommand } from '../command.js';
import { BUNDLE_OPTIONS, DB_OPTION, DEFAULT_LOCK_TIMEOUT_MS, flag, JSON_OPTION, LOCK_OPTION, nonNegativeInt, requireString, requireTrust } from '../options.js';

export const command: AgentCommand = {
  usage: `stamp REV --db FILE --bundle FILE --trust PUBFILE [--trust PUBFILE ...] [--force] [--allow-rollback] [--json]

  Records that the database is at REV (a revision id, a unique prefix, head or base) without
  running any migration, once its live schema matches what REV expects (exit 4 otherwise;
  --force records it anyway, and the apply log says so).`,
  options: { ...DB_OPTION, ...BUNDLE_OPTIONS, ...JSON_OPTION, ...LOCK_OPTION, force: { type: 'boolean' }, 'allow-rollback': { type: 'boolean' } },
  positionals: ['REV'],
  run: async ({ values, positionals }, io) => {
    const target = positionals[0]!;
    const dbPath = requireString(values, 'db', 'stamp');
    const result = stampDatabase({
      dbPath,
      bundle: loadBundle(requireString(values, 'bundle', 'stamp'), requireTrust(values, 'stamp')),
      target,
      force: flag(values, 'force'),
      allowRollback: flag(values, 'allow-rollback'),
      lockTimeoutMs: nonNegativeInt(values, 'lock-timeout', DEFAULT_LOCK_TIMEOUT_MS),
    });
    if (flag(values, 'json')) io.stdout.write(`${JSON.stringify({ ...result, forced: result.drift !== null })}\n`);
    else io.stdout.write(`stamped ${dbPath} at ${result.to ?? 'base'} (was ${result.from ?? 'base'})${result.drift ? ', forced over schema drift' : ''}\n`);
    return 0;
  },
};
