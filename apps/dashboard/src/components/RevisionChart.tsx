import { useMemo } from 'react';
import { revisionText } from '../format.ts';
import { Chart } from './Chart.tsx';

/** Devices per revision as bars; the same counts are in the table below it, which is the chart's text alternative. */
export function RevisionChart({ counts }: { counts: { revision: string | null; devices: number }[] }) {
  const option = useMemo(
    () => ({
      animation: false,
      grid: { left: 48, right: 16, top: 16, bottom: 56 },
      xAxis: { type: 'category', data: counts.map((c) => revisionText(c.revision)), axisLabel: { color: '#1f2937', rotate: counts.length > 4 ? 30 : 0 } },
      yAxis: { type: 'value', minInterval: 1, axisLabel: { color: '#1f2937' } },
      series: [{ type: 'bar', data: counts.map((c) => c.devices), itemStyle: { color: '#1d4ed8' }, label: { show: true, position: 'top', color: '#111827' } }],
    }),
    [counts],
  );

  return (
    <figure className="chart">
      <Chart option={option} />
      <figcaption>
        <table className="compact" aria-label="Devices by revision (the chart's counts)">
          <thead>
            <tr>
              <th scope="col">Revision</th>
              <th scope="col">Devices</th>
            </tr>
          </thead>
          <tbody>
            {counts.map((c) => (
              <tr key={String(c.revision)}>
                <td>
                  <code>{revisionText(c.revision)}</code>
                </td>
                <td data-testid={`revision-count-${revisionText(c.revision)}`}>{c.devices}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </figcaption>
    </figure>
  );
}
