import { useMemo } from 'react';
import type { RolloutTarget } from '../api.ts';
import { timeText } from '../format.ts';
import { Chart } from './Chart.tsx';

/** At most this many points: the chart stays readable and its table short. */
const POINTS = 12;

interface Point {
  at: number;
  targeted: number;
  succeeded: number;
  failed: number;
}

/**
 * Cumulative targets reached, succeeded and failed from the rollout's start until now, from each
 * target's times (the coordinator keeps only a target's latest attempt: a retried failure leaves the picture).
 */
export function progressOverTime(targets: readonly RolloutTarget[], start: number, now: number): Point[] {
  const end = Math.max(now, start + 1);
  const step = (end - start) / (POINTS - 1);
  return Array.from({ length: POINTS }, (_, i) => {
    const at = start + step * i;
    const by = (time: string | null) => time !== null && Date.parse(time) <= at;
    return {
      at,
      targeted: targets.filter((t) => by(t.addedAt)).length,
      succeeded: targets.filter((t) => t.status === 'succeeded' && by(t.resultAt)).length,
      failed: targets.filter((t) => t.status === 'failed' && by(t.resultAt)).length,
    };
  });
}

const SERIES = [
  { key: 'targeted', name: 'Targeted', color: '#1d4ed8' },
  { key: 'succeeded', name: 'Succeeded', color: '#15803d' },
  { key: 'failed', name: 'Failed', color: '#b91c1c' },
] as const;

/** The rollout's progress as a line chart; the same numbers in the table under it (the chart's text alternative). */
export function RolloutProgress({ targets, createdAt, updatedAt }: { targets: readonly RolloutTarget[]; createdAt: string; updatedAt: number }) {
  const points = useMemo(() => progressOverTime(targets, Date.parse(createdAt), updatedAt), [targets, createdAt, updatedAt]);
  const option = useMemo(
    () => ({
      animation: false,
      grid: { left: 48, right: 16, top: 32, bottom: 40 },
      legend: { top: 0, textStyle: { color: '#111827' } },
      xAxis: { type: 'time', axisLabel: { color: '#1f2937' } },
      yAxis: { type: 'value', minInterval: 1, axisLabel: { color: '#1f2937' } },
      series: SERIES.map((s) => ({ type: 'line', name: s.name, step: 'end', showSymbol: false, color: s.color, data: points.map((p) => [p.at, p[s.key]]) })),
    }),
    [points],
  );
  return (
    <figure className="chart">
      <Chart option={option} />
      <figcaption>
        <details>
          <summary>Progress over time as a table</summary>
          <table className="compact" aria-label="Rollout progress over time (the chart's counts)">
            <thead>
              <tr>
                <th scope="col">At</th>
                {SERIES.map((s) => (
                  <th key={s.key} scope="col">
                    {s.name}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {points.map((p) => (
                <tr key={p.at}>
                  <td>{timeText(p.at)}</td>
                  {SERIES.map((s) => (
                    <td key={s.key}>{p[s.key]}</td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </details>
      </figcaption>
    </figure>
  );
}
