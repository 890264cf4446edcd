import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** Operator and admin tokens: 32 random bytes, so a plain SHA-256 is enough to store them. */
export function newToken(prefix: 'gwo' | 'gwa'): string {
  return `${prefix}_${randomBytes(32).toString('base64url')}`;
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export function sameToken(a: string, b: string): boolean {
  const x = Buffer.from(hashToken(a), 'hex');
  const y = Buffer.from(hashToken(b), 'hex');
  return timingSafeEqual(x, y);
}
