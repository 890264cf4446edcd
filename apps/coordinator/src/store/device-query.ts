import { and, asc, desc, eq, isNull, or, sql, type SQL } from 'drizzle-orm';
import { coordinator as t } from '@godwit/schema';
import { emptySchema, fingerprintOf } from '../bundles/engine.js';
import { queryRows } from './database.js';
import { expectedFingerprint, fingerprintOfState, fleetDeviceOf, revisionFingerprints, selectFleetRows, stateOfDevice, type FleetDevice } from './fleet.js';
import type { Scopes } from './scopes.js';

export const DEVICE_SORTS = ['id', 'channel', 'revision', 'lastSeen', 'online', 'drift'] as const;
export type DeviceSort = (typeof DEVICE_SORTS)[number];

/** Where a device stands in the newest rollout that reached it; `none`: no rollout reached it. */
export const ROLLOUT_STATES = ['pending', 'applying', 'succeeded', 'failed', 'paused', 'none'] as const;
export type RolloutStateFilter = (typeof ROLLOUT_STATES)[number];

/** One page of the device table: filters, a sort and a window, all applied in the database. */
export interface DeviceQuery {
  /** Part of the device id or of a label key or value, case-insensitive. */
  search?: string | undefined;
  channel?: string | undefined;
  /** A revision id, or null for devices at base or that never reported. */
  revision?: string | null | undefined;
  drift?: boolean | undefined;
  online?: boolean | undefined;
  rollout?: RolloutStateFilter | undefined;
  sort: DeviceSort;
  order: 'asc' | 'desc';
  limit: number;
  offset: number;
}

export interface DevicePage {
  devices: FleetDevice[];
  /** Devices matching the filters, all pages together. */
  total: number;
}

export interface FleetSummary {
  devices: number;
  online: number;
  offline: number;
  drifted: number;
  /** Devices whose newest migration event was `rolled-back` or `refused`. */
  failed: number;
  /** `revision` null: at base, or never reported. Most devices first. */
  byRevision: { revision: string | null; devices: number }[];
  byChannel: { channel: string; devices: number; online: number; drifted: number }[];
}

const BASE_FINGERPRINT = fingerprintOf(emptySchema());

interface DriftInputs {
  reported: SQL;
  revision: SQL;
  fingerprint: SQL;
  expected: SQL;
}

/**
 * Drift as `assessDrift` judges it, in SQL so that the table filters and sorts on it: a device that
 * reported is drifted when it is at base with a non-empty schema, at a revision no stored bundle
 * holds, or at one whose expected fingerprint differs from its own.
 */
const driftRule = ({ reported, revision, fingerprint, expected }: DriftInputs): SQL<boolean> =>
  sql<boolean>`(${reported} and ${fingerprint} is not null and case
  when ${revision} is null then ${fingerprint} <> ${BASE_FINGERPRINT}
  else coalesce(${expected} <> ${fingerprint}, true) end)`;

const drifted = driftRule({
  reported: sql`${t.deviceState.counter} is not null`,
  revision: sql`${t.deviceState.revision}`,
  fingerprint: sql`${t.deviceState.fingerprint}`,
  expected: expectedFingerprint,
});

/** Outcomes that count a device as failed when its newest event has one (the partial index `migration_events_failed_idx`). */
const FAILED = sql`(${t.migrationEvents.event}->>'outcome') in ('rolled-back', 'refused')`;

/**
 * The device's state in the newest rollout that targets it, as the rollout page shows it: an
 * undecided target is `paused` while its rollout is, `applying` once the device reported after
 * being targeted, `pending` before. Null when no rollout targets it. One index probe per device,
 * paid only when the table filters on it.
 */
const rolloutState = sql<string | null>`(select case
    when ${t.rolloutTargets.status} <> 'pending' then ${t.rolloutTargets.status}
    when ${t.rollouts.state} = 'paused' then 'paused'
    when ${t.deviceState.reportedAt} > coalesce(${t.rolloutTargets.retriedAt}, ${t.rolloutTargets.addedAt}) then 'applying'
    else 'pending' end
  from ${t.rolloutTargets} join ${t.rollouts} on ${t.rollouts.id} = ${t.rolloutTargets.rolloutId}
  where ${t.rolloutTargets.tenantId} = ${t.devices.tenantId} and ${t.rolloutTargets.deviceId} = ${t.devices.id}
  order by ${t.rollouts.createdAt} desc limit 1)`;

const SORT_COLUMN: Record<DeviceSort, SQL> = {
  id: sql`${t.devices.id}`,
  channel: sql`${t.devices.channel}`,
  revision: sql`${t.deviceState.revision}`,
  lastSeen: sql`${t.deviceState.lastSeen}`,
  online: sql`coalesce(${t.deviceState.online}, false)`,
  drift: drifted,
};

/** The fleet table and its totals, per tenant under row-level security. */
export class DeviceQueries {
  constructor(private readonly scopes: Scopes) {}

  page(tenantId: string, query: DeviceQuery): Promise<DevicePage> {
    return this.scopes.tenant(tenantId, async (tx) => {
      const where = and(...conditions(query));
      const direction = query.order === 'asc' ? asc : desc;
      const rows = await selectFleetRows(tx)
        .where(where)
        // The id breaks ties, so pages neither repeat nor skip devices.
        .orderBy(direction(SORT_COLUMN[query.sort]), asc(t.devices.id))
        .limit(query.limit)
        .offset(query.offset);
      const [count] = await tx
        .select({ total: sql<number>`count(*)::int` })
        .from(t.devices)
        .leftJoin(t.deviceState, stateOfDevice)
        .leftJoin(revisionFingerprints, fingerprintOfState)
        .where(where);
      return { devices: rows.map(fleetDeviceOf), total: count?.total ?? 0 };
    });
  }

  summary(tenantId: string): Promise<FleetSummary> {
    return this.scopes.tenant(tenantId, async (tx) => {
      // Devices grouped by what drift depends on first, so the rule runs once per group, not per device.
      const groups = await queryRows<Group>(
        tx,
        sql`with states as (
              select ${t.deviceState.revision} as revision, ${t.devices.channel} as channel, ${t.deviceState.fingerprint} as fingerprint,
                     ${t.deviceState.counter} is not null as reported, ${t.devices.tenantId} as tenant_id, count(*)::int as devices,
                     count(*) filter (where ${t.deviceState.online})::int as online
              from ${t.devices} left join ${t.deviceState} on ${stateOfDevice}
              group by 1, 2, 3, 4, 5)
            select st.revision, st.channel, sum(st.devices)::int as devices, sum(st.online)::int as online,
                   coalesce(sum(st.devices) filter (where ${driftRule({ reported: sql`st.reported`, revision: sql`st.revision`, fingerprint: sql`st.fingerprint`, expected: sql`fp.fingerprint` })}), 0)::int as drifted
            from states st
            left join (select ${t.bundleRevisions.tenantId} as tenant_id, ${t.bundleRevisions.revisionId} as revision_id, min(${t.bundleRevisions.fingerprint}) as fingerprint
                       from ${t.bundleRevisions} group by 1, 2) fp on fp.tenant_id = st.tenant_id and fp.revision_id = st.revision
            group by 1, 2`,
      );
      // Failed events are few: found through their partial index, each kept if no newer event follows it.
      const [failed] = await queryRows<{ devices: number }>(
        tx,
        sql`select count(*)::int as devices from ${t.migrationEvents}
            where ${FAILED} and not exists (
              select 1 from ${t.migrationEvents} newer
              where newer.tenant_id = ${t.migrationEvents.tenantId} and newer.device_id = ${t.migrationEvents.deviceId} and newer.counter > ${t.migrationEvents.counter})`,
      );
      return summarise(groups, failed?.devices ?? 0);
    });
  }
}

function conditions(query: DeviceQuery): (SQL | undefined)[] {
  const out: (SQL | undefined)[] = [];
  if (query.search) {
    const pattern = `%${query.search.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    out.push(or(sql`${t.devices.id} ilike ${pattern}`, sql`${t.devices.labels}::text ilike ${pattern}`));
  }
  if (query.channel !== undefined) out.push(eq(t.devices.channel, query.channel));
  if (query.revision !== undefined) out.push(query.revision === null ? isNull(t.deviceState.revision) : eq(t.deviceState.revision, query.revision));
  if (query.drift !== undefined) out.push(query.drift ? drifted : sql`not ${drifted}`);
  if (query.rollout !== undefined) out.push(query.rollout === 'none' ? sql`${rolloutState} is null` : sql`${rolloutState} = ${query.rollout}`);
  if (query.online !== undefined) out.push(query.online ? sql`coalesce(${t.deviceState.online}, false)` : sql`not coalesce(${t.deviceState.online}, false)`);
  return out;
}

interface Group {
  revision: string | null;
  channel: string;
  devices: number;
  online: number;
  drifted: number;
}

function summarise(rows: Group[], failed: number): FleetSummary {
  const byRevision = new Map<string | null, number>();
  const byChannel = new Map<string, { channel: string; devices: number; online: number; drifted: number }>();
  const sum = { devices: 0, online: 0, drifted: 0, failed };
  for (const row of rows) {
    byRevision.set(row.revision, (byRevision.get(row.revision) ?? 0) + row.devices);
    const channel = byChannel.get(row.channel) ?? { channel: row.channel, devices: 0, online: 0, drifted: 0 };
    channel.devices += row.devices;
    channel.online += row.online;
    channel.drifted += row.drifted;
    byChannel.set(row.channel, channel);
    sum.devices += row.devices;
    sum.online += row.online;
    sum.drifted += row.drifted;
  }
  return {
    ...sum,
    offline: sum.devices - sum.online,
    byRevision: [...byRevision].map(([revision, devices]) => ({ revision, devices })).sort((a, b) => b.devices - a.devices || String(a.revision).localeCompare(String(b.revision))),
    byChannel: [...byChannel.values()].sort((a, b) => a.channel.localeCompare(b.channel)),
  };
}
