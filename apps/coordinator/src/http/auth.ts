import type { IncomingMessage } from 'node:http';
import type { Actor } from '../store/audit.js';
import { CoordinatorError } from '../store/errors.js';
import type { TokenStore } from '../store/tokens.js';
import { sameToken } from '../tenancy/tokens.js';

export type Principal = { kind: 'admin' } | { kind: 'operator'; tenantId: string; tokenId: string };

/** Who the bearer token says the caller is; admin and operator tokens are told apart by lookup, not by shape. */
export async function authenticate(req: IncomingMessage, adminToken: string, tokens: TokenStore): Promise<Principal> {
  const token = bearerToken(req, 'missing bearer token (--token / GODWIT_TOKEN)');
  if (sameToken(token, adminToken)) return { kind: 'admin' };
  // Looked up on every request, so a revoked token is refused from the next one on.
  const identity = await tokens.authenticate(token);
  if (!identity) throw new CoordinatorError('unauthorized', 'token refused');
  return { kind: 'operator', ...identity };
}

/**
 * /metrics lists every tenant's id, its devices and its rollouts, so it is the service operator's:
 * the admin token, or a metrics token that can do nothing else (what a Prometheus scraper holds).
 */
export function authenticateMetricsReader(req: IncomingMessage, adminToken: string, metricsToken: string | undefined): void {
  const token = bearerToken(req, 'missing bearer token (the admin token or --metrics-token)');
  if (!sameToken(token, adminToken) && !(metricsToken !== undefined && sameToken(token, metricsToken))) {
    throw new CoordinatorError('unauthorized', '/metrics needs the admin token or the metrics token');
  }
}

export function requireAdmin(principal: Principal): void {
  if (principal.kind !== 'admin') throw new CoordinatorError('forbidden', 'this needs the admin token');
}

export function requireTenant(principal: Principal): string {
  if (principal.kind !== 'operator') throw new CoordinatorError('forbidden', "this needs a tenant's operator token, not the admin token");
  return principal.tenantId;
}

/** The tenant an operator acts on and the token the audit log names. */
export function requireOperator(principal: Principal): { tenant: string; actor: Actor } {
  return { tenant: requireTenant(principal), actor: actorOf(principal) };
}

/** The admin token has no id: its actions are logged with none. */
export function actorOf(principal: Principal): Actor {
  return { tokenId: principal.kind === 'operator' ? principal.tokenId : null };
}

function bearerToken(req: IncomingMessage, missing: string): string {
  const match = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '');
  if (!match) throw new CoordinatorError('unauthorized', missing);
  return match[1]!;
}
