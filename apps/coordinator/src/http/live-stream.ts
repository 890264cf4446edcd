import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ChangeFeed } from '../store/change-feed.js';

/** At most one `change` per this long: a busy fleet reporting every second refreshes a page every 2 s, a quiet one never. */
export const MIN_CHANGE_INTERVAL_MS = 2000;
/** A comment line now and then, so proxies and the browser keep an idle stream open. */
const KEEPALIVE_MS = 25_000;

/**
 * `GET /v1/live`: server-sent events for one tenant. Each says only that something changed
 * (`event: change`), never what: the page refetches what it shows through the API, with the same
 * authentication and row-level security as any read.
 */
export function streamChanges(req: IncomingMessage, res: ServerResponse, feed: ChangeFeed, tenantId: string): void {
  res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store' });
  res.write(`retry: ${MIN_CHANGE_INTERVAL_MS}\n\n`);
  let last = 0;
  let timer: NodeJS.Timeout | null = null;
  const emit = () => {
    timer = null;
    last = Date.now();
    res.write('event: change\ndata: {}\n\n');
  };
  const unsubscribe = feed.subscribe(tenantId, () => {
    if (timer === null) timer = setTimeout(emit, Math.max(0, last + MIN_CHANGE_INTERVAL_MS - Date.now()));
  });
  const keepalive = setInterval(() => res.write(': keep-alive\n\n'), KEEPALIVE_MS);
  req.on('close', () => {
    unsubscribe();
    clearInterval(keepalive);
    if (timer !== null) clearTimeout(timer);
  });
}
