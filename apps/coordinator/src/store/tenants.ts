import { coordinator as t } from '@godwit/schema';
import { CoordinatorError } from './errors.js';
import type { Scopes } from './scopes.js';
import { insertToken, type TokenStore } from './tokens.js';

export interface CreatedTenant {
  id: string;
  name: string;
  /** The first operator token, in clear: shown once, only its hash is stored. */
  token: string;
}

/** Tenant creation and operator-token lookup: the admin path. */
export class TenantStore {
  constructor(
    private readonly scopes: Scopes,
    private readonly tokens: TokenStore,
  ) {}

  async create(name: string): Promise<CreatedTenant> {
    return this.scopes.admin(async (tx) => {
      const [tenant] = await tx.insert(t.tenants).values({ name }).onConflictDoNothing().returning();
      if (!tenant) throw new CoordinatorError('conflict', `tenant ${name} already exists`);
      const { token } = await insertToken(tx, tenant.id);
      return { id: tenant.id, name: tenant.name, token };
    });
  }

  /** The tenant an operator token belongs to, or null. */
  async authenticate(token: string): Promise<string | null> {
    return (await this.tokens.authenticate(token))?.tenantId ?? null;
  }
}
