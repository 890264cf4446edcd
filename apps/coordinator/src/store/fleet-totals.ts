import { sql } from 'drizzle-orm';
import { queryRows } from './database.js';
import type { Scopes } from './scopes.js';

export interface RevisionCount {
  tenant: string;
  revision: string;
  devices: number;
}

export interface RolloutProgress {
  tenant: string;
  rollout: string;
  state: string;
  targets: number;
  succeeded: number;
  failed: number;
}

/** Fleet-wide totals for /metrics: the operator of the service sees every tenant, so the admin path. */
export class FleetTotals {
  constructor(private readonly scopes: Scopes) {}

  devicesByRevision(): Promise<RevisionCount[]> {
    return this.scopes.admin((tx) =>
      queryRows<RevisionCount>(
        tx,
        sql`select d.tenant_id::text as tenant, coalesce(s.revision, 'none') as revision, count(*)::int as devices
            from devices d left join device_state s on s.tenant_id = d.tenant_id and s.device_id = d.id
            where d.revoked_at is null group by 1, 2`,
      ),
    );
  }

  rolloutProgress(): Promise<RolloutProgress[]> {
    return this.scopes.admin((tx) =>
      queryRows<RolloutProgress>(
        tx,
        sql`select r.tenant_id::text as tenant, r.id::text as rollout, r.state,
                   count(t.device_id)::int as targets,
                   count(*) filter (where t.status = 'succeeded')::int as succeeded,
                   count(*) filter (where t.status = 'failed')::int as failed
            from rollouts r left join rollout_targets t on t.rollout_id = r.id group by r.id`,
      ),
    );
  }
}
