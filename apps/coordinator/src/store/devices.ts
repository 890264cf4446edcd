import { and, eq, isNull } from 'drizzle-orm';
import { coordinator as t } from '@godwit/schema';
import { hashSecret, newDeviceSecret, verifySecret } from '../tenancy/secrets.js';
import { COORDINATOR, recordAudit, type Actor } from './audit.js';
import { CoordinatorError, notFound } from './errors.js';
import type { Scopes } from './scopes.js';

export interface Device {
  id: string;
  tenant: string;
  channel: string;
  labels: Record<string, string>;
  mqttUsername: string;
  revokedAt: string | null;
  createdAt: string;
}

export interface RegisteredDevice {
  id: string;
  tenant: string;
  channel: string;
  labels: Record<string, string>;
  /** The secret in clear: shown once, only its scrypt hash is stored. */
  mqtt: { username: string; password: string };
}

/** Who a connected MQTT client is. */
export interface DeviceIdentity {
  tenantId: string;
  deviceId: string;
  channel: string;
}

/** The broker knows a device only by this, so it carries the tenant to stay unique. */
function mqttUsernameOf(tenantId: string, deviceId: string): string {
  return `${tenantId}:${deviceId}`;
}

function toDevice(row: typeof t.devices.$inferSelect): Device {
  return {
    id: row.id,
    tenant: row.tenantId,
    channel: row.channel,
    labels: row.labels,
    mqttUsername: row.mqttUsername,
    revokedAt: row.revokedAt?.toISOString() ?? null,
    createdAt: row.createdAt.toISOString(),
  };
}

export class DeviceStore {
  constructor(private readonly scopes: Scopes) {}

  async register(tenantId: string, input: { id: string; channel: string; labels: Record<string, string> }, actor: Actor = COORDINATOR): Promise<RegisteredDevice> {
    const password = newDeviceSecret();
    const secretHash = await hashSecret(password);
    const username = mqttUsernameOf(tenantId, input.id);
    await this.scopes.tenant(tenantId, async (tx) => {
      const [row] = await tx
        .insert(t.devices)
        .values({ tenantId, id: input.id, channel: input.channel, labels: input.labels, mqttUsername: username, secretHash })
        .onConflictDoNothing()
        .returning({ id: t.devices.id });
      if (!row) throw new CoordinatorError('conflict', `device ${input.id} is already registered`);
      await tx.insert(t.deviceState).values({ tenantId, deviceId: input.id });
      await recordAudit(tx, tenantId, actor, 'registered', `device ${input.id}`, { channel: input.channel, labels: input.labels });
    });
    return { id: input.id, tenant: tenantId, channel: input.channel, labels: input.labels, mqtt: { username, password } };
  }

  async get(tenantId: string, id: string): Promise<Device> {
    const [row] = await this.scopes.tenant(tenantId, (tx) => tx.select().from(t.devices).where(eq(t.devices.id, id)));
    if (!row) throw notFound(`device ${id}`);
    return toDevice(row);
  }

  /** Revoked devices can no longer authenticate; the broker side disconnects them. */
  async revoke(tenantId: string, id: string, actor: Actor = COORDINATOR): Promise<Device> {
    const [row] = await this.scopes.tenant(tenantId, async (tx) => {
      const revoked = await tx
        .update(t.devices)
        .set({ revokedAt: new Date() })
        .where(and(eq(t.devices.id, id), isNull(t.devices.revokedAt)))
        .returning();
      if (revoked.length > 0) await recordAudit(tx, tenantId, actor, 'revoked', `device ${id}`);
      return revoked;
    });
    if (row) return toDevice(row);
    return this.get(tenantId, id);
  }

  /** Every MQTT username that may connect, across tenants: what the broker should know. */
  async activeUsernames(): Promise<Set<string>> {
    const rows = await this.scopes.admin((tx) =>
      tx.select({ username: t.devices.mqttUsername }).from(t.devices).where(isNull(t.devices.revokedAt)),
    );
    return new Set(rows.map((row) => row.username));
  }

  /** MQTT CONNECT: the device with this username, if the secret matches and it is not revoked. */
  async authenticateDevice(username: string, secret: string): Promise<DeviceIdentity | null> {
    const [row] = await this.scopes.admin((tx) =>
      tx
        .select({ tenantId: t.devices.tenantId, deviceId: t.devices.id, channel: t.devices.channel, secretHash: t.devices.secretHash })
        .from(t.devices)
        .where(and(eq(t.devices.mqttUsername, username), isNull(t.devices.revokedAt))),
    );
    if (!row || !(await verifySecret(secret, row.secretHash))) return null;
    return { tenantId: row.tenantId, deviceId: row.deviceId, channel: row.channel };
  }
}
