import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { Link } from 'wouter';
import { api, type Rollout } from '../api.ts';
import { RolloutProgress } from '../components/RolloutProgress.tsx';
import { reachText, timeText } from '../format.ts';

const COUNTS = ['pending', 'applying', 'succeeded', 'failed', 'paused'] as const;
const RETRY_EFFECT =
  'Retrying sets the failed targets back to pending and hands them the bundle again (a paused rollout does so when it resumes); their failures stop counting against the failure threshold. Each retried device is told to take the bundle again, so a running agent tries it at once.';

/** Why the rollout is paused, with the numbers when the failure threshold paused it. */
function pauseReasonText(rollout: Rollout): string {
  if (rollout.pauseReason === 'operator') return 'an operator';
  if (rollout.pauseReason !== 'failure-threshold') return rollout.pauseReason ?? '';
  const attempts = rollout.successes + rollout.failures;
  return `the failure threshold: ${rollout.failures} of ${attempts} results failed, more than ${rollout.failureThresholdPercent}% (checked from ${rollout.minAttempts} results on), so the rollout paused itself`;
}

/** The five counts: while paused, the undecided targets count as paused instead of pending or applying. */
function countsOf(rollout: Rollout): Record<(typeof COUNTS)[number], number> {
  const held = rollout.paused > 0;
  return { pending: held ? 0 : rollout.pending, applying: held ? 0 : rollout.applying, succeeded: rollout.succeeded, failed: rollout.failed, paused: rollout.paused };
}

const PAUSE_EFFECT =
  'Pausing reaches no further device and withdraws the bundle from targets that have not fetched it yet. Devices that already have the bundle keep it and may still apply it; nothing is rolled back.';

export function RolloutPage({ id }: { id: string }) {
  const queryClient = useQueryClient();
  const { data: rollout, error, dataUpdatedAt } = useQuery({ queryKey: ['rollout', id], queryFn: () => api.rollout(id) });
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
            <dd data-testid="pause-reason">{pauseReasonText(rollout)}</dd>
          </>
        )}
        <dt>Failure threshold</dt>
        <dd>
          pauses itself when more than {rollout.failureThresholdPercent}% of at least {rollout.minAttempts} results failed (now {rollout.failures} of{' '}
          {rollout.successes + rollout.failures})
        </dd>
      </dl>
      <ul className="totals" aria-label="Targets by state">
        {COUNTS.map((state) => (
          <li key={state} className={state === 'failed' && rollout.failed > 0 ? 'total bad' : 'total'} data-testid={`rollout-${state}`}>
            <span className="total-value">{countsOf(rollout)[state]}</span> <span className="total-name">{state}</span>
          </li>
        ))}
      </ul>
      <section aria-labelledby="progress-heading">
        <h2 id="progress-heading">Progress over time</h2>
        <RolloutProgress targets={rollout.devices ?? []} createdAt={rollout.createdAt} updatedAt={dataUpdatedAt} />
      </section>
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
        <div>
          <button type="button" aria-describedby="retry-effect" disabled={act.isPending || rollout.failed === 0} onClick={() => act.mutate(() => api.retry(id))}>
            Retry {rollout.failed} failed device{rollout.failed === 1 ? '' : 's'}
          </button>
          <p id="retry-effect" className="hint">
            {RETRY_EFFECT}
          </p>
        </div>
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
              <th scope="col">State</th>
              <th scope="col">Attempts</th>
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
                  <span className={target.status === 'failed' ? 'badge bad' : target.status === 'succeeded' ? 'badge good' : 'badge'}>
                    {rollout.paused > 0 && (target.status === 'pending' || target.status === 'applying') ? `${target.status}, paused` : target.status}
                  </span>
                </td>
                <td>{target.attempts}</td>
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
