import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateKeyPair, makeTestBundle } from '../bundles/test-bundles.js';
import { testDrivers } from '../store/test-store.js';
import { startTestApi, type TestApi } from './test-server.js';
import { seededRandom } from '../../../../test/support/seeded-random.js';

/** Bounded and seeded: GODWIT_FUZZ_SEED replays a run, the failure message names the seed and case. */
const SEED = Number(process.env.GODWIT_FUZZ_SEED ?? 0x5eed_9a7e);
const CASES = 400;

// JSON source text, so that lone surrogates travel as the escapes a client would send.
const BAD_STRINGS = ['"nul\\u0000"', '"\\u0000"', '"\\ud800"', '"a\\udfffb"', '"\\udc00\\ud800"', `"${'x'.repeat(10_000)}"`];
const BAD_NUMBERS = ['1e-46', '-1e-46', '1e400', '-1e400', '1e308', '-1', '0', '-0', '100.0001', '1e21', '12345678901234567890', '0.5e-300', '"NaN"', '"Infinity"', '"50"', 'null', 'true', '[]', '{}'];
/** What a string field must refuse: bad text, or not a string at all. */
const BAD_FOR_STRINGS = [...BAD_STRINGS, '0', '1e400', 'null', 'true', '[]', '{}'];
const OK_STRINGS = ['"ok"', '"a-1"', '"\\ud83d\\ude00"', '"caf\\u00e9"'];
// Percent-encoded path segments: NUL, a UTF-8 encoded surrogate, bytes that are not UTF-8, odd lengths.
const BAD_SEGMENTS = ['%00', 'a%00b', '%ED%A0%80', '%FF', '%C3%28', 'a'.repeat(3000), '..%2F..', '%20', 'not-a-uuid', '-1', '1e-46'];
// Query values: the same, plus numbers no page size can be.
const BAD_QUERIES = ['%00', '%ED%A0%80', '%FF', '-1', '0', '1e-46', 'NaN', '99999999999999999999', 'x'.repeat(3000)];

type Pick = <T>(items: readonly T[]) => T;

interface FuzzCase {
  method: 'GET' | 'POST';
  path: string;
  admin: boolean;
  body?: Buffer;
}

/** A JSON object source with one field's value swapped for a bad one of its kind; the others are fine. */
function objectWith(pick: Pick, fields: Record<string, 'string' | 'number' | 'labels'>): string {
  const names = Object.keys(fields);
  const victim = pick(names);
  const parts = names.map((name) => {
    const kind = fields[name]!;
    if (name === victim) return `"${name}":${kind === 'number' ? pick(BAD_NUMBERS) : kind === 'labels' ? `{"site":${pick(BAD_FOR_STRINGS)}}` : pick(BAD_FOR_STRINGS)}`;
    if (kind === 'number') return `"${name}":50`;
    if (kind === 'labels') return `"${name}":{"site":${pick(OK_STRINGS)}}`;
    return `"${name}":${pick(OK_STRINGS)}`;
  });
  return `{${parts.join(',')}}`;
}

/** A whole body that is wrong before any field is read. */
function brokenBody(pick: Pick): Buffer {
  return pick([
    () => Buffer.concat([Buffer.from('{"name":"'), Buffer.from([0xff, 0xfe]), Buffer.from('"}')]),
    () => Buffer.concat([Buffer.from('{"id":"'), Buffer.from([0xc3, 0x28]), Buffer.from('"}')]),
    () => Buffer.from([0xed, 0xa0, 0x80]),
    () => Buffer.from('{"name":'),
    () => Buffer.from('[1,2]'),
    () => Buffer.from(`{"name":${'['.repeat(5000)}${']'.repeat(5000)}}`),
    () => Buffer.from(`{"name":"${'y'.repeat(70_000)}"}`),
    () => Buffer.from('NaN'),
    () => Buffer.from('\u0000'),
  ])();
}

function fuzzCase(pick: Pick, rollout: string): FuzzCase {
  const json = (text: string) => Buffer.from(text);
  return pick<() => FuzzCase>([
    () => ({ method: 'POST', path: '/v1/tenants', admin: true, body: json(objectWith(pick, { name: 'string' })) }),
    () => ({ method: 'POST', path: '/v1/devices', admin: false, body: json(objectWith(pick, { id: 'string', channel: 'string', labels: 'labels' })) }),
    () => ({ method: 'POST', path: '/v1/keys', admin: false, body: json(objectWith(pick, { publicKey: 'string' })) }),
    () => ({
      method: 'POST',
      path: '/v1/rollouts',
      admin: false,
      body: json(objectWith(pick, { bundle: 'string', channel: 'string', percent: 'number', failureThresholdPercent: 'number', minAttempts: 'number' })),
    }),
    () => ({ method: 'POST', path: `/v1/rollouts/${rollout}/widen`, admin: false, body: json(`{"percent":${pick(BAD_NUMBERS)}}`) }),
    () => ({ method: 'POST', path: pick(['/v1/tenants', '/v1/devices', '/v1/keys', '/v1/rollouts']), admin: pick([true, false]), body: brokenBody(pick) }),
    () => {
      const segment = pick(BAD_SEGMENTS);
      return pick<FuzzCase>([
        { method: 'GET', path: `/v1/devices/${segment}`, admin: false },
        { method: 'POST', path: `/v1/devices/${segment}/revoke`, admin: false },
        { method: 'GET', path: `/v1/devices/${segment}/events`, admin: false },
        { method: 'GET', path: `/v1/bundles/${segment}`, admin: false },
        { method: 'GET', path: `/v1/rollouts/${segment}`, admin: false },
        { method: 'POST', path: `/v1/rollouts/${segment}/pause`, admin: false },
        { method: 'POST', path: `/v1/tokens/${segment}/revoke`, admin: false },
      ]);
    },
    () => {
      const value = pick(BAD_QUERIES);
      return pick<FuzzCase>([
        { method: 'GET', path: `/v1/devices/d-1/events?limit=${value}`, admin: false },
        { method: 'GET', path: `/v1/devices/d-1/events?before=${value}`, admin: false },
        { method: 'GET', path: `/v1/tokens?tenant=${value}`, admin: true },
        { method: 'POST', path: `/v1/tokens?tenant=${value}`, admin: true },
        { method: 'GET', path: `/v1/devices?${pick(['%00', 'a%00', '%ED%A0%80', '%FF'])}=1`, admin: false },
      ]);
    },
  ])();
}

/**
 * Bytes in, the whole answer out: what a client that is not fetch can send. The socket stays open
 * for writing until the server closes it (after a refusal, or `Connection: close`): a client that
 * half-closes first may be dropped before its answer.
 */
function rawExchange(port: number, request: Buffer): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const socket = connect(port, '127.0.0.1', () => socket.write(request));
    socket.on('data', (chunk) => chunks.push(chunk));
    // A server that refuses early may reset the connection after answering: the answer still counts.
    socket.on('error', (error) => (chunks.length > 0 ? socket.destroy() : reject(error)));
    socket.on('close', () => resolve(Buffer.concat(chunks).toString('latin1')));
  });
}

describe.each(testDrivers())('HTTP validation fuzz on %s', (driver) => {
  let api: TestApi;
  let operator: string;
  let rollout: string;

  beforeAll(async () => {
    api = await startTestApi(driver);
    operator = (await api.call('POST', '/v1/tenants', api.adminToken, { name: `fuzz-${driver}` })).json.token;
    const signer = generateKeyPair();
    await api.call('POST', '/v1/keys', operator, { publicKey: signer.publicKey.export({ type: 'spki', format: 'pem' }).toString() });
    await api.call('POST', '/v1/devices', operator, { id: 'd-1', channel: 'c' });
    const bundle = makeTestBundle(signer.privateKey, ['f_0001']);
    await api.call('POST', '/v1/bundles', operator, bundle.bytes);
    rollout = (await api.call('POST', '/v1/rollouts', operator, { bundle: bundle.bundleId, channel: 'c', percent: 50 })).json.id;
  });
  afterAll(() => api.close());

  it('answers requests the HTTP parser refuses with the same one-line JSON error', async () => {
    const { port } = new URL(api.url);
    const raw = [
      Buffer.from('GET /v1/devices/\u0000 HTTP/1.1\r\nHost: x\r\n\r\n'),
      Buffer.from('GET /v1/devices HTTP/1.1\r\nHost: x\r\nX-Bad: a\u0000b\r\n\r\n'),
      Buffer.from(`GET /${'a'.repeat(20_000)} HTTP/1.1\r\nHost: x\r\n\r\n`),
      Buffer.from('NOT HTTP AT ALL\r\n\r\n'),
      Buffer.from('POST /v1/tenants HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n'),
      Buffer.concat([Buffer.from('GET /v1/devices HTTP/1.1\r\nHost: x\r\nConnection: close\r\nAuthorization: Bearer '), Buffer.from([0xff, 0xfe]), Buffer.from('\r\n\r\n')]),
    ];
    for (const request of raw) {
      const answer = await rawExchange(Number(port), request);
      const label = `${request.subarray(0, 60).toString('latin1')} -> ${answer.slice(0, 200)}`;
      const [head, body] = answer.split('\r\n\r\n');
      expect(head, label).toMatch(/^HTTP\/1\.1 4\d\d /);
      expect(head, label).toMatch(/content-type: application\/json/i);
      expect(body, label).toMatch(/^\{"error":\{"code":"[a-z-]+","message":"[^\n]+"\}\}\n$/);
    }
  });

  it(`answers ${CASES} malformed requests (seed ${SEED}) with a 4xx and a one-line JSON error, never a 500`, async () => {
    const next = seededRandom(SEED);
    const pick: Pick = (items) => items[Math.floor(next() * items.length)]!;
    for (let i = 0; i < CASES; i++) {
      const c = fuzzCase(pick, rollout);
      const res = await fetch(`${api.url}${c.path}`, {
        method: c.method,
        headers: { authorization: `Bearer ${c.admin ? api.adminToken : operator}`, ...(c.body && { 'content-type': 'application/json' }) },
        ...(c.body && { body: new Uint8Array(c.body) }),
      });
      const text = await res.text();
      const label = `seed ${SEED} case ${i}: ${c.method} ${c.path.slice(0, 120)} ${c.body?.subarray(0, 120).toString('latin1') ?? ''} -> ${res.status} ${text.slice(0, 200)}`;
      expect(res.status >= 400 && res.status < 500, label).toBe(true);
      expect(res.headers.get('content-type'), label).toMatch(/^application\/json/);
      expect(text, label).toMatch(/^[^\n]+\n$/);
      const error = JSON.parse(text).error;
      expect(typeof error.code === 'string' && typeof error.message === 'string' && !error.message.includes('\n'), label).toBe(true);
    }
    // Nothing any of them tried was stored.
    expect((await api.call('GET', '/v1/devices', operator)).json.map((d: { id: string }) => d.id)).toEqual(['d-1']);
    expect((await api.call('GET', `/v1/rollouts/${rollout}`, operator)).json.percent).toBe(50);
  });
});
