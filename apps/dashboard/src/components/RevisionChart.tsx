import { BarChart } from 'echarts/charts';
import { GridComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';
import { useEffect, useRef } from 'react';
import { revisionText } from '../format.ts';

echarts.use([BarChart, GridComponent, CanvasRenderer]);

/** Devices per revision as bars; the same counts are in the table below it, which is the chart's text alternative. */
export function RevisionChart({ counts }: { counts: { revision: string | null; devices: number }[] }) {
  const element = useRef<HTMLDivElement>(null);
  const chart = useRef<echarts.ECharts | null>(null);

  useEffect(() => {
    chart.current = echarts.init(element.current!, undefined, { renderer: 'canvas' });
    const resize = () => chart.current?.resize();
    window.addEventListener('resize', resize);
    return () => {
      window.removeEventListener('resize', resize);
      chart.current?.dispose();
    };
  }, []);

  useEffect(() => {
    chart.current?.setOption({
      animation: false,
      grid: { left: 48, right: 16, top: 16, bottom: 56 },
      xAxis: { type: 'category', data: counts.map((c) => revisionText(c.revision)), axisLabel: { color: '#1f2937', rotate: counts.length > 4 ? 30 : 0 } },
      yAxis: { type: 'value', minInterval: 1, axisLabel: { color: '#1f2937' } },
      series: [{ type: 'bar', data: counts.map((c) => c.devices), itemStyle: { color: '#1d4ed8' }, label: { show: true, position: 'top', color: '#111827' } }],
    });
  }, [counts]);

  return (
    <figure className="chart">
      <div ref={element} className="chart-canvas" aria-hidden="true" />
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
