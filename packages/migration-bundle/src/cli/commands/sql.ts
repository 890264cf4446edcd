import { resolve } from 'node:path';
import { renderSql } from '../../compile/range-script.js';
import { readBundleFile } from '../../bundle/file.js';
import { decodeBundleUnverified } from '../../bundle/verify.js';
import type { Command } from '../command.js';

export const sqlCommand: Command = {
  usage: `sql FILE [--from REV] [--to REV]

Prints the signed SQL of bundle FILE that takes a database from --from (default: base, an empty
database) to --to (default: head), wrapped in the transaction and foreign-key handling the
agent uses. A --to below --from prints the downgrade. The signature is not checked here: use
'mbundle verify' for that.`,
  options: { from: { type: 'string' }, to: { type: 'string' } },
  positionals: ['FILE'],
  async run({ values, positionals }, io) {
    const file = positionals[0]!;
    const { manifest } = decodeBundleUnverified(await readBundleFile(resolve(io.cwd, file)));
    io.stdout.write(renderSql(manifest, (values.from as string | undefined) ?? null, (values.to as string | undefined) ?? 'head'));
    return 0;
  },
};
