import { resolve } from 'node:path';
import { autogenerateRevision } from '../../autogenerate/autogenerate.js';
import { parseCasing } from '../../autogenerate/casing.js';
import { REVISION_ID_PATTERN } from '../../graph/revision.js';
import { UsageError, type CommandIO, type ParsedArgs } from '../command.js';
import { migrationsDir } from '../migrations-dir.js';

/**
 * `mbundle revision --autogenerate -m MESSAGE --schema FILE [--dir DIR] [--rename OLD=NEW ...] [--casing C]`:
 * prints the path of the revision it wrote, or that there is nothing to do.
 */
export async function runAutogenerate(args: ParsedArgs, io: CommandIO): Promise<number> {
  const message = stringValue(args, 'message') ?? stringValue(args, 'm');
  if (message === undefined || message.trim() === '') throw new UsageError('--autogenerate needs -m MESSAGE');
  const schema = stringValue(args, 'schema');
  if (schema === undefined) throw new UsageError('--autogenerate needs --schema FILE (a drizzle sqlite-core schema module)');
  const dir = migrationsDir(args, io);
  const id = stringValue(args, 'id');
  if (id !== undefined && !REVISION_ID_PATTERN.test(id)) {
    throw new UsageError(`--id ${JSON.stringify(id)} is malformed: an id is 4 to 64 characters of [0-9a-z_]`);
  }
  const parents = listValue(args, 'parent');
  const casing = stringValue(args, 'casing');
  const result = await autogenerateRevision({
    schemaFile: resolve(io.cwd, schema),
    dir,
    message,
    ...(id === undefined ? {} : { id }),
    ...(parents.length === 0 ? {} : { parents }),
    renames: listValue(args, 'rename'),
    ...(casing === undefined ? {} : { casing: parseCasing(casing) }),
  });
  if (result.ignored.length > 0) {
    io.stderr.write(`left alone (drizzle does not model them): ${result.ignored.join(', ')}\n`);
  }
  for (const hint of result.hints) io.stderr.write(`hint: ${hint}\n`);
  if (result.file === null) {
    io.stdout.write(`nothing to do: the head already matches ${schema}; no revision written\n`);
    return 0;
  }
  io.stdout.write(`${result.file}\n`);
  return 0;
}

function stringValue(args: ParsedArgs, key: string): string | undefined {
  const value = args.values[key];
  if (Array.isArray(value)) {
    const last = value[value.length - 1];
    return typeof last === 'string' ? last : undefined;
  }
  return typeof value === 'string' ? value : undefined;
}

function listValue(args: ParsedArgs, key: string): string[] {
  const value = args.values[key];
  const values = Array.isArray(value) ? value : value === undefined ? [] : [value];
  return values.filter((v): v is string => typeof v === 'string');
}
