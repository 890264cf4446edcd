import { resolve } from 'node:path';
import type { CommandIO, ParsedArgs } from './command.js';

/** `--dir`, resolved against the working directory; the contract's default is `./migrations`. */
export function migrationsDir(args: ParsedArgs, io: CommandIO): string {
  const dir = args.values.dir;
  return resolve(io.cwd, typeof dir === 'string' ? dir : 'migrations');
}
