import { resolve } from 'node:path';
import { writeKeyPair } from '../../bundle/keys.js';
import { UsageError, type Command } from '../command.js';

export const keygenCommand: Command = {
  usage: 'keygen --out PREFIX',
  options: { out: { type: 'string' } },
  positionals: [],
  async run(args, io) {
    const prefix = args.values.out;
    if (typeof prefix !== 'string' || prefix === '') throw new UsageError('keygen: --out PREFIX is required');
    const files = await writeKeyPair(resolve(io.cwd, prefix));
    io.stdout.write(`wrote ${files.privateKeyPath}\nwrote ${files.publicKeyPath}\nkey id ${files.keyId}\n`);
    return 0;
  },
};
