import { resolve } from 'node:path';
import { readBundleFile } from '../../bundle/file.js';
import { loadPublicKey } from '../../bundle/keys.js';
import { verifyBundle } from '../../bundle/verify.js';
import { UsageError, type Command } from '../command.js';

export const verifyCommand: Command = {
  usage: 'verify FILE --trust PUBFILE [--trust PUBFILE ...] [--json]',
  options: { trust: { type: 'string', multiple: true }, json: { type: 'boolean' } },
  positionals: ['FILE'],
  jsonError(error) {
    const { code = 'error', message = String(error) } = error as { code?: string; message?: string };
    return `${JSON.stringify({ ok: false, error: { code, message } })}\n`;
  },
  async run(args, io) {
    const file = args.positionals[0]!;
    const trust = (args.values.trust ?? []) as string[];
    if (trust.length === 0) throw new UsageError('verify: at least one --trust PUBFILE is required');
    const json = args.values.json === true;
    const trusted = await Promise.all(trust.map((path) => loadPublicKey(resolve(io.cwd, path))));
    const { manifest, signers } = verifyBundle(await readBundleFile(resolve(io.cwd, file)), trusted);
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
