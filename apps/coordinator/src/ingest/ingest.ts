/**
 * The ingest pipeline between the broker and the store: decode and validate each report, batch
 * the writes, and confirm each device's highest stored counter on its own `ack` topic.
 */
import { decodeReport, encodeAck, PROTOCOL_VERSION, ProtocolError } from '@godwit/fleet-protocol';
import { ReportBatcher } from './report-batcher.js';
import type { IngestMetrics, IngestStore } from './store-port.js';

export interface IngestOptions {
  store: IngestStore;
  metrics: IngestMetrics;
  /** Publishes a confirmation; errors are the transport's to report. */
  publishAck: (tenantId: string, deviceId: string, payload: Buffer) => void;
  onError?: (error: unknown) => void;
  maxBatch?: number;
  maxDelayMs?: number;
}

export interface Ingest {
  /** Takes one raw report from an authenticated device; never throws. */
  accept(tenantId: string, deviceId: string, payload: Uint8Array): void;
  /** Writes and confirms everything accepted so far. */
  drain(): Promise<void>;
}

export function createIngest(options: IngestOptions): Ingest {
  const { metrics, publishAck } = options;
  const batcher = new ReportBatcher({
    store: options.store,
    metrics,
    ...(options.onError && { onError: options.onError }),
    ...(options.maxBatch !== undefined && { maxBatch: options.maxBatch }),
    ...(options.maxDelayMs !== undefined && { maxDelayMs: options.maxDelayMs }),
    onStored(counters) {
      for (const { tenantId, deviceId, counter } of counters) {
        publishAck(tenantId, deviceId, encodeAck({ v: PROTOCOL_VERSION, counter }));
      }
    },
  });
  return {
    accept(tenantId, deviceId, payload) {
      try {
        batcher.push({ tenantId, deviceId, report: decodeReport(payload), receivedAt: new Date() });
      } catch (error) {
        // Whatever a device sends, the service keeps running: an unexpected failure is a malformed message too.
        metrics.dropped(error instanceof ProtocolError ? error.code : 'malformed');
      }
    },
    drain: () => batcher.drain(),
  };
}
