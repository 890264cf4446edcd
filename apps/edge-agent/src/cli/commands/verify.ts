import { loadBundle } from '../../bundle/load-bundle.js';
import type { AgentCommand } from '../command.js';
import { BUNDLE_OPTIONS, flag, JSON_OPTION, requireString, requireTrust } from '../options.js';

export const command: AgentCommand = {
  usage: `verify --bundle FILE --trust PUBFILE [--trust PUBFILE ...] [--json]

  Checks the bundle's signatures against the trusted keys, its checksums and its expiry (exit 3 if refused).`,
  options: { ...BUNDLE_OPTIONS, ...JSON_OPTION },
  positionals: [],
  run: async ({ values }, io) => {
    const { manifest, signers } = loadBundle(requireString(values, 'bundle', 'verify'), requireTrust(values, 'verify'));
    const summary = {
      valid: true,
      bundleId: manifest.bundleId,
      sequence: manifest.sequence,
      createdAt: new Date(manifest.createdAt).toISOString(),
      expiresAt: manifest.expiresAt === null ? null : new Date(manifest.expiresAt).toISOString(),
      heads: manifest.heads,
      revisions: manifest.revisions.map((r) => r.id),
      signers,
    };
    if (flag(values, 'json')) {
      io.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
    } else {
      io.stdout.write(
        `bundle ${summary.bundleId} is valid: sequence ${summary.sequence}, ${summary.revisions.length} revision(s), ` +
          `head ${summary.heads.join(',') || 'none'}, signed by ${signers.join(', ')}, ` +
          `${summary.expiresAt ? `expires ${summary.expiresAt}` : 'no expiry'}\n`,
      );
    }
    return 0;
  },
};
