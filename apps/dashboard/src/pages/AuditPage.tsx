import { useInfiniteQuery } from '@tanstack/react-query';
import { Link } from 'wouter';
import { api, type AuditEntry } from '../api.ts';
import { timeText } from '../format.ts';

/** `rollout ID` and `device ID` link to their pages; other subjects are text. */
function Subject({ subject }: { subject: string }) {
  const [kind, id] = [subject.slice(0, subject.indexOf(' ')), subject.slice(subject.indexOf(' ') + 1)];
  if (kind === 'rollout') return <Link href={`/rollouts/${encodeURIComponent(id)}`}>rollout {id.slice(0, 8)}</Link>;
  if (kind === 'device') return <Link href={`/devices/${encodeURIComponent(id)}`}>device {id}</Link>;
  return <code>{subject}</code>;
}

const detailText = (entry: AuditEntry) =>
  Object.entries(entry.detail)
    .filter(([, value]) => value !== null)
    .map(([key, value]) => `${key}: ${typeof value === 'object' ? JSON.stringify(value) : String(value)}`)
    .join('; ');

export function AuditPage() {
  const { data, error, fetchNextPage, hasNextPage, isFetchingNextPage } = useInfiniteQuery({
    queryKey: ['audit'],
    queryFn: ({ pageParam }) => api.audit(pageParam),
    initialPageParam: null as number | null,
    getNextPageParam: (last) => last.next,
  });
  const entries = data?.pages.flatMap((page) => page.entries) ?? [];
  return (
    <>
      <h1>Audit log</h1>
      <p className="hint">Who did what to this fleet, newest first. The token column names the operator token (its id, as <code>coordinator token list</code> shows it); "coordinator" is the service itself, such as a rollout pausing at its failure threshold.</p>
      {error && <p role="alert" className="error">{(error as Error).message}</p>}
      {data && entries.length === 0 && <p>Nothing recorded yet.</p>}
      {entries.length > 0 && (
        <table data-testid="audit-log">
          <thead>
            <tr>
              <th scope="col">When</th>
              <th scope="col">Token</th>
              <th scope="col">Action</th>
              <th scope="col">Subject</th>
              <th scope="col">Details</th>
            </tr>
          </thead>
          <tbody>
            {entries.map((entry) => (
              <tr key={entry.id}>
                <td className="nowrap">{timeText(entry.at)}</td>
                <td>{entry.tokenId === null ? 'coordinator' : <code>{entry.tokenId}</code>}</td>
                <td>{entry.action}</td>
                <td>
                  <Subject subject={entry.subject} />
                </td>
                <td>{detailText(entry)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {hasNextPage && (
        <button type="button" className="more" disabled={isFetchingNextPage} onClick={() => void fetchNextPage()}>
          Older entries
        </button>
      )}
    </>
  );
}
