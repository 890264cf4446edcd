import type { IncomingMessage } from 'node:http';
import { CoordinatorError } from '../store/errors.js';
import type { TenantStore } from '../store/tenants.js';
import { sameToken } from '../tenancy/tokens.js';

export type Principal = { kind: 'admin' } | { kind: 'operator'; tenantId: string };

/** Who the bearer token says the caller is; admin and operator tokens are told apart by lookup, not by shape. */
export async function authenticate(req: IncomingMessage, adminToken: string, tenants: TenantStore): Promise<Principal> {
  const header = req.headers.authorization ?? '';
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  if (!match) throw new CoordinatorError('unauthorized', 'missing bearer token (--token / GODWIT_TOKEN)');
  const token = match[1]!;
  if (sameToken(token, adminToken)) return { kind: 'admin' };
  const tenantId = await tenants.authenticate(token);
  if (!tenantId) throw new CoordinatorError('unauthorized', 'token refused');
  return { kind: 'operator', tenantId };
}

export function requireAdmin(principal: Principal): void {
  if (principal.kind !== 'admin') throw new CoordinatorError('forbidden', 'this needs the admin token');
}

export function requireTenant(principal: Principal): string {
  if (principal.kind !== 'operator') throw new CoordinatorError('forbidden', "this needs a tenant's operator token, not the admin token");
  return principal.tenantId;
}
