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
}
