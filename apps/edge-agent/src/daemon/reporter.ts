import { decodeAck, encodeNextReport } from '@godwit/fleet-protocol';
import type { DeviceLedger } from './device-ledger.js';
import type { Logger } from './logger.js';

export interface ReporterOptions {
  ledger: DeviceLedger;
  /** Publishes on the device's state topic; false when offline. */
  publish(payload: Buffer): boolean;
  log: Logger;
  /** Resend when the coordinator has not confirmed within this time (3 s), doubling up to a minute. */
  ackTimeoutMs: number;
  /** True while a migration runs: the database is not read then (its lock), the last state is reported. */
  applying(): boolean;
  /** Called when everything recorded so far is confirmed. */
  onConfirmed?(): void;
}

const MAX_ACK_WAIT_MS = 60_000;

/**
 * The device half of end-to-end confirmation (docs/mqtt.md): a report with the current state and
 * the unconfirmed events from the oldest, again on every connect and whenever an ack is overdue;
 * an ack drops what it covers from the outbox.
 *
 * Every report waits for its ack, even with nothing pending: after a broker restart the devices are
 * often back before the coordinator has subscribed again, and the report that says a device is
 * back (and online) would otherwise be lost.
 */
export class Reporter {
  #timer: NodeJS.Timeout | null = null;
  #lastSent = 0;
  #unanswered = false;
  #waitMs: number;

  constructor(private readonly options: ReporterOptions) {
    this.#waitMs = options.ackTimeoutMs;
  }

  /** Reads the database for news (unless a migration holds it), then reports: on every connect. */
  refreshAndSend(): void {
    if (!this.options.applying()) this.options.ledger.syncLogged(this.options.log);
    this.send();
  }

  /** Reads the database and reports only when something changed (a hand-edited schema shows as drift). */
  refreshIfChanged(): void {
    const before = this.options.ledger.outbox.counter;
    this.options.ledger.syncLogged(this.options.log);
    if (this.options.ledger.outbox.counter !== before) this.send();
  }

  send(): void {
    const { ledger, log } = this.options;
    const { outbox } = ledger;
    const state = outbox.state;
    if (state === null) return;
    const schema = ledger.schema;
    const { payload, counter } = encodeNextReport({
      counter: outbox.counter,
      ...state,
      lastResults: outbox.lastResults(),
      ...(schema === null ? {} : { schema }),
      unconfirmed: outbox.unconfirmed(),
    });
    if (!this.options.publish(payload)) return;
    this.#lastSent = counter;
    this.#unanswered = true;
    log('reported', { counter, revision: state.revision, fingerprint: state.fingerprint.slice(0, 12), events: outbox.unconfirmed().filter((e) => e.counter <= counter).length });
    this.#arm();
  }

  onAck(payload: Buffer): void {
    let counter: number;
    try {
      counter = decodeAck(payload).counter;
    } catch (error) {
      this.options.log('error', { during: 'ack', message: (error as Error).message });
      return;
    }
    const { outbox } = this.options.ledger;
    const answers = this.#unanswered && counter >= this.#lastSent;
    if (answers) {
      this.#unanswered = false;
      this.#waitMs = this.options.ackTimeoutMs;
    }
    const verdict = outbox.acknowledge(counter);
    if (verdict === 'stale' && !answers) return;
    this.options.log('acked', { counter, ...(verdict === 'renumbered' ? { renumbered: true } : {}) });
    if (!outbox.pending) {
      if (this.#unanswered) return;
      this.#disarm();
      this.options.onConfirmed?.();
    } else if (verdict === 'renumbered' || counter >= this.#lastSent) {
      // The report in flight is confirmed, and more was recorded after it (or it was cut short).
      this.send();
    }
  }

  stop(): void {
    this.#disarm();
  }

  #arm(): void {
    this.#disarm();
    if (!this.options.ledger.outbox.pending && !this.#unanswered) return;
    this.#timer = setTimeout(() => {
      this.#timer = null;
      this.options.log('ack-overdue', { counter: this.#lastSent, waitedMs: this.#waitMs });
      // A coordinator that stays away is not asked every 3 s by the whole fleet.
      this.#waitMs = Math.min(this.#waitMs * 2, MAX_ACK_WAIT_MS);
      this.send();
    }, this.#waitMs);
  }

  #disarm(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
  }
}
