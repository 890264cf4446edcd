import type { DaemonSettings } from './daemon-settings.js';
import type { DeviceIdentity } from './device-identity.js';
import type { DeviceLedger } from './device-ledger.js';
import type { Logger } from './logger.js';
import { MqttSession } from './mqtt-session.js';
import { Reporter } from './reporter.js';

export interface LinkOptions {
  settings: DaemonSettings;
  device: DeviceIdentity;
  ledger: DeviceLedger;
  log: Logger;
  /** Bundle deliveries and commands (the daemon). Without them only acks are subscribed to (`run --once`). */
  onBundle?: (payload: Buffer) => void;
  onCommand?: (payload: Buffer) => void;
  /** True while a migration runs: the report then carries the last recorded state. */
  applying?: () => boolean;
  onConfirmed?: () => void;
}

/** The device's MQTT session and its reporter, wired together: a report on every connect, acks to the outbox. */
export function linkDevice(options: LinkOptions): { session: MqttSession; reporter: Reporter } {
  const { settings, device, ledger, log, onBundle, onCommand } = options;
  const session = new MqttSession(
    {
      url: settings.mqtt.url,
      device,
      password: settings.mqtt.password,
      ca: settings.mqtt.ca,
      keepaliveSeconds: settings.mqtt.keepaliveSeconds,
      maxMessageBytes: settings.maxBundleBytes,
      reconnect: settings.reconnect,
      subscriptions: onBundle ? [device.topics.ack, device.topics.bundle, device.topics.cmd] : [device.topics.ack],
    },
    {
      connected: () => reporter.refreshAndSend(),
      // The persistent session may hold the daemon's subscriptions even under --once: ignored there.
      message: (topic, payload) => {
        if (topic === device.topics.ack) reporter.onAck(payload);
        else if (topic === device.topics.bundle) onBundle?.(payload);
        else if (topic === device.topics.cmd) onCommand?.(payload);
      },
    },
    log,
  );
  const reporter = new Reporter({
    ledger,
    publish: (payload) => session.publish(device.topics.state, payload),
    log,
    ackTimeoutMs: settings.ackTimeoutMs,
    applying: options.applying ?? (() => false),
    ...(options.onConfirmed && { onConfirmed: options.onConfirmed }),
  });
  return { session, reporter };
}
