import { useQuery } from '@tanstack/react-query';
import { api } from '../api.ts';
import { SchemaSideBySide } from '../components/SchemaSideBySide.tsx';
import { bytesText, labelsText, revisionText, timeText } from '../format.ts';

const SIGN_MEANING: Record<string, { className: string; text: string }> = {
  '+': { className: 'diff-added', text: 'only in the live schema' },
  '-': { className: 'diff-removed', text: 'missing from the live schema' },
  '~': { className: 'diff-changed', text: 'different in the live schema' },
};

export function DevicePage({ id }: { id: string }) {
  const device = useQuery({ queryKey: ['device', id], queryFn: () => api.device(id) });
  const events = useQuery({ queryKey: ['events', id], queryFn: () => api.events(id) });
  const drift = useQuery({ queryKey: ['drift', id], queryFn: () => api.drift(id), enabled: device.data?.drift === true });

  if (device.error) return <p role="alert" className="error">{(device.error as Error).message}</p>;
  const d = device.data;
  return (
    <>
      <h1>
        Device <code>{id}</code>
      </h1>
      {d && (
        <dl className="facts">
          <dt>Revision</dt>
          <dd>
            <code data-testid="device-revision">{revisionText(d.revision)}</code>
          </dd>
          <dt>Fingerprint</dt>
          <dd>
            <code className="wrap">{d.fingerprint ?? 'not reported'}</code>
          </dd>
          <dt>Expected fingerprint</dt>
          <dd>
            <code className="wrap">{d.expectedFingerprint ?? 'unknown'}</code>
          </dd>
          <dt>Bundle sequence</dt>
          <dd>{d.bundleSequence ?? 'none'}</dd>
          <dt>Channel</dt>
          <dd>{d.channel}</dd>
          <dt>Labels</dt>
          <dd>{labelsText(d.labels) || 'none'}</dd>
          <dt>Status</dt>
          <dd data-testid="device-status">
            {d.online ? 'online' : 'offline'}
            {d.drift ? ', drifted' : ''}
            {d.revoked ? ', revoked' : ''}
          </dd>
          <dt>Last seen</dt>
          <dd>{timeText(d.lastSeen)}</dd>
          <dt>Last report</dt>
          <dd>{timeText(d.reportedAt)}</dd>
        </dl>
      )}
      {d?.drift && (
        <section aria-labelledby="drift-heading">
          <h2 id="drift-heading">Schema drift</h2>
          <p>Expected schema of its revision (left of each change) against the live schema the device reported.</p>
          <ul className="diff" data-testid="drift-diff" aria-label="Schema differences, expected against live">
            {(drift.data?.diff ?? '').split('\n').filter(Boolean).map((line, i) => {
              const meaning = SIGN_MEANING[line[0]!];
              return (
                <li key={i} className={meaning?.className}>
                  {meaning && <span className="diff-kind">{meaning.text}: </span>}
                  <code>{line}</code>
                </li>
              );
            })}
          </ul>
          {drift.data?.expectedSchema && drift.data.liveSchema && (
            <>
              <h3>Expected and live schema side by side</h3>
              <SchemaSideBySide expected={drift.data.expectedSchema} live={drift.data.liveSchema} />
            </>
          )}
        </section>
      )}
      <section aria-labelledby="history-heading">
        <h2 id="history-heading">Migration history</h2>
        {events.data && events.data.events.length === 0 && <p>No migration events reported.</p>}
        {events.data && events.data.events.length > 0 && (
          <table className="events">
            <thead>
              <tr>
                <th scope="col">#</th>
                <th scope="col">At (device clock)</th>
                <th scope="col">From → to</th>
                <th scope="col">Revisions</th>
                <th scope="col">Outcome</th>
                <th scope="col">Duration</th>
                <th scope="col">Rows copied</th>
                <th scope="col">Table sizes (before → after)</th>
                <th scope="col">Error</th>
              </tr>
            </thead>
            <tbody>
              {events.data.events.map((e) => (
                <tr key={e.counter}>
                  <td>{e.counter}</td>
                  <td>{timeText(e.at)}</td>
                  <td>
                    <code>{revisionText(e.from)}</code> → <code>{revisionText(e.to)}</code>
                  </td>
                  <td>{e.revisions.map((r) => <code key={r}>{r} </code>)}</td>
                  <td>
                    <span className={e.outcome === 'rolled-back' || e.outcome === 'refused' ? 'badge bad' : 'badge'}>{e.outcome}</span>
                    {e.forced ? ' (forced)' : ''}
                  </td>
                  <td>{e.durationMs} ms</td>
                  <td>{e.rowsCopied ?? 'not reported'}</td>
                  <td>
                    {e.tableSizes === undefined ? (
                      'not reported'
                    ) : (
                      <ul className="sizes">
                        {e.tableSizes.map((s) => (
                          <li key={s.table}>
                            <code>{s.table}</code>: {bytesText(s.before)} → {bytesText(s.after)}
                          </li>
                        ))}
                      </ul>
                    )}
                  </td>
                  <td className="error-text">{e.error ?? ''}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
    </>
  );
}
