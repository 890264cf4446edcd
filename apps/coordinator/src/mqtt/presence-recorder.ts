/**
 * Device presence, written in batches so that a reconnect storm costs a few transactions. With the
 * embedded broker, from the connections it sees, counted per device (a device reconnecting under
 * the same client id is connected again before its old connection closes); with an external one,
 * from the devices' own presence messages.
 */
import type { DeviceIdentity, PresenceStore, PresenceUpdate } from '../ingest/store-port.js';

export class PresenceRecorder {
  readonly #connections = new Map<string, number>();
  #pending = new Map<string, PresenceUpdate>();
  #timer: NodeJS.Timeout | null = null;
  #writing: Promise<void> = Promise.resolve();

  constructor(
    private readonly store: PresenceStore,
    private readonly onError: (error: unknown) => void,
    private readonly flushMs = 250,
  ) {}

  connected(device: DeviceIdentity): void {
    const key = keyOf(device);
    const count = (this.#connections.get(key) ?? 0) + 1;
    this.#connections.set(key, count);
    if (count === 1) this.#record(key, device, true);
  }

  disconnected(device: DeviceIdentity): void {
    const key = keyOf(device);
    const count = (this.#connections.get(key) ?? 1) - 1;
    if (count > 0) return void this.#connections.set(key, count);
    this.#connections.delete(key);
    this.#record(key, device, false);
  }

  /** What a device said about itself (external broker). */
  reported(device: DeviceIdentity, online: boolean): void {
    this.#record(keyOf(device), device, online);
  }

  /** Writes what is pending; resolves when written. */
  async flush(): Promise<void> {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    const updates = [...this.#pending.values()];
    this.#pending = new Map();
    if (updates.length > 0) this.#writing = this.#writing.then(() => this.store.setPresence(updates)).catch(this.onError);
    await this.#writing;
  }

  #record(key: string, device: DeviceIdentity, online: boolean): void {
    this.#pending.set(key, { tenantId: device.tenantId, deviceId: device.deviceId, online, at: new Date() });
    this.#timer ??= setTimeout(() => void this.flush(), this.flushMs);
  }
}

function keyOf(device: DeviceIdentity): string {
  return `${device.tenantId}\u0000${device.deviceId}`;
}
