import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { Link, useLocation, useSearch } from 'wouter';
import { api, type DeviceQuery, type FleetSummary } from '../api.ts';
import { labelsText, revisionText, timeText } from '../format.ts';
import { queryFromSearch, searchFromQuery } from './device-query-url.ts';

const COLUMNS: { key: string; title: string }[] = [
  { key: 'id', title: 'Device' },
  { key: 'channel', title: 'Channel' },
  { key: 'revision', title: 'Revision' },
  { key: 'drift', title: 'Drift' },
  { key: 'online', title: 'Online' },
  { key: 'lastSeen', title: 'Last seen' },
];

const ROLLOUT_STATES: [string, string][] = ['pending', 'applying', 'succeeded', 'failed', 'paused'].map((s) => [s, s] as [string, string]).concat([['none', 'in no rollout']]);

/**
 * The fleet's devices: searched, filtered, sorted and paged by the coordinator, never in the page.
 * The query lives in the URL (replaced, not pushed, at each change), so a reload keeps it.
 */
export function DeviceTable({ summary }: { summary: FleetSummary | undefined }) {
  const [location, navigate] = useLocation();
  const query = queryFromSearch(useSearch());
  const setQuery = (next: DeviceQuery) => navigate(`${location}${searchFromQuery(next)}`, { replace: true });
  const { data, isFetching, error } = useQuery({ queryKey: ['devices', query], queryFn: () => api.devices(query), placeholderData: keepPreviousData });
  const filter = (key: keyof DeviceQuery) => (value: string) => setQuery({ ...query, [key]: value, offset: 0 });
  const sortBy = (key: string) => setQuery({ ...query, sort: key, order: query.sort === key && query.order === 'asc' ? 'desc' : 'asc', offset: 0 });
  const total = data?.total ?? 0;
  const last = Math.min(query.offset + query.limit, total);

  return (
    <section aria-labelledby="devices-heading">
      <h2 id="devices-heading">Devices</h2>
      <form className="filters" role="search" onSubmit={(e) => e.preventDefault()}>
        <label>
          Search id or label
          <input type="search" value={query.search} onChange={(e) => filter('search')(e.target.value)} />
        </label>
        <Select label="Channel" value={query.channel} onChange={filter('channel')} options={(summary?.byChannel ?? []).map((c) => [c.channel, c.channel])} />
        <Select
          label="Revision"
          value={query.revision}
          onChange={filter('revision')}
          options={(summary?.byRevision ?? []).map((r) => [r.revision ?? 'none', revisionText(r.revision)])}
        />
        <Select label="Drift" value={query.drift} onChange={filter('drift')} options={[['true', 'drifted'], ['false', 'not drifted']]} />
        <Select label="Online" value={query.online} onChange={filter('online')} options={[['true', 'online'], ['false', 'offline']]} />
        <Select label="Rollout state (newest rollout)" value={query.rollout} onChange={filter('rollout')} options={ROLLOUT_STATES} />
      </form>
      {error && <p role="alert" className="error">{(error as Error).message}</p>}
      <p aria-live="polite" className="hint" data-testid="device-range">
        {total === 0 ? 'No devices match.' : `Devices ${query.offset + 1}–${last} of ${total}`}
        {isFetching ? ' (updating)' : ''}
      </p>
      <table className="devices">
        <thead>
          <tr>
            {COLUMNS.map((column) => (
              <th key={column.key} scope="col" aria-sort={query.sort === column.key ? (query.order === 'asc' ? 'ascending' : 'descending') : 'none'}>
                <button type="button" className="sort" onClick={() => sortBy(column.key)}>
                  {column.title}
                  <span aria-hidden="true">{query.sort === column.key ? (query.order === 'asc' ? ' ▲' : ' ▼') : ''}</span>
                </button>
              </th>
            ))}
            <th scope="col">Labels</th>
          </tr>
        </thead>
        <tbody>
          {data?.devices.map((device) => (
            <tr key={device.id}>
              <td>
                <Link href={`/devices/${encodeURIComponent(device.id)}`}>{device.id}</Link>
              </td>
              <td>{device.channel}</td>
              <td>
                <code>{revisionText(device.revision)}</code>
              </td>
              <td>{device.drift ? <span className="badge bad">drifted</span> : 'no'}</td>
              <td>{device.online ? <span className="badge good">online</span> : 'offline'}</td>
              <td>{timeText(device.lastSeen)}</td>
              <td>{labelsText(device.labels)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <nav className="pager" aria-label="Device pages">
        <button type="button" disabled={query.offset === 0} onClick={() => setQuery({ ...query, offset: Math.max(0, query.offset - query.limit) })}>
          Previous page
        </button>
        <button type="button" disabled={last >= total} onClick={() => setQuery({ ...query, offset: query.offset + query.limit })}>
          Next page
        </button>
      </nav>
    </section>
  );
}

function Select(props: { label: string; value: string; onChange: (value: string) => void; options: [string, string][] }) {
  return (
    <label>
      {props.label}
      <select value={props.value} onChange={(e) => props.onChange(e.target.value)}>
        <option value="">any</option>
        {props.options.map(([value, text]) => (
          <option key={value} value={value}>
            {text}
          </option>
        ))}
      </select>
    </label>
  );
}
