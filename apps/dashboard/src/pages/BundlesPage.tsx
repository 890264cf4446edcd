import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { useLocation } from 'wouter';
import { api, type Bundle, type PublishRequest } from '../api.ts';
import { timeText } from '../format.ts';

/** `site=north, room=2` as selectors; null when a pair is not KEY=VALUE. */
export function selectorsOf(text: string): Record<string, string> | null {
  const selectors: Record<string, string> = {};
  for (const pair of text.split(',').map((p) => p.trim()).filter(Boolean)) {
    const at = pair.indexOf('=');
    if (at <= 0) return null;
    selectors[pair.slice(0, at).trim()] = pair.slice(at + 1).trim();
  }
  return Object.keys(selectors).length > 0 ? selectors : null;
}

export function BundlesPage() {
  const { data: bundles, error } = useQuery({ queryKey: ['bundles'], queryFn: api.bundles });
  return (
    <>
      <h1>Bundles</h1>
      {error && <p role="alert" className="error">{(error as Error).message}</p>}
      {bundles && bundles.length === 0 && <p>No bundles yet: upload one with <code>coordinator bundle upload</code>.</p>}
      {bundles && bundles.length > 0 && (
        <>
          <table>
            <thead>
              <tr>
                <th scope="col">Bundle</th>
                <th scope="col">Sequence</th>
                <th scope="col">Revisions</th>
                <th scope="col">Signed by (key id)</th>
                <th scope="col">Expires</th>
                <th scope="col">Uploaded</th>
              </tr>
            </thead>
            <tbody>
              {bundles.map((b) => (
                <tr key={b.id}>
                  <td>
                    <code>{b.id}</code>
                  </td>
                  <td>{b.sequence}</td>
                  <td>{b.revisions.map((r) => <code key={r}>{r} </code>)}</td>
                  <td>{b.signers === null ? 'not recorded (uploaded before signers were kept)' : b.signers.map((k) => <code key={k}>{k} </code>)}</td>
                  <td>{b.expiresAt === null ? (b.signers === null ? 'not recorded' : 'never') : timeText(b.expiresAt)}</td>
                  <td>{timeText(b.createdAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <PublishForm bundles={bundles} />
        </>
      )}
    </>
  );
}

function PublishForm({ bundles }: { bundles: Bundle[] }) {
  const [, navigate] = useLocation();
  const queryClient = useQueryClient();
  const [bundle, setBundle] = useState(bundles[0]!.id);
  const [channel, setChannel] = useState('stable');
  const [reach, setReach] = useState<'percent' | 'selectors'>('percent');
  const [percent, setPercent] = useState('10');
  const [selectors, setSelectors] = useState('');
  const [invalid, setInvalid] = useState<string | null>(null);
  const publish = useMutation({
    mutationFn: (request: PublishRequest) => api.publish(request),
    onSuccess: (rollout) => {
      void queryClient.invalidateQueries({ queryKey: ['rollouts'] });
      navigate(`/rollouts/${rollout.id}`);
    },
  });

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const parsed = selectorsOf(selectors);
    if (reach === 'selectors' && parsed === null) {
      setInvalid('Label selectors: one or more KEY=VALUE, separated by commas.');
      return;
    }
    setInvalid(null);
    publish.mutate(reach === 'percent' ? { bundle, channel, percent: Number(percent) } : { bundle, channel, selectors: parsed! });
  };

  return (
    <section aria-labelledby="publish-heading">
      <h2 id="publish-heading">Publish a bundle</h2>
      <form className="filters" onSubmit={submit}>
        <label>
          Bundle
          <select value={bundle} onChange={(e) => setBundle(e.target.value)}>
            {bundles.map((b) => (
              <option key={b.id} value={b.id}>
                {b.id}
              </option>
            ))}
          </select>
        </label>
        <label>
          Channel
          <input required value={channel} onChange={(e) => setChannel(e.target.value)} />
        </label>
        <fieldset className="reach">
          <legend>Reach</legend>
          <label className="radio">
            <input type="radio" name="reach" checked={reach === 'percent'} onChange={() => setReach('percent')} /> A share of the channel
          </label>
          <label className="radio">
            <input type="radio" name="reach" checked={reach === 'selectors'} onChange={() => setReach('selectors')} /> Devices with labels
          </label>
        </fieldset>
        {reach === 'percent' ? (
          <label>
            Percent of the channel
            <input type="number" min={0.001} max={100} step="any" required value={percent} onChange={(e) => setPercent(e.target.value)} />
          </label>
        ) : (
          <label>
            Label selectors (KEY=VALUE, comma-separated)
            <input required value={selectors} onChange={(e) => setSelectors(e.target.value)} placeholder="site=north" />
          </label>
        )}
        <button type="submit" disabled={publish.isPending}>
          Publish
        </button>
      </form>
      {(invalid ?? publish.error) && (
        <p role="alert" className="error">
          {invalid ?? (publish.error as Error).message}
        </p>
      )}
    </section>
  );
}
