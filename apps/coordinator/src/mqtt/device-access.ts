/**
 * Keeps the broker's idea of who may connect in step with the device table: `grant` when devices
 * are registered (the only moment its plain secret exists), `revoke` when it is revoked.
 */
export interface DeviceGrant {
  tenantId: string;
  deviceId: string;
  channel: string | null;
  username: string;
  password: string;
}

export interface DeviceAccess {
  grant(devices: DeviceGrant[]): Promise<void>;
  /** Removes the device's access and disconnects it at once. */
  revoke(username: string): Promise<void>;
  /**
   * Removes every device access the broker holds for a username not in `active`: devices revoked
   * while the broker could not be told. Returns how many were removed.
   */
  reconcile(active: ReadonlySet<string>): Promise<number>;
}
