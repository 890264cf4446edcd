import { resolve } from 'node:path';
import { readBundleFile } from '../../bundle/file.js';
import { loadPublicKey } from '../../bundle/keys.js';
import { verifyBundle, type VerifiedBundle } from '../../bundle/verify.js';
import { UsageError, type Command } from '../command.js';
import { exitCodeFor } from '../exit-codes.js';

export const verifyCommand: Command = {
  name: 'verify',
  summary: "Check a bundle's signatures against trusted keys, its checksums and its expiry.",
  usage: 'verify FILE --trust PUBFILE [--trust PUBFILE ...] [--json]',
  options: { trust: { type: 'string', multiple: true }, json: { type: 'boolean' } },
  maxPositionals: 1,
  async run(args, io) {
    const [file] = args.positionals;
    const trust = (args.values.trust ?? []) as string[];
    if (file === undefined) throw new UsageError('verify: FILE is required');
    if (trust.length === 0) throw new UsageError('verify: at least one --trust PUBFILE is required');
    const json = args.values.json === true;

    let verified: VerifiedBundle;
    try {
      const trusted = await Promise.all(trust.map((path) => loadPublicKey(resolve(io.cwd, path))));
      verified = verifyBundle(await readBundleFile(resolve(io.cwd, file)), trusted);
    } catch (error) {
      if (!json) throw error;
      const { code = 'error', message = String(error) } = error as { code?: string; message?: string };
      io.stdout.write(`${JSON.stringify({ ok: false, error: { code, message } })}\n`);
      return exitCodeFor(error);
    }

    const { manifest, signers } = verified;
    const expiresAt = manifest.expiresAt === null ? null : new Date(manifest.expiresAt).toISOString();
    const revisions = manifest.revisions.map((r) => r.id);
    if (json) {
      const { bundleId, sequence, heads } = manifest;
      io.stdout.write(`${JSON.stringify({ ok: true, bundleId, sequence, signers, revisions, heads, expiresAt })}\n`);
    } else {
      io.stdout.write(
        `ok: bundle ${manifest.bundleId}, sequence ${manifest.sequence}, ${revisions.length} revisions, ` +
          `head ${manifest.heads.join(', ') || '(none)'}, signed by ${signers.join(', ')}, expires ${expiresAt ?? 'never'}\n`,
      );
    }
    return 0;
  },
};
