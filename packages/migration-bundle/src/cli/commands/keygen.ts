import { resolve } from 'node:path';
import { writeKeyPair } from '../../bundle/keys.js';
import { UsageError, type Command } from '../command.js';

export const keygenCommand: Command = {
  name: 'keygen',
  summary: 'Generate an Ed25519 signing key pair: PREFIX.key (private, mode 0600) and PREFIX.pub.',
  usage: 'keygen --out PREFIX',
  options: { out: { type: 'string' } },
  maxPositionals: 0,
  async run(args, io) {
    const prefix = args.values.out;
    if (typeof prefix !== 'string' || prefix === '') throw new UsageError('keygen: --out PREFIX is required');
    const files = await writeKeyPair(resolve(io.cwd, prefix));
    io.stdout.write(`wrote ${files.privateKeyPath}\nwrote ${files.publicKeyPath}\nkey id ${files.keyId}\n`);
    return 0;
  },
};
