import type { DropReason, IngestMetrics } from './store-port.js';

/** IngestMetrics kept in memory: what tests, the storm bench and a metrics endpoint read. */
export class IngestCounters implements IngestMetrics {
  readonly droppedByReason: Partial<Record<DropReason, number>> = {};
  reportsStored = 0;
  eventsStored = 0;
  batches = 0;
  largestBatch = 0;

  dropped(reason: DropReason, count = 1): void {
    this.droppedByReason[reason] = (this.droppedByReason[reason] ?? 0) + count;
  }

  stored(reports: number, events: number): void {
    this.reportsStored += reports;
    this.eventsStored += events;
    this.batches++;
    this.largestBatch = Math.max(this.largestBatch, reports);
  }

  get droppedTotal(): number {
    return Object.values(this.droppedByReason).reduce((a, b) => a + b, 0);
  }
}
