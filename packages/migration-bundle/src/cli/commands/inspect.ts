import { resolve } from 'node:path';
import { readBundleFile } from '../../bundle/file.js';
import type { Manifest, ManifestRevision } from '../../bundle/manifest.js';
import { decodeBundleUnverified } from '../../bundle/verify.js';
import type { Command } from '../command.js';

export const inspectCommand: Command = {
  usage: 'inspect FILE [--json]',
  options: { json: { type: 'boolean' } },
  positionals: ['FILE'],
  async run(args, io) {
    const file = args.positionals[0]!;
    const { manifest, signatures } = decodeBundleUnverified(await readBundleFile(resolve(io.cwd, file)));
    const keyIds = signatures.map((s) => s.keyId);
    if (args.values.json === true) {
      const result = {
        format: manifest.format,
        bundleId: manifest.bundleId,
        sequence: manifest.sequence,
        createdAt: isoDate(manifest.createdAt),
        expiresAt: manifest.expiresAt === null ? null : isoDate(manifest.expiresAt),
        signatures: keyIds.map((keyId) => ({ keyId })),
        heads: manifest.heads,
        revisions: manifest.revisions,
      };
      io.stdout.write(`${JSON.stringify(result)}\n`);
    } else {
      io.stdout.write(summary(manifest, keyIds));
    }
    return 0;
  },
};

function summary(manifest: Manifest, keyIds: string[]): string {
  const lines = [
    `bundle     ${manifest.bundleId} (format ${manifest.format}, not verified)`,
    `sequence   ${manifest.sequence}`,
    `created    ${isoDate(manifest.createdAt)}`,
    `expires    ${manifest.expiresAt === null ? 'never' : isoDate(manifest.expiresAt)}`,
    `signatures ${keyIds.length}${keyIds.map((id) => `\n  key ${id}`).join('')}`,
    `revisions  ${manifest.revisions.length}, in apply order; heads: ${manifest.heads.join(', ') || '(none)'}`,
    ...manifest.revisions.map(describeRevision),
  ];
  return `${lines.join('\n')}\n`;
}

function describeRevision(revision: ManifestRevision): string {
  const parents = revision.parents.length === 0 ? 'base' : `after ${revision.parents.join(' + ')}`;
  const down = revision.down === null ? 'no down' : `down ${count(revision.down.length, 'op')}`;
  return (
    `  ${revision.id}  ${parents}  ${JSON.stringify(revision.message)}\n` +
    `      up ${count(revision.up.length, 'op')} (${count(revision.upSql.length, 'statement')}), ${down}, ` +
    `fingerprint ${revision.fingerprint.slice(0, 12)}`
  );
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

function isoDate(ms: number): string {
  return new Date(ms).toISOString();
}
