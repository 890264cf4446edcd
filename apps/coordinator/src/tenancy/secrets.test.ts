import { randomBytes, scryptSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { hashSecret, newDeviceSecret, verifySecret } from './secrets.js';
import { hashToken, newToken } from './tokens.js';

describe('device secrets and tokens', () => {
  it('stores device secrets as salted scrypt with their parameters, and verifies them', async () => {
    const secret = newDeviceSecret();
    const stored = await hashSecret(secret);
    expect(stored).toMatch(/^scrypt\$1024\$1\$1\$[\w-]{22}\$[\w-]{43}$/);
    expect(stored).not.toContain(secret);
    expect(await hashSecret(secret)).not.toBe(stored);
    expect(await verifySecret(secret, stored)).toBe(true);
    expect(await verifySecret(`${secret}x`, stored)).toBe(false);
    expect(await verifySecret(secret, 'sha256$whatever')).toBe(false);
  });

  it('keeps verifying hashes made with other parameters', async () => {
    const salt = randomBytes(16);
    const key = scryptSync('s3cret', salt, 32, { N: 16384, r: 8, p: 1 });
    expect(await verifySecret('s3cret', `scrypt$16384$8$1$${salt.toString('base64url')}$${key.toString('base64url')}`)).toBe(true);
  });

  it('makes distinct high-entropy tokens and hashes them with SHA-256', () => {
    const token = newToken('gwo');
    expect(token).toMatch(/^gwo_[\w-]{43}$/);
    expect(newToken('gwo')).not.toBe(token);
    expect(hashToken(token)).toMatch(/^[0-9a-f]{64}$/);
  });
});
