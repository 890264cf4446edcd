import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Principal } from './auth.js';

export interface RequestContext {
  req: IncomingMessage;
  params: Record<string, string>;
  /** Resolves the bearer token or the session cookie; only routes that need a caller call it. */
  principal(): Promise<Principal>;
}

/**
 * A JSON value to send (200 unless `status` says otherwise), or raw text; `headers` are added to the
 * response. Or a stream the route writes itself until the client goes (server-sent events).
 */
export type Reply =
  | (({ status?: number; json: unknown } | { status?: number; text: string; contentType: string }) & { headers?: Record<string, string> })
  | { stream(res: ServerResponse): void };

export interface Route {
  method: 'GET' | 'POST';
  /** Segments; `:name` captures one (URL-decoded). */
  path: string;
  handle(ctx: RequestContext): Promise<Reply>;
}

export type Match = { route: Route; params: Record<string, string> } | { allowed: string[] } | null;

export function matchRoute(routes: readonly Route[], method: string, pathname: string): Match {
  const parts = pathname.split('/').filter(Boolean);
  const allowed: string[] = [];
  for (const route of routes) {
    const pattern = route.path.split('/').filter(Boolean);
    if (pattern.length !== parts.length) continue;
    const params: Record<string, string> = {};
    const ok = pattern.every((p, i) => {
      if (p.startsWith(':')) {
        const value = decode(parts[i]!);
        if (value !== null) params[p.slice(1)] = value;
        return value !== null;
      }
      return p === parts[i];
    });
    if (!ok) continue;
    if (route.method === method) return { route, params };
    allowed.push(route.method);
  }
  return allowed.length ? { allowed } : null;
}

function decode(segment: string): string | null {
  try {
    return decodeURIComponent(segment);
  } catch {
    return null;
  }
}
