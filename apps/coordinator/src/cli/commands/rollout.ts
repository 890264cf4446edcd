import type { RolloutStatus } from '../../rollouts/rollout-service.js';
import type { Command } from '../command.js';
import { UsageError } from '../command.js';
import { CLIENT_OPTIONS, CLIENT_USAGE, clientFor, print } from '../client-options.js';
import { table } from './devices.js';

export function percentFrom(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!/^\d+(\.\d+)?$/.test(text) || value <= 0 || value > 100) throw new UsageError(`--percent ${text}: a number above 0 and at most 100`);
  return value;
}

function describe(r: RolloutStatus): string {
  const scope = r.selectors ? Object.entries(r.selectors).map(([k, v]) => `${k}=${v}`).join(' ') : `${r.percent}%`;
  return [
    `rollout ${r.id}: ${r.state}${r.pauseReason ? ` (${r.pauseReason})` : ''}`,
    `bundle ${r.bundle} on channel ${r.channel}, ${scope}`,
    `targets ${r.targets.length}: ${r.succeeded} succeeded, ${r.failed} failed, ${r.applying} applying, ${r.pending} pending`,
    ...(r.devices.length === 0
      ? []
      : [table([['DEVICE', 'STATUS', 'SINCE', 'ERROR'], ...r.devices.map((d) => [d.id, d.status, d.resultAt ?? d.addedAt, d.error ?? ''])])]),
  ].join('\n');
}

function rolloutCommand(action: 'status' | 'pause' | 'resume' | 'retry'): Command {
  return {
    usage: `rollout ${action} ID ${CLIENT_USAGE}`,
    options: CLIENT_OPTIONS,
    positionals: ['ID'],
    async run(args, io) {
      const path = `/v1/rollouts/${encodeURIComponent(args.positionals[0]!)}`;
      const client = clientFor(args, io);
      const status = action === 'status' ? await client.get<RolloutStatus>(path) : await client.post<RolloutStatus>(`${path}/${action}`);
      print(args, io, status, () => describe(status));
      return 0;
    },
  };
}

export const rolloutStatusCommand = rolloutCommand('status');
export const rolloutPauseCommand = rolloutCommand('pause');
export const rolloutResumeCommand = rolloutCommand('resume');
export const rolloutRetryCommand = rolloutCommand('retry');

export const rolloutWidenCommand: Command = {
  usage: `rollout widen ID --percent P ${CLIENT_USAGE}`,
  options: { ...CLIENT_OPTIONS, percent: { type: 'string' } },
  positionals: ['ID'],
  async run(args, io) {
    const percent = percentFrom(args.values.percent as string | undefined);
    if (percent === undefined) throw new UsageError('rollout widen: --percent P is required');
    const status = await clientFor(args, io).post<RolloutStatus>(`/v1/rollouts/${encodeURIComponent(args.positionals[0]!)}/widen`, { percent });
    print(args, io, status, () => describe(status));
    return 0;
  },
};
