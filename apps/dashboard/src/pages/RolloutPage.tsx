import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { Link } from 'wouter';
import { api, type Rollout, type TargetStatus } from '../api.ts';
import { reachText, timeText } from '../format.ts';

const STATUSES: TargetStatus[] = ['pending', 'applying', 'succeeded', 'failed'];
const PAUSE_REASONS: Record<string, string> = {
  operator: 'an operator',
  'failure-threshold': 'the failure threshold: too many targets failed, so the rollout paused itself',
};
const PAUSE_EFFECT =
  'Pausing reaches no further device and withdraws the bundle from targets that have not fetched it yet. Devices that already have the bundle keep it and may still apply it; nothing is rolled back.';

export function RolloutPage({ id }: { id: string }) {
  const queryClient = useQueryClient();
  const { data: rollout, error } = useQuery({ queryKey: ['rollout', id], queryFn: () => api.rollout(id) });
  const [percent, setPercent] = useState('');
  const act = useMutation({
    mutationFn: (action: () => Promise<Rollout>) => action(),
    onSuccess: (updated) => {
      queryClient.setQueryData(['rollout', id], updated);
      void queryClient.invalidateQueries({ queryKey: ['rollouts'] });
    },
  });

  if (error) return <p role="alert" className="error">{(error as Error).message}</p>;
  if (!rollout) return <p>Loading…</p>;

  const widen = (event: FormEvent) => {
    event.preventDefault();
    act.mutate(() => api.widen(id, Number(percent)));
  };

  return (
    <>
      <h1>
        Rollout <code>{id.slice(0, 8)}</code>
      </h1>
      <dl className="facts">
        <dt>Bundle</dt>
        <dd>
          <code>{rollout.bundle}</code>
        </dd>
        <dt>Channel</dt>
        <dd>{rollout.channel}</dd>
        <dt>Reach</dt>
        <dd>{reachText(rollout)}</dd>
        <dt>State</dt>
        <dd data-testid="rollout-state">{rollout.state}</dd>
        {rollout.pauseReason && (
          <>
            <dt>Paused by</dt>
            <dd>{PAUSE_REASONS[rollout.pauseReason] ?? rollout.pauseReason}</dd>
          </>
        )}
      </dl>
      <ul className="totals" aria-label="Targets by status">
        {STATUSES.map((status) => (
          <li key={status} className={status === 'failed' && rollout.failed > 0 ? 'total bad' : 'total'} data-testid={`rollout-${status}`}>
            <span className="total-value">{rollout[status]}</span> <span className="total-name">{status}</span>
          </li>
        ))}
      </ul>
      <section aria-labelledby="actions-heading" className="actions">
        <h2 id="actions-heading">Actions</h2>
        {rollout.state === 'active' ? (
          <div>
            <button type="button" aria-describedby="pause-effect" disabled={act.isPending} onClick={() => act.mutate(() => api.pause(id))}>
              Pause rollout (devices that have the bundle keep it)
            </button>
            <p id="pause-effect" className="hint">
              {PAUSE_EFFECT}
            </p>
          </div>
        ) : (
          <button type="button" disabled={act.isPending} onClick={() => act.mutate(() => api.resume(id))}>
            Resume rollout
          </button>
        )}
        {rollout.percent !== null && (
          <form onSubmit={widen} className="inline">
            <label>
              Widen to percent
              <input type="number" min={rollout.percent} max={100} step="any" required value={percent} onChange={(e) => setPercent(e.target.value)} />
            </label>
            <button type="submit" disabled={act.isPending}>
              Widen
            </button>
          </form>
        )}
        {act.error && <p role="alert" className="error">{(act.error as Error).message}</p>}
      </section>
      <section aria-labelledby="targets-heading">
        <h2 id="targets-heading">Target devices</h2>
        <table>
          <thead>
            <tr>
              <th scope="col">Device</th>
              <th scope="col">Status</th>
              <th scope="col">Error</th>
              <th scope="col">Targeted</th>
              <th scope="col">Result at</th>
            </tr>
          </thead>
          <tbody>
            {(rollout.devices ?? []).map((target) => (
              <tr key={target.id}>
                <td>
                  <Link href={`/devices/${encodeURIComponent(target.id)}`}>{target.id}</Link>
                </td>
                <td>
                  <span className={target.status === 'failed' ? 'badge bad' : target.status === 'succeeded' ? 'badge good' : 'badge'}>{target.status}</span>
                </td>
                <td className="error-text">{target.error ?? ''}</td>
                <td>{timeText(target.addedAt)}</td>
                <td>{timeText(target.resultAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
    </>
  );
}
