/**
 * Turns a stream of reports into few large idempotent writes: reports wait up to `maxDelayMs` or
 * until `maxBatch` are pending, then one store transaction writes them all. One write runs at a
 * time; whatever arrives meanwhile forms the next batch, so a reconnect storm makes batches
 * bigger rather than transactions more numerous. A batch the data makes fail is written again in
 * parts, so that one device's unstorable report never holds back anyone else's.
 */
import type { StateReport } from '@godwit/fleet-protocol';
import { describeStoreFailure } from './store-failure.js';
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
    await this.#writeDevices(groupByDevice(batch));
  }

  /**
   * One transaction for these devices' reports. When the data made it fail, the devices are
   * written again in two halves, and so on down to the device whose reports fail alone: those are
   * quarantined (dropped, counted, one log line) and every other report lands and is confirmed.
   */
  async #writeDevices(devices: DeviceReports[]): Promise<void> {
    const { store, metrics, onError } = this.#options;
    const reports = devices.flatMap((d) => d.reports);
    const events = reports.flatMap(eventWrites);
    const started = performance.now();
    let counters: StoredCounter[];
    try {
      counters = await store.writeReports(reports.map(stateWrite), events);
    } catch (error) {
      const failure = describeStoreFailure(error);
      if (failure.causedByData && devices.length > 1) {
        const half = Math.ceil(devices.length / 2);
        await this.#writeDevices(devices.slice(0, half));
        await this.#writeDevices(devices.slice(half));
      } else if (failure.causedByData) {
        const [{ tenantId, deviceId }] = devices as [DeviceReports];
        metrics.dropped('quarantined', reports.length);
        onError(new IngestError(`quarantined ${reports.length} report(s) of device ${deviceId} of tenant ${tenantId}: ${failure.summary}`));
      } else {
        // Nothing was confirmed, so every device still holds these reports and sends them again.
        metrics.dropped('store-failed', reports.length);
        onError(new IngestError(`${reports.length} report(s) not stored: ${failure.summary}`));
      }
      return;
    }
    metrics.stored(reports.length, events.length, performance.now() - started);
    const storedDevices = new Set(counters.map(deviceKey));
    const unstored = devices.filter((d) => !storedDevices.has(deviceKey(d))).reduce((n, d) => n + d.reports.length, 0);
    if (unstored > 0) metrics.dropped('revoked', unstored);
    this.#options.onStored(counters);
  }
}

/** A failed write, summed up in one line without the reports it carried. */
export class IngestError extends Error {
  constructor(message: string) {
    super(`ingest: ${message}`);
    this.name = 'IngestError';
  }
}

interface DeviceReports {
  tenantId: string;
  deviceId: string;
  reports: IncomingReport[];
}

function deviceKey(device: { tenantId: string; deviceId: string }): string {
  return `${device.tenantId}\u0000${device.deviceId}`;
}

/** The unit a failed write is split into: every report of one device stays together. */
function groupByDevice(batch: IncomingReport[]): DeviceReports[] {
  const devices = new Map<string, DeviceReports>();
  for (const incoming of batch) {
    const key = deviceKey(incoming);
    const device = devices.get(key) ?? { tenantId: incoming.tenantId, deviceId: incoming.deviceId, reports: [] };
    device.reports.push(incoming);
    devices.set(key, device);
  }
  return [...devices.values()];
}

function stateWrite({ tenantId, deviceId, report, receivedAt }: IncomingReport): DeviceStateWrite {
  return {
    tenantId,
    deviceId,
    counter: report.counter,
    revision: report.revision,
    fingerprint: report.fingerprint,
    bundleSequence: report.bundleSequence,
    lastResults: report.lastResults,
    schema: report.schema ?? null,
    receivedAt,
  };
}

function eventWrites({ tenantId, deviceId, report }: IncomingReport): EventWrite[] {
  return report.events.map((event) => ({ ...event, tenantId, deviceId }));
}
