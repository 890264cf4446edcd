import type { AgentCommand } from '../command.js';
import { CHANGE_OPTIONS, CHANGE_USAGE_OPTIONS, refusalJson, runChangeCommand } from '../change-command.js';

export const command: AgentCommand = {
  usage: `downgrade TARGET --db FILE --bundle FILE --trust PUBFILE [--trust PUBFILE ...]${CHANGE_USAGE_OPTIONS}

  TARGET  base (an empty schema), a revision id or a unique prefix of 4+ characters, -N`,
  options: CHANGE_OPTIONS,
  positionals: ['TARGET'],
  jsonError: (error, durationMs) => refusalJson('downgrade', error, durationMs),
  run: (args, io) => runChangeCommand('downgrade', args, io, args.positionals[0]!),
};
