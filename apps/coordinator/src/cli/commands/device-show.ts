import type { MigrationEvent } from '@godwit/fleet-protocol';
import type { EventPage } from '../../store/events.js';
import type { FleetDevice } from '../../store/fleet.js';
import type { Command } from '../command.js';
import { UsageError } from '../command.js';
import { CLIENT_OPTIONS, CLIENT_USAGE, clientFor, print } from '../client-options.js';
import { table } from './devices.js';

const DEFAULT_LIMIT = 100;
const MAX_LIMIT = 1000;

function limitFrom(text: string | undefined): number {
  if (text === undefined) return DEFAULT_LIMIT;
  const value = Number(text);
  if (!/^[1-9]\d*$/.test(text) || value > MAX_LIMIT) throw new UsageError(`--limit ${text}: an integer from 1 to ${MAX_LIMIT}`);
  return value;
}

function describe(device: FleetDevice, page: EventPage): string {
  const labels = Object.entries(device.labels).map(([k, v]) => `${k}=${v}`).join(' ');
  const lines = [
    `device ${device.id} (tenant ${device.tenant}, channel ${device.channel})${device.revoked ? ' revoked' : ''}`,
    `labels: ${labels || '-'}`,
    `revision: ${device.revision ?? 'base'}  fingerprint: ${device.fingerprint ?? '-'}  drift: ${device.drift ? 'yes' : 'no'}`,
    `online: ${device.online ? 'yes' : 'no'}  last seen: ${device.lastSeen ?? '-'}  reported: ${device.reportedAt ?? '-'}`,
  ];
  if (page.events.length === 0) return [...lines, 'no migration events'].join('\n');
  const rows = page.events.map((e: MigrationEvent) => [
    String(e.counter),
    new Date(e.at).toISOString(),
    `${e.outcome}${e.forced ? ' (forced)' : ''}`,
    `${e.from ?? 'base'} -> ${e.to ?? 'base'}`,
    `${e.durationMs} ms`,
    e.error ?? '',
  ]);
  lines.push('events, newest first:', table([['COUNTER', 'AT', 'OUTCOME', 'FROM -> TO', 'DURATION', 'ERROR'], ...rows]));
  if (page.next !== null) lines.push(`older events: GET /v1/devices/${encodeURIComponent(device.id)}/events?before=${page.next}`);
  return lines.join('\n');
}

export const deviceShowCommand: Command = {
  usage: `device show ID [--limit N] ${CLIENT_USAGE}`,
  options: { ...CLIENT_OPTIONS, limit: { type: 'string' } },
  positionals: ['ID'],
  async run(args, io) {
    const limit = limitFrom(args.values.limit as string | undefined);
    const path = `/v1/devices/${encodeURIComponent(args.positionals[0]!)}`;
    const client = clientFor(args, io);
    const device = await client.get<FleetDevice>(path);
    const page = await client.get<EventPage>(`${path}/events?limit=${limit}`);
    print(args, io, { ...device, events: page.events, nextEvents: page.next }, () => describe(device, page));
    return 0;
  },
};
