import { and, desc, eq, gt, inArray, lte } from 'drizzle-orm';
import { coordinator as t } from '@godwit/schema';
import type { TokenIdentity } from './tokens.js';
import type { Scopes } from './scopes.js';

/** Sessions one tenant may hold at once: its oldest goes first, so sign-ins cannot fill the table. */
export const MAX_SESSIONS_PER_TENANT = 1000;

/**
 * Dashboard sessions in the database, by the SHA-256 of their id: every replica finds a session
 * any replica created, and a restart signs nobody out. Created and capped under the tenant's
 * row-level security; looked up and ended across tenants, since the cookie names no tenant.
 */
export class SessionStore {
  constructor(private readonly scopes: Scopes) {}

  async create(idHash: string, identity: TokenIdentity, expiresAt: Date): Promise<void> {
    await this.scopes.tenant(identity.tenantId, async (tx) => {
      await tx.delete(t.dashboardSessions).where(lte(t.dashboardSessions.expiresAt, new Date()));
      await tx.insert(t.dashboardSessions).values({ idHash, tenantId: identity.tenantId, tokenId: identity.tokenId, expiresAt });
      // The newest ones stay: whatever sorts past them is the oldest.
      const dropped = await tx
        .select({ idHash: t.dashboardSessions.idHash })
        .from(t.dashboardSessions)
        .orderBy(desc(t.dashboardSessions.createdAt), desc(t.dashboardSessions.idHash))
        .offset(MAX_SESSIONS_PER_TENANT);
      if (dropped.length > 0) await tx.delete(t.dashboardSessions).where(inArray(t.dashboardSessions.idHash, dropped.map((row) => row.idHash)));
    });
  }

  /** The unexpired session with this id hash, or null. */
  async find(idHash: string): Promise<TokenIdentity | null> {
    const [row] = await this.scopes.admin((tx) =>
      tx
        .select({ tenantId: t.dashboardSessions.tenantId, tokenId: t.dashboardSessions.tokenId })
        .from(t.dashboardSessions)
        .where(and(eq(t.dashboardSessions.idHash, idHash), gt(t.dashboardSessions.expiresAt, new Date()))),
    );
    return row ?? null;
  }

  async delete(idHash: string): Promise<void> {
    await this.scopes.admin((tx) => tx.delete(t.dashboardSessions).where(eq(t.dashboardSessions.idHash, idHash)));
  }
}
