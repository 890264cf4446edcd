/** The coordinator's HTTP API, same origin, authenticated by the session cookie. */

export interface Device {
  id: string;
  tenant: string;
  channel: string;
  labels: Record<string, string>;
  revision: string | null;
  fingerprint: string | null;
  expectedFingerprint: string | null;
  bundleSequence: number | null;
  drift: boolean;
  online: boolean;
  lastSeen: string | null;
  reportedAt: string | null;
  revoked: boolean;
}

export interface FleetSummary {
  devices: number;
  online: number;
  offline: number;
  drifted: number;
  failed: number;
  byRevision: { revision: string | null; devices: number }[];
  byChannel: { channel: string; devices: number; online: number; drifted: number }[];
}

export interface MigrationEvent {
  counter: number;
  at: number;
  from: string | null;
  to: string | null;
  revisions: string[];
  outcome: string;
  durationMs: number;
  error?: string;
  forced?: boolean;
  rowsCopied?: number;
  tableSizes?: { table: string; before: number | null; after: number | null }[];
}

/** A SQLite schema as the engine describes it (only what the page shows is typed). */
export interface SchemaDescription {
  tables: { name: string; columns: { name: string; type: string; notNull: boolean; primaryKey: number }[] }[];
  indexes: { name: string; table: string; unique: boolean; columns: string[]; where: string | null }[];
  triggers: { name: string; table: string }[];
  views: { name: string }[];
  virtualTables: { name: string }[];
}

export interface DeviceDrift {
  id: string;
  drift: boolean;
  expectedFingerprint: string | null;
  fingerprint: string | null;
  diff: string | null;
  expectedSchema: SchemaDescription | null;
  liveSchema: SchemaDescription | null;
}

export type TargetStatus = 'pending' | 'applying' | 'succeeded' | 'failed';

export interface Rollout {
  id: string;
  bundle: string;
  channel: string;
  percent: number | null;
  selectors: Record<string, string> | null;
  state: 'active' | 'paused';
  pauseReason: string | null;
  targets: string[];
  devices?: RolloutTarget[];
  pending: number;
  applying: number;
  succeeded: number;
  failed: number;
  /** Of pending and applying, the targets the pause holds back (0 while active). */
  paused: number;
  successes: number;
  failures: number;
  failureThresholdPercent: number;
  minAttempts: number;
  createdAt: string;
}

export interface RolloutTarget {
  id: string;
  status: TargetStatus;
  error: string | null;
  attempts: number;
  addedAt: string;
  retriedAt: string | null;
  resultAt: string | null;
}

export interface Bundle {
  id: string;
  sequence: number;
  sha256: string;
  size: number;
  heads: string[];
  revisions: string[];
  signers: string[] | null;
  expiresAt: string | null;
  createdAt: string;
}

export interface PublishRequest {
  bundle: string;
  channel: string;
  percent?: number;
  selectors?: Record<string, string>;
}

export interface AuditEntry {
  id: number;
  at: string;
  tokenId: string | null;
  action: string;
  subject: string;
  detail: Record<string, unknown>;
}

export interface DeviceQuery {
  search: string;
  channel: string;
  revision: string;
  drift: string;
  online: string;
  rollout: string;
  sort: string;
  order: 'asc' | 'desc';
  limit: number;
  offset: number;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** Fired when the session is gone, so the app can return to the sign-in page. */
export const SIGNED_OUT_EVENT = 'godwit:signed-out';

async function call<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<{ json: T; headers: Headers }> {
  const headers: Record<string, string> = { accept: 'application/json' };
  // The coordinator refuses a cookie-authenticated write without this header (CSRF).
  if (method === 'POST') Object.assign(headers, { 'x-godwit-csrf': '1', 'content-type': 'application/json' });
  const res = await fetch(path, { method, headers, credentials: 'same-origin', ...(body !== undefined && { body: JSON.stringify(body) }) });
  const json = await res.json().catch(() => null);
  if (!res.ok) {
    if (res.status === 401 && path !== '/v1/session') window.dispatchEvent(new Event(SIGNED_OUT_EVENT));
    throw new ApiError(res.status, json?.error?.message ?? `${res.status} ${res.statusText}`);
  }
  return { json: json as T, headers: res.headers };
}

const get = async <T>(path: string) => (await call<T>('GET', path)).json;
const post = async <T>(path: string, body?: unknown) => (await call<T>('POST', path, body ?? {})).json;

export const api = {
  signIn: (token: string) => post<{ tenant: string }>('/v1/session', { token }),
  signOut: () => post<unknown>('/v1/session/sign-out'),
  session: () => get<{ tenant: string }>('/v1/session'),
  summary: () => get<FleetSummary>('/v1/fleet/summary'),
  async devices(query: DeviceQuery): Promise<{ devices: Device[]; total: number }> {
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(query)) if (value !== '') params.set(key, String(value));
    const { json, headers } = await call<Device[]>('GET', `/v1/devices?${params}`);
    return { devices: json, total: Number(headers.get('x-total-count') ?? json.length) };
  },
  device: (id: string) => get<Device>(`/v1/devices/${encodeURIComponent(id)}`),
  events: (id: string) => get<{ events: MigrationEvent[]; next: number | null }>(`/v1/devices/${encodeURIComponent(id)}/events`),
  drift: (id: string) => get<DeviceDrift>(`/v1/devices/${encodeURIComponent(id)}/drift`),
  rollouts: () => get<Rollout[]>('/v1/rollouts'),
  rollout: (id: string) => get<Rollout>(`/v1/rollouts/${encodeURIComponent(id)}`),
  pause: (id: string) => post<Rollout>(`/v1/rollouts/${encodeURIComponent(id)}/pause`),
  resume: (id: string) => post<Rollout>(`/v1/rollouts/${encodeURIComponent(id)}/resume`),
  widen: (id: string, percent: number) => post<Rollout>(`/v1/rollouts/${encodeURIComponent(id)}/widen`, { percent }),
  retry: (id: string) => post<Rollout>(`/v1/rollouts/${encodeURIComponent(id)}/retry`),
  bundles: () => get<Bundle[]>('/v1/bundles'),
  publish: (request: PublishRequest) => post<Rollout>('/v1/rollouts', request),
  audit: (before: number | null) => get<{ entries: AuditEntry[]; next: number | null }>(`/v1/audit${before === null ? '' : `?before=${before}`}`),
};
