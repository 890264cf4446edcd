import { lazy, Suspense } from 'react';
import type { ChartOption } from './EChartCanvas.tsx';

const EChartCanvas = lazy(() => import('./EChartCanvas.tsx'));

/** A chart drawn once ECharts has loaded; until then an empty box of the same size (the numbers are in the text beside it). */
export function Chart({ option }: { option: ChartOption }) {
  return (
    <Suspense fallback={<div className="chart-canvas" aria-hidden="true" />}>
      <EChartCanvas option={option} />
    </Suspense>
  );
}

export type { ChartOption };
