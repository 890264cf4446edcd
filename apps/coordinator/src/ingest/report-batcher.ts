/**
 * Turns a stream of reports into few large idempotent writes: reports wait up to `maxDelayMs` or
 * until `maxBatch` are pending, then one store transaction writes them all. One write runs at a
 * time; whatever arrives meanwhile forms the next batch, so a reconnect storm makes batches
 * bigger rather than transactions more numerous.
 */
import type { StateReport } from '@godwit/fleet-protocol';
import type { DeviceStateWrite, EventWrite, IngestMetrics, IngestStore, StoredCounter } from './store-port.js';

export interface IncomingReport {
  tenantId: string;
  deviceId: string;
  report: StateReport;
  receivedAt: Date;
}

export interface ReportBatcherOptions {
  store: IngestStore;
  metrics: IngestMetrics;
  onStored: (counters: StoredCounter[]) => void;
  onError?: (error: unknown) => void;
  maxBatch?: number;
  maxDelayMs?: number;
  /** Beyond this many waiting reports new ones are dropped; devices send them again unconfirmed. */
  maxPending?: number;
}

export class ReportBatcher {
  readonly #options: Required<ReportBatcherOptions>;
  #pending: IncomingReport[] = [];
  #timer: NodeJS.Timeout | null = null;
  #writing: Promise<void> | null = null;

  constructor(options: ReportBatcherOptions) {
    this.#options = Object.freeze({ maxBatch: 2000, maxDelayMs: 50, maxPending: 200_000, onError: () => {}, ...options });
  }

  push(incoming: IncomingReport): void {
    if (this.#pending.length >= this.#options.maxPending) {
      this.#options.metrics.dropped('overloaded');
      return;
    }
    this.#pending.push(incoming);
    if (this.#writing) return;
    if (this.#pending.length >= this.#options.maxBatch) this.#startWriting();
    else this.#timer ??= setTimeout(() => this.#startWriting(), this.#options.maxDelayMs);
  }

  /** Writes what is pending and resolves once nothing is left. */
  async drain(): Promise<void> {
    if (this.#pending.length > 0 && !this.#writing) this.#startWriting();
    while (this.#writing) await this.#writing;
  }

  #startWriting(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    this.#writing = this.#writeAll().finally(() => {
      this.#writing = null;
    });
  }

  async #writeAll(): Promise<void> {
    // Reports that arrived during a write have already waited that long: write them straight away.
    while (this.#pending.length > 0) {
      const batch = this.#pending.splice(0, this.#options.maxBatch);
      await this.#write(batch);
    }
  }

  async #write(batch: IncomingReport[]): Promise<void> {
    const { states, events } = mergeByDevice(batch);
    const started = performance.now();
    let counters: StoredCounter[];
    try {
      counters = await this.#options.store.writeReports(states, events);
    } catch (error) {
      // Nothing was confirmed, so every device still holds these reports and sends them again.
      this.#options.metrics.dropped('store-failed', batch.length);
      this.#options.onError(error);
      return;
    }
    this.#options.metrics.stored(batch.length, events.length, performance.now() - started);
    this.#options.onStored(counters);
  }
}

/** One state per device (the newest counter) and each event once: a statement may touch a row only once. */
export function mergeByDevice(batch: IncomingReport[]): { states: DeviceStateWrite[]; events: EventWrite[] } {
  const states = new Map<string, DeviceStateWrite>();
  const events = new Map<string, EventWrite>();
  for (const { tenantId, deviceId, report, receivedAt } of batch) {
    const key = `${tenantId}\u0000${deviceId}`;
    const current = states.get(key);
    if (!current || report.counter > current.counter) {
      states.set(key, {
        tenantId,
        deviceId,
        counter: report.counter,
        revision: report.revision,
        fingerprint: report.fingerprint,
        bundleSequence: report.bundleSequence,
        lastResults: report.lastResults,
        schema: report.schema ?? null,
        receivedAt,
      });
    }
    for (const event of report.events) {
      events.set(`${key}\u0000${event.counter}`, { ...event, tenantId, deviceId });
    }
  }
  return { states: [...states.values()], events: [...events.values()] };
}
