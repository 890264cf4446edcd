import { createPublicKey, type KeyObject } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { coordinator as t } from '@godwit/schema';
import { keyIdOf } from '../bundles/engine.js';
import { parseEd25519PublicKey } from '../tenancy/public-key.js';
import type { Scopes } from './scopes.js';

export interface TrustedKey {
  keyId: string;
  createdAt: string;
}

/** The signing keys each tenant trusts for its bundles. */
export class KeyStore {
  constructor(private readonly scopes: Scopes) {}

  async add(tenantId: string, pem: string): Promise<TrustedKey & { added: boolean }> {
    const key = parseEd25519PublicKey(pem, 'publicKey');
    const keyId = keyIdOf(key);
    const canonical = key.export({ type: 'spki', format: 'pem' }).toString();
    return this.scopes.tenant(tenantId, async (tx) => {
      const [row] = await tx
        .insert(t.signingKeys)
        .values({ tenantId, keyId, publicKeyPem: canonical })
        .onConflictDoNothing()
        .returning({ createdAt: t.signingKeys.createdAt });
      return { keyId, createdAt: (row?.createdAt ?? new Date()).toISOString(), added: row !== undefined };
    });
  }

  async list(tenantId: string): Promise<TrustedKey[]> {
    const rows = await this.scopes.tenant(tenantId, (tx) =>
      tx.select().from(t.signingKeys).where(eq(t.signingKeys.tenantId, tenantId)).orderBy(t.signingKeys.createdAt),
    );
    return rows.map((r) => ({ keyId: r.keyId, createdAt: r.createdAt.toISOString() }));
  }

  async trusted(tenantId: string): Promise<KeyObject[]> {
    const rows = await this.scopes.tenant(tenantId, (tx) => tx.select({ pem: t.signingKeys.publicKeyPem }).from(t.signingKeys));
    return rows.map((r) => createPublicKey(r.pem));
  }
}
