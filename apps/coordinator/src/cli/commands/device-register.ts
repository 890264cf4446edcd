import { parseLabel } from '../../store/names.js';
import type { Command } from '../command.js';
import { UsageError } from '../command.js';
import { CLIENT_OPTIONS, CLIENT_USAGE, clientFor, print } from '../client-options.js';

interface RegisteredDevice {
  id: string;
  tenant: string;
  channel: string;
  mqtt: { username: string; password: string };
}

/** `--label K=V` / `--select K=V`, repeated, as an object; a malformed one is a usage error. */
export function labelsFrom(values: unknown, flag: string): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const text of (values as string[] | undefined) ?? []) {
    try {
      const [key, value] = parseLabel(text);
      labels[key] = value;
    } catch (error) {
      throw new UsageError(`${flag} ${(error as Error).message}`);
    }
  }
  return labels;
}

export const deviceRegisterCommand: Command = {
  usage: `device register ID [--channel NAME] [--label KEY=VALUE ...] ${CLIENT_USAGE}`,
  options: { ...CLIENT_OPTIONS, channel: { type: 'string' }, label: { type: 'string', multiple: true } },
  positionals: ['ID'],
  async run(args, io) {
    const labels = labelsFrom(args.values.label, '--label');
    const body = { id: args.positionals[0], labels, ...(args.values.channel !== undefined && { channel: args.values.channel }) };
    const device = await clientFor(args, io).post<RegisteredDevice>('/v1/devices', body);
    const { id, tenant, channel, mqtt } = device;
    print(args, io, { id, tenant, channel, mqtt: { username: mqtt.username, password: mqtt.password } }, () =>
      [`device ${id} (tenant ${tenant}, channel ${channel})`, `mqtt username: ${mqtt.username}`, `mqtt password (shown once): ${mqtt.password}`].join('\n'),
    );
    return 0;
  },
};
