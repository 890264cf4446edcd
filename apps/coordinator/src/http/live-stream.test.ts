import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from './test-server.js';

/** An open `GET /v1/live` stream and everything it has sent so far. */
interface Stream {
  text(): string;
  /** Resolves once the stream has sent `count` change events (rejects after 20 s). */
  changes(count: number): Promise<void>;
  close(): void;
}

async function openStream(url: string, token: string): Promise<Stream> {
  const abort = new AbortController();
  const res = await fetch(`${url}/v1/live`, { headers: { authorization: `Bearer ${token}` }, signal: abort.signal });
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
  let text = '';
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  void (async () => {
    for (;;) {
      const chunk = await reader.read().catch(() => ({ done: true, value: undefined }));
      if (chunk.done) return;
      text += decoder.decode(chunk.value, { stream: true });
    }
  })();
  const count = () => text.split('event: change\n').length - 1;
  return {
    text: () => text,
    async changes(wanted) {
      for (const deadline = Date.now() + 20_000; count() < wanted; await new Promise((r) => setTimeout(r, 50))) {
        if (Date.now() > deadline) throw new Error(`${count()} change events, waiting for ${wanted}`);
      }
    },
    close: () => abort.abort(),
  };
}

describe('the live stream (GET /v1/live)', () => {
  let api: TestApi;
  let a: { id: string; token: string };
  let b: { id: string; token: string };

  beforeAll(async () => {
    api = await startTestApi('pglite');
    a = (await api.call('POST', '/v1/tenants', api.adminToken, { name: 'a' })).json;
    b = (await api.call('POST', '/v1/tenants', api.adminToken, { name: 'b' })).json;
    await api.call('POST', '/v1/devices', a.token, { id: 'pump-1' });
  });
  afterAll(() => api?.close());

  it("tells a tenant's pages that its fleet changed (a stored report, an operator's write), and no other tenant's", async () => {
    const streamA = await openStream(api.url, a.token);
    const streamB = await openStream(api.url, b.token);
    await api.store.writeReports(
      [{ tenantId: a.id, deviceId: 'pump-1', counter: 1, revision: null, fingerprint: 'f'.repeat(64), bundleSequence: null, lastResults: [], schema: null, receivedAt: new Date() }],
      [],
    );
    await streamA.changes(1);
    expect((await api.call('POST', '/v1/devices', a.token, { id: 'pump-2' })).status).toBe(201);
    await streamA.changes(2);
    expect(streamB.text()).toBe('retry: 2000\n\n');

    expect((await api.call('POST', '/v1/devices', b.token, { id: 'pump-9' })).status).toBe(201);
    await streamB.changes(1);
    expect(streamB.text()).not.toContain('pump');
    streamA.close();
    streamB.close();
  });

  it('needs an operator token or session, and takes no parameters', async () => {
    expect((await api.call('GET', '/v1/live', null)).status).toBe(401);
    expect((await api.call('GET', '/v1/live', api.adminToken)).status).toBe(403);
    for (const query of ['since=1', '%00=1', 'x=%ED%A0%80']) {
      const refused = await api.call('GET', `/v1/live?${query}`, a.token);
      expect(refused.status, query).toBe(400);
      expect(refused.json.error.message).toMatch(/^[^\n]+$/);
    }
  });
});
