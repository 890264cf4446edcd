import { CoordinatorError } from '../store/errors.js';
import { DEVICE_SORTS, ROLLOUT_STATES, type DeviceQuery, type DeviceSort, type RolloutStateFilter } from '../store/device-query.js';
import { channelName } from '../store/names.js';

export const DEFAULT_DEVICE_PAGE = 50;
export const MAX_DEVICE_PAGE = 500;
const KEYS = ['search', 'channel', 'revision', 'drift', 'online', 'rollout', 'sort', 'order', 'limit', 'offset'];

/**
 * `GET /v1/devices?search=&channel=&revision=&drift=&online=&rollout=&sort=&order=&limit=&offset=`:
 * the device table's query; `revision=none` means devices at base or that never reported,
 * `rollout=STATE` their state in the newest rollout reaching them (`none`: no rollout). Empty
 * values are no filter (what an HTML form sends).
 */
export function deviceQueryOf(params: URLSearchParams): DeviceQuery {
  for (const key of params.keys()) {
    if (!KEYS.includes(key)) throw invalid(`${key}: unknown query parameter (expected ${KEYS.join(', ')})`);
  }
  const get = (key: string) => params.get(key) || undefined;
  const search = get('search');
  if (search !== undefined && search.length > 200) throw invalid('search: at most 200 characters');
  const revision = get('revision');
  const sort = get('sort') ?? 'id';
  if (!(DEVICE_SORTS as readonly string[]).includes(sort)) throw invalid(`sort: one of ${DEVICE_SORTS.join(', ')}`);
  const rollout = get('rollout');
  if (rollout !== undefined && !(ROLLOUT_STATES as readonly string[]).includes(rollout)) throw invalid(`rollout: one of ${ROLLOUT_STATES.join(', ')}`);
  const order = get('order') ?? 'asc';
  if (order !== 'asc' && order !== 'desc') throw invalid('order: asc or desc');
  return {
    search,
    channel: get('channel') === undefined ? undefined : channelName(get('channel'), 'channel'),
    revision: revision === 'none' ? null : revision,
    drift: flag(get('drift'), 'drift'),
    online: flag(get('online'), 'online'),
    rollout: rollout as RolloutStateFilter | undefined,
    sort: sort as DeviceSort,
    order,
    limit: integer(get('limit'), 'limit', 1, MAX_DEVICE_PAGE) ?? DEFAULT_DEVICE_PAGE,
    offset: integer(get('offset'), 'offset', 0, 1_000_000_000) ?? 0,
  };
}

function flag(value: string | undefined, key: string): boolean | undefined {
  if (value === undefined) return undefined;
  if (value === 'true' || value === 'false') return value === 'true';
  throw invalid(`${key}: true or false`);
}

function integer(value: string | undefined, key: string, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < min || n > max) throw invalid(`${key}: an integer from ${min} to ${max}`);
  return n;
}

function invalid(message: string): CoordinatorError {
  return new CoordinatorError('invalid-request', message);
}
