import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

// A device secret is 192 random bits, so no work factor is what stops guessing it: the hash only
// has to be one-way. Every MQTT connect verifies one, and 5,000 devices reconnecting at once on a
// two-core machine cost 5,000 verifications: N=2^10, r=1 (about 1 ms here) keeps that to seconds,
// where scrypt's interactive-login N=2^14, r=8 (about 135 ms here) would take minutes. The
// parameters are stored with each hash, so raising them later leaves existing devices working.
const PARAMS = { N: 1024, r: 1, p: 1 } as const;
const KEY_LENGTH = 32;

function derive(secret: string, salt: Buffer, options: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(secret, salt, KEY_LENGTH, { ...options, maxmem: 64 * 1024 * 1024 }, (error, key) => (error ? reject(error) : resolve(key)));
  });
}

export function newDeviceSecret(): string {
  return randomBytes(24).toString('base64url');
}

/** `scrypt$N$r$p$salt$hash`, salt and hash base64url. */
export async function hashSecret(secret: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await derive(secret, salt, PARAMS);
  return ['scrypt', PARAMS.N, PARAMS.r, PARAMS.p, salt.toString('base64url'), key.toString('base64url')].join('$');
}

export async function verifySecret(secret: string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, salt, hash] = stored.split('$');
  if (scheme !== 'scrypt' || !salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64url');
  const key = await derive(secret, Buffer.from(salt, 'base64url'), { N: Number(n), r: Number(r), p: Number(p) });
  return key.length === expected.length && timingSafeEqual(key, expected);
}
