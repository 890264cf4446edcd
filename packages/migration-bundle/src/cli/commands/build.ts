import { writeFile, rename } from 'node:fs/promises';
import { resolve } from 'node:path';
import { buildBundle } from '../../compile/build-bundle.js';
import { keyIdOf, loadPrivateKey } from '../../bundle/keys.js';
import { UsageError, type Command } from '../command.js';
import { parseExpiry } from '../duration.js';
import { migrationsDir } from '../migrations-dir.js';

export const buildCommand: Command = {
  usage: `build --dir DIR --key KEYFILE [--key KEYFILE ...] --out FILE [--sequence N] [--expires DURATION|ISO-DATE] [--json]

Loads every revision of DIR (default ./migrations), checks the graph has one head, plans each
revision on an in-memory SQLite database (recording its SQL and expected schema fingerprint),
and writes the signed bundle to FILE.
  --key FILE        Ed25519 private key (PKCS#8 PEM); repeat to sign with several keys
  --sequence N      bundle sequence (default: build time in milliseconds); devices refuse older ones
  --expires WHEN    a duration from now (90d, 12h, 30m, 45s) or an ISO date
  --json            print one JSON object describing the bundle`,
  options: {
    dir: { type: 'string' },
    key: { type: 'string', multiple: true },
    out: { type: 'string' },
    sequence: { type: 'string' },
    expires: { type: 'string' },
    json: { type: 'boolean' },
  },
  positionals: [],
  async run(args, io) {
    const { values } = args;
    const keyFiles = (values.key as string[] | undefined) ?? [];
    if (!keyFiles.length) throw new UsageError('build needs at least one --key');
    if (typeof values.out !== 'string') throw new UsageError('build needs --out FILE');
    const sequence = values.sequence === undefined ? undefined : parseSequence(values.sequence as string);
    const expiresAt = typeof values.expires === 'string' ? parseExpiry(values.expires) : null;
    const keys = await Promise.all(keyFiles.map((file) => loadPrivateKey(resolve(io.cwd, file))));
    const dir = migrationsDir(args, io);
    const { bytes, manifest } = await buildBundle({ dir, keys, expiresAt, ...(sequence !== undefined ? { sequence } : {}) });
    const out = resolve(io.cwd, values.out);
    // Write then rename, so a reader never sees half a bundle.
    await writeFile(`${out}.tmp`, bytes);
    await rename(`${out}.tmp`, out);
    const summary = {
      file: out,
      bundleId: manifest.bundleId,
      sequence: manifest.sequence,
      revisions: manifest.revisions.map((r) => r.id),
      heads: manifest.heads,
      expiresAt: manifest.expiresAt === null ? null : new Date(manifest.expiresAt).toISOString(),
      signers: keys.map(keyIdOf),
      bytes: bytes.length,
    };
    if (values.json) io.stdout.write(`${JSON.stringify(summary)}\n`);
    else {
      io.stdout.write(
        `wrote ${out}: ${summary.revisions.length} revision(s), head ${summary.heads.join(', ') || '(none)'}, ` +
          `sequence ${summary.sequence}, signed by ${summary.signers.join(', ')}, ${summary.bytes} bytes\n`,
      );
    }
    return 0;
  },
};

function parseSequence(value: string): number {
  const sequence = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(sequence)) {
    throw new UsageError(`--sequence takes a non-negative integer, not '${value}'`);
  }
  return sequence;
}
