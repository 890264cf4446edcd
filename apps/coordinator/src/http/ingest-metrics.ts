import type { DropReason, IngestMetrics } from '../ingest/store-port.js';
import type { MetricsRegistry } from './metrics-registry.js';

/** The ingest side's counters (src/ingest/store-port.ts) on the /metrics registry. */
export class PrometheusIngestMetrics implements IngestMetrics {
  private readonly reports;
  private readonly events;
  private readonly batches;
  private readonly batchSeconds;
  private readonly droppedTotal;

  constructor(registry: MetricsRegistry) {
    this.reports = registry.counter('godwit_ingest_reports_total', 'Device state reports stored');
    this.events = registry.counter('godwit_ingest_events_total', 'Migration events received in stored batches');
    this.batches = registry.counter('godwit_ingest_batches_total', 'Ingest batches committed');
    this.batchSeconds = registry.counter('godwit_ingest_batch_seconds_total', 'Time spent writing ingest batches');
    this.droppedTotal = registry.counter('godwit_ingest_dropped_total', 'Device messages dropped, by reason');
  }

  dropped(reason: DropReason, count = 1): void {
    this.droppedTotal.inc({ reason }, count);
  }

  stored(reports: number, events: number, batchMs: number): void {
    this.reports.inc({}, reports);
    this.events.inc({}, events);
    this.batches.inc();
    this.batchSeconds.inc({}, batchMs / 1000);
  }
}
