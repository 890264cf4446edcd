import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { publicKeyProblem } from '../../tenancy/public-key.js';
import type { Command } from '../command.js';
import { UsageError } from '../command.js';
import { CLIENT_OPTIONS, CLIENT_USAGE, clientFor, print } from '../client-options.js';

interface Key {
  keyId: string;
  createdAt: string;
  added: boolean;
}

export const keysAddCommand: Command = {
  usage: `keys add PUBFILE ${CLIENT_USAGE}`,
  options: CLIENT_OPTIONS,
  positionals: ['PUBFILE'],
  async run(args, io) {
    const path = resolve(io.cwd, args.positionals[0]!);
    const publicKey = await readFile(path, 'utf8').catch((error: NodeJS.ErrnoException) => {
      throw new Error(`cannot read ${path}: ${error.code ?? error.message}`);
    });
    // Checked here so that a private key is never sent anywhere.
    const problem = publicKeyProblem(publicKey);
    if (problem) throw new UsageError(`keys add: ${path} is ${problem}`);
    const key = await clientFor(args, io).post<Key>('/v1/keys', { publicKey });
    print(args, io, key, () => `${key.added ? 'trusted' : 'already trusted'}: key ${key.keyId}`);
    return 0;
  },
};
