import { useQuery } from '@tanstack/react-query';
import { Link } from 'wouter';
import { api } from '../api.ts';
import { reachText } from '../format.ts';

export function RolloutsPage() {
  const { data, error } = useQuery({ queryKey: ['rollouts'], queryFn: api.rollouts });
  return (
    <>
      <h1>Rollouts</h1>
      {error && <p role="alert" className="error">{(error as Error).message}</p>}
      {data && data.length === 0 && <p>No rollouts yet: publish a bundle from the <Link href="/bundles">Bundles</Link> page or with <code>coordinator publish</code>.</p>}
      {data && data.length > 0 && (
        <table>
          <thead>
            <tr>
              <th scope="col">Rollout</th>
              <th scope="col">Bundle</th>
              <th scope="col">Channel</th>
              <th scope="col">Reach</th>
              <th scope="col">State</th>
              <th scope="col">Pending</th>
              <th scope="col">Applying</th>
              <th scope="col">Succeeded</th>
              <th scope="col">Failed</th>
              <th scope="col">Paused</th>
            </tr>
          </thead>
          <tbody>
            {data.map((r) => (
              <tr key={r.id}>
                <td>
                  <Link href={`/rollouts/${r.id}`}>{r.id.slice(0, 8)}</Link>
                </td>
                <td>
                  <code>{r.bundle}</code>
                </td>
                <td>{r.channel}</td>
                <td>{reachText(r)}</td>
                <td>{r.state}</td>
                <td>{r.pending}</td>
                <td>{r.applying}</td>
                <td>{r.succeeded}</td>
                <td>{r.failed}</td>
                <td>{r.paused}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}
