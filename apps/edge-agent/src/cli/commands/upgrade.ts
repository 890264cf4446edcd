import type { AgentCommand } from '../command.js';
import { CHANGE_OPTIONS, CHANGE_USAGE_OPTIONS, refusalJson, runChangeCommand } from '../change-command.js';

export const command: AgentCommand = {
  usage: `upgrade [TARGET] --db FILE --bundle FILE --trust PUBFILE [--trust PUBFILE ...]${CHANGE_USAGE_OPTIONS}

  TARGET  head (default), a revision id or a unique prefix of 4+ characters, +N
  FILE may not exist yet: a new device starts from an empty database.`,
  options: CHANGE_OPTIONS,
  positionals: ['[TARGET]'],
  jsonError: (error, durationMs) => refusalJson('upgrade', error, durationMs),
  run: (args, io) => runChangeCommand('upgrade', args, io, args.positionals[0] ?? 'head'),
};
