import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { BundleSummary } from '../../store/bundles.js';
import type { ApiClient } from '../client.js';
import type { Command, CommandIO } from '../command.js';
import { CLIENT_OPTIONS, CLIENT_USAGE, clientFor, print } from '../client-options.js';

export type UploadedBundle = BundleSummary & { added: boolean };

/** Sends a bundle file as is; the service verifies it against the tenant's keys and stores it once. */
export async function uploadBundle(client: ApiClient, io: CommandIO, file: string): Promise<UploadedBundle> {
  const path = resolve(io.cwd, file);
  const bytes = await readFile(path).catch((error: NodeJS.ErrnoException) => {
    throw new Error(`cannot read ${path}: ${error.code ?? error.message}`);
  });
  return client.post<UploadedBundle>('/v1/bundles', new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength));
}

export const bundleUploadCommand: Command = {
  usage: `bundle upload BUNDLE ${CLIENT_USAGE}`,
  options: CLIENT_OPTIONS,
  positionals: ['BUNDLE'],
  async run(args, io) {
    const bundle = await uploadBundle(clientFor(args, io), io, args.positionals[0]!);
    print(args, io, bundle, () =>
      `${bundle.added ? 'stored' : 'already stored'}: bundle ${bundle.id} (sequence ${bundle.sequence}, revisions ${bundle.revisions.join(' ')})`,
    );
    return 0;
  },
};
