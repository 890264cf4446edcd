import type { FleetDevice, DriftedDevice } from '../../store/fleet.js';
import type { Command } from '../command.js';
import { CLIENT_OPTIONS, CLIENT_USAGE, clientFor, print } from '../client-options.js';

/** Rows as left-aligned columns; the first row is the header. */
export function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => r.map((cell, i) => cell.padEnd(widths[i]!)).join('  ').trimEnd()).join('\n');
}

export const devicesCommand: Command = {
  usage: `devices ${CLIENT_USAGE}`,
  options: CLIENT_OPTIONS,
  positionals: [],
  async run(args, io) {
    const devices = await clientFor(args, io).get<FleetDevice[]>('/v1/devices');
    print(args, io, devices, () =>
      table([
        ['ID', 'CHANNEL', 'REVISION', 'FINGERPRINT', 'DRIFT', 'ONLINE', 'LAST SEEN'],
        ...devices.map((d) => [d.id, d.channel, d.revision ?? '-', d.fingerprint?.slice(0, 12) ?? '-', d.drift ? 'yes' : 'no', d.online ? 'yes' : 'no', d.lastSeen ?? '-']),
      ]),
    );
    return 0;
  },
};

export const driftCommand: Command = {
  usage: `drift ${CLIENT_USAGE}`,
  options: CLIENT_OPTIONS,
  positionals: [],
  async run(args, io) {
    const drifted = await clientFor(args, io).get<DriftedDevice[]>('/v1/drift');
    print(args, io, drifted, () =>
      drifted.length === 0
        ? 'no drift'
        : drifted.map((d) => `${d.id} at ${d.revision ?? 'base'}:\n${d.diff.split('\n').map((l) => `  ${l}`).join('\n')}`).join('\n'),
    );
    return 0;
  },
};
