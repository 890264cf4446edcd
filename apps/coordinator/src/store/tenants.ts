import { and, eq, isNull } from 'drizzle-orm';
import { coordinator as t } from '@godwit/schema';
import { newToken, hashToken } from '../tenancy/tokens.js';
import { CoordinatorError } from './errors.js';
import type { Scopes } from './scopes.js';

export interface CreatedTenant {
  id: string;
  name: string;
  /** The first operator token, in clear: shown once, only its hash is stored. */
  token: string;
}

/** Tenant creation and operator-token lookup: the admin path. */
export class TenantStore {
  constructor(private readonly scopes: Scopes) {}

  async create(name: string): Promise<CreatedTenant> {
    const token = newToken('gwo');
    return this.scopes.admin(async (tx) => {
      const [tenant] = await tx.insert(t.tenants).values({ name }).onConflictDoNothing().returning();
      if (!tenant) throw new CoordinatorError('conflict', `tenant ${name} already exists`);
      await tx.insert(t.operatorTokens).values({ tenantId: tenant.id, tokenHash: hashToken(token) });
      return { id: tenant.id, name: tenant.name, token };
    });
  }

  /** The tenant an operator token belongs to, or null. */
  async authenticate(token: string): Promise<string | null> {
    return this.scopes.admin(async (tx) => {
      const [row] = await tx
        .select({ tenantId: t.operatorTokens.tenantId })
        .from(t.operatorTokens)
        .where(and(eq(t.operatorTokens.tokenHash, hashToken(token)), isNull(t.operatorTokens.revokedAt)));
      return row?.tenantId ?? null;
    });
  }
}
