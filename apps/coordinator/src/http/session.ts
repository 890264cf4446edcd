import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { CoordinatorError } from '../store/errors.js';
import type { SessionStore } from '../store/sessions.js';
import type { TokenIdentity, TokenStore } from '../store/tokens.js';
import { hashToken } from '../tenancy/tokens.js';
import { authenticate, type Principal } from './auth.js';

/**
 * Dashboard sessions: signing in exchanges an operator token for a random session id, sent back
 * as an HttpOnly, SameSite=Strict cookie (Secure over HTTPS), so the token never sits in a URL or
 * in storage a script can read. The store keeps only the id's SHA-256 (store/sessions.ts), so every
 * replica knows every session and a restart signs nobody out.
 */

export const SESSION_COOKIE = 'godwit_session';
/** A cross-site page cannot send a custom header without a CORS preflight, which this API never grants. */
export const CSRF_HEADER = 'x-godwit-csrf';
export const SESSION_TTL_MS = 8 * 60 * 60 * 1000;
const SAFE_METHODS = new Set(['GET', 'HEAD']);

/** A new session for the token's identity; its id is returned once, only its hash is stored. */
export async function startSession(sessions: SessionStore, identity: TokenIdentity): Promise<{ id: string; expiresAt: number }> {
  const id = randomBytes(32).toString('base64url');
  const expiresAt = Date.now() + SESSION_TTL_MS;
  await sessions.create(hashToken(id), identity, new Date(expiresAt));
  return { id, expiresAt };
}

export function findSession(sessions: SessionStore, id: string): Promise<TokenIdentity | null> {
  return sessions.find(hashToken(id));
}

export function endSession(sessions: SessionStore, id: string): Promise<void> {
  return sessions.delete(hashToken(id));
}

/**
 * The caller of an API request: a bearer token when the request carries one, otherwise the session
 * cookie. A cookie-authenticated write must carry the CSRF header; a session whose token has been
 * revoked ends with it.
 */
export async function authenticateCaller(req: IncomingMessage, adminToken: string, tokens: TokenStore, sessions: SessionStore): Promise<Principal> {
  const id = readSessionId(req);
  if (req.headers.authorization !== undefined || id === undefined) return authenticate(req, adminToken, tokens);
  const session = await findSession(sessions, id);
  if (!session) throw new CoordinatorError('unauthorized', 'session expired or signed out: sign in again');
  requireCsrfHeader(req);
  const token = (await tokens.list(session.tenantId)).find((candidate) => candidate.id === session.tokenId);
  if (!token || token.revokedAt !== null) {
    await endSession(sessions, id);
    throw new CoordinatorError('unauthorized', 'the token this session signed in with was revoked: sign in again');
  }
  return { kind: 'operator', tenantId: session.tenantId, tokenId: session.tokenId };
}

export function requireCsrfHeader(req: IncomingMessage): void {
  if (!SAFE_METHODS.has(req.method ?? 'GET') && req.headers[CSRF_HEADER] !== '1') {
    throw new CoordinatorError('forbidden', `a write from a signed-in page needs the ${CSRF_HEADER}: 1 header`);
  }
}

export function readSessionId(req: IncomingMessage): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const at = part.indexOf('=');
    if (at > 0 && part.slice(0, at).trim() === SESSION_COOKIE) return part.slice(at + 1).trim() || undefined;
  }
  return undefined;
}

/** Secure when the request came over TLS, here or at a proxy that says so. */
export function sessionCookie(req: IncomingMessage, id: string, maxAgeSeconds: number): string {
  const secure = isHttps(req) ? '; Secure' : '';
  return `${SESSION_COOKIE}=${id}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${maxAgeSeconds}${secure}`;
}

export function clearedSessionCookie(req: IncomingMessage): string {
  return sessionCookie(req, '', 0);
}

function isHttps(req: IncomingMessage): boolean {
  return 'encrypted' in req.socket || req.headers['x-forwarded-proto'] === 'https';
}
