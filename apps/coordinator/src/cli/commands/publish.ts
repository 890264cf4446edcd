import { channelName } from '../../store/names.js';
import type { Command } from '../command.js';
import { UsageError } from '../command.js';
import { CLIENT_OPTIONS, CLIENT_USAGE, clientFor, print } from '../client-options.js';
import { uploadBundle } from './bundle-upload.js';
import { labelsFrom } from './device-register.js';
import { percentFrom } from './rollout.js';

interface Rollout {
  id: string;
  bundle: string;
  channel: string;
  targets: string[];
}

export const publishCommand: Command = {
  usage: `publish BUNDLE --channel NAME [--percent P | --select KEY=VALUE ...] ${CLIENT_USAGE}`,
  options: { ...CLIENT_OPTIONS, channel: { type: 'string' }, percent: { type: 'string' }, select: { type: 'string', multiple: true } },
  positionals: ['BUNDLE'],
  async run(args, io) {
    if (args.values.channel === undefined) throw new UsageError('publish: --channel NAME is required');
    // Checked before the upload, so a bad channel never leaves a stored bundle without its rollout.
    const channel = channelName(args.values.channel, '--channel');
    if (args.values.percent !== undefined && args.values.select !== undefined) throw new UsageError('publish: give --percent or --select, not both');
    const selectors = labelsFrom(args.values.select, '--select');
    const targeting = args.values.select !== undefined ? { selectors } : { percent: percentFrom(args.values.percent as string | undefined) ?? 100 };
    const client = clientFor(args, io);
    const bundle = await uploadBundle(client, io, args.positionals[0]!);
    const rollout = await client.post<Rollout>('/v1/rollouts', { bundle: bundle.id, channel, ...targeting });
    print(args, io, { rollout: rollout.id, bundle: rollout.bundle, targets: rollout.targets }, () =>
      `rollout ${rollout.id}: bundle ${rollout.bundle} to ${rollout.targets.length} device(s) on channel ${rollout.channel}`,
    );
    return 0;
  },
};
