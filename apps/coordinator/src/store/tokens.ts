import { COORDINATOR, recordAudit, type Actor } from './audit.js';
import { and, eq, isNull } from 'drizzle-orm';
import { coordinator as t } from '@godwit/schema';
import { hashToken, newToken } from '../tenancy/tokens.js';
import type { Tx } from './database.js';
import { notFound } from './errors.js';
import type { Scopes } from './scopes.js';

/** An operator token as listed: never the token itself, which only its creator saw. */
export interface OperatorToken {
  id: string;
  tenant: string;
  createdAt: string;
  revokedAt: string | null;
}

export interface CreatedToken extends OperatorToken {
  /** In clear: shown once, only its SHA-256 is stored. */
  token: string;
}

/** Who an operator token is: its tenant, and which of the tenant's tokens it is. */
export interface TokenIdentity {
  tenantId: string;
  tokenId: string;
}

function toToken(row: typeof t.operatorTokens.$inferSelect): OperatorToken {
  return { id: row.id, tenant: row.tenantId, createdAt: row.createdAt.toISOString(), revokedAt: row.revokedAt?.toISOString() ?? null };
}

/** A new operator token for the tenant, inside the caller's transaction. */
export async function insertToken(tx: Tx, tenantId: string): Promise<CreatedToken> {
  const token = newToken('gwo');
  const [row] = await tx.insert(t.operatorTokens).values({ tenantId, tokenHash: hashToken(token) }).returning();
  return { ...toToken(row!), token };
}

/** The admin may name any tenant id; one that does not exist is a 404, not an empty tenant. */
async function mustExist(tx: Tx, tenantId: string): Promise<void> {
  const [tenant] = await tx.select({ id: t.tenants.id }).from(t.tenants).where(eq(t.tenants.id, tenantId));
  if (!tenant) throw notFound(`tenant ${tenantId}`);
}

/** Operator tokens: issued, listed and revoked per tenant (under row-level security), looked up across tenants. */
export class TokenStore {
  constructor(private readonly scopes: Scopes) {}

  async create(tenantId: string): Promise<CreatedToken> {
    return this.scopes.tenant(tenantId, async (tx) => {
      await mustExist(tx, tenantId);
      return insertToken(tx, tenantId);
    });
  }

  async list(tenantId: string): Promise<OperatorToken[]> {
    return this.scopes.tenant(tenantId, async (tx) => {
      await mustExist(tx, tenantId);
      const rows = await tx.select().from(t.operatorTokens).orderBy(t.operatorTokens.createdAt, t.operatorTokens.id);
      return rows.map(toToken);
    });
  }

  /** Refused from the next request on; revoking a revoked token again changes nothing. */
  async revoke(tenantId: string, id: string, actor: Actor = COORDINATOR): Promise<OperatorToken> {
    return this.scopes.tenant(tenantId, async (tx) => {
      const [revoked] = await tx
        .update(t.operatorTokens)
        .set({ revokedAt: new Date() })
        .where(and(eq(t.operatorTokens.id, id), isNull(t.operatorTokens.revokedAt)))
        .returning();
      const [row] = revoked ? [revoked] : await tx.select().from(t.operatorTokens).where(eq(t.operatorTokens.id, id));
      if (!row) throw notFound(`token ${id}`);
      if (revoked) await recordAudit(tx, tenantId, actor, 'revoked', `token ${id}`);
      return toToken(row);
    });
  }

  /** The tenant and token id of an unrevoked operator token, or null: the admin path, since the tenant is not known yet. */
  async authenticate(token: string): Promise<TokenIdentity | null> {
    const [row] = await this.scopes.admin((tx) =>
      tx
        .select({ tenantId: t.operatorTokens.tenantId, tokenId: t.operatorTokens.id })
        .from(t.operatorTokens)
        .where(and(eq(t.operatorTokens.tokenHash, hashToken(token)), isNull(t.operatorTokens.revokedAt))),
    );
    return row ?? null;
  }
}
