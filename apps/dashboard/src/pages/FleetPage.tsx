import { useQuery } from '@tanstack/react-query';
import { api } from '../api.ts';
import { DeviceTable } from '../components/DeviceTable.tsx';
import { RevisionChart } from '../components/RevisionChart.tsx';

export function FleetPage() {
  const { data: summary, error } = useQuery({ queryKey: ['summary'], queryFn: api.summary });
  return (
    <>
      <h1>Fleet</h1>
      {error && <p role="alert" className="error">{(error as Error).message}</p>}
      {summary && (
        <>
          <ul className="totals" aria-label="Fleet totals">
            <Total name="Devices" value={summary.devices} />
            <Total name="Online" value={summary.online} />
            <Total name="Offline" value={summary.offline} />
            <Total name="Drifted" value={summary.drifted} bad={summary.drifted > 0} />
            <Total name="Failed" value={summary.failed} bad={summary.failed > 0} />
          </ul>
          <div className="columns">
            <section aria-labelledby="revisions-heading">
              <h2 id="revisions-heading">Devices by revision</h2>
              <RevisionChart counts={summary.byRevision} />
            </section>
            <section aria-labelledby="channels-heading">
              <h2 id="channels-heading">Channels</h2>
              <table className="compact">
                <thead>
                  <tr>
                    <th scope="col">Channel</th>
                    <th scope="col">Devices</th>
                    <th scope="col">Online</th>
                    <th scope="col">Drifted</th>
                  </tr>
                </thead>
                <tbody>
                  {summary.byChannel.map((c) => (
                    <tr key={c.channel}>
                      <td>{c.channel}</td>
                      <td>{c.devices}</td>
                      <td>{c.online}</td>
                      <td>{c.drifted}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </section>
          </div>
        </>
      )}
      <DeviceTable summary={summary} />
    </>
  );
}

function Total({ name, value, bad = false }: { name: string; value: number; bad?: boolean }) {
  return (
    <li className={bad ? 'total bad' : 'total'} data-testid={`total-${name.toLowerCase()}`}>
      <span className="total-value">{value}</span> <span className="total-name">{name}</span>
    </li>
  );
}
