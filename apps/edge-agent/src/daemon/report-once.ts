import type { DaemonSettings } from './daemon-settings.js';
import { deviceIdentity } from './device-identity.js';
import type { DeviceLedger } from './device-ledger.js';
import type { Logger } from './logger.js';
import { linkDevice } from './device-link.js';

/**
 * `run --once`: reports what is unconfirmed if the broker answers within `onceReportTimeoutMs`,
 * waiting for the coordinator's ack, then says offline and disconnects. Never longer than the
 * budget (at most a minute): the runtime's start must not wait on the network. What is not
 * confirmed stays in the outbox for the daemon. Resolves with whether everything was confirmed.
 */
export async function reportOnce(settings: DaemonSettings, ledger: DeviceLedger, log: Logger): Promise<boolean> {
  if (!ledger.outbox.pending) return true;
  let confirm = () => {};
  const confirmed = new Promise<boolean>((resolve) => (confirm = () => resolve(true)));
  let link: ReturnType<typeof linkDevice>;
  try {
    // A wrong device name or broker address must not hold up the runtime's start: the upgrade is done.
    link = linkDevice({ settings, device: deviceIdentity(settings.mqtt.username), ledger, log, onConfirmed: confirm });
  } catch (error) {
    log('report-skipped', { reason: (error as Error).message });
    return false;
  }
  const { session, reporter } = link;
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), settings.onceReportTimeoutMs)));
  try {
    session.start();
    const done = await Promise.race([confirmed, timedOut]);
    if (!done) log('report-timeout', { afterMs: settings.onceReportTimeoutMs, unconfirmed: ledger.outbox.counter - ledger.outbox.acked });
    return done;
  } finally {
    clearTimeout(timer);
    reporter.stop();
    await session.stop(1000);
  }
}
