import { createServer, STATUS_CODES, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import type { Duplex } from 'node:stream';
import { CoordinatorError } from '../store/errors.js';
import type { Principal } from './auth.js';
import type { HttpDeps } from './deps.js';
import { HTTP_STATUS } from './error-status.js';
import { matchRoute, type Reply, type Route } from './router.js';
import { bundleRoutes } from './routes/bundles.js';
import { dashboardRoutes } from './routes/dashboard.js';
import { deviceRoutes } from './routes/devices.js';
import { keyRoutes } from './routes/keys.js';
import { rolloutRoutes } from './routes/rollouts.js';
import { serviceRoutes } from './routes/service.js';
import { tenantRoutes } from './routes/tenants.js';
import { tokenRoutes } from './routes/tokens.js';
import { authenticateCaller, findSession, readSessionId } from './session.js';
import { setSecurityHeaders, StaticFiles } from './static-files.js';
import { checkPathParams, checkQuery } from './validate.js';

/** The server's certificate (with any intermediates) and private key, PEM. */
export interface HttpsCredentials {
  cert: Buffer;
  key: Buffer;
}

/**
 * The coordinator's HTTP API (apps/coordinator/openapi.json), over HTTPS when given credentials.
 * Errors: `{ "error": { "code", "message" } }`.
 */
export function createHttpServer(deps: HttpDeps, onError: (error: unknown) => void = () => {}, tls?: HttpsCredentials): Server | HttpsServer {
  const pages = new StaticFiles();
  const routes: Route[] = [
    ...serviceRoutes(deps),
    ...tenantRoutes(deps),
    ...tokenRoutes(deps),
    ...keyRoutes(deps),
    ...deviceRoutes(deps),
    ...bundleRoutes(deps),
    ...rolloutRoutes(deps),
    ...dashboardRoutes(deps),
  ];
  const listener = (req: IncomingMessage, res: ServerResponse) => {
    setSecurityHeaders(res);
    handle(routes, deps, pages, req, res).catch((error) => {
      if (!(error instanceof CoordinatorError)) onError(error);
      send(res, toReply(error), req);
    });
  };
  const server = tls ? createHttpsServer(tls, listener) : createServer(listener);
  server.on('clientError', answerUnparsable);
  return server;
}

/**
 * A request Node's parser refuses (a NUL or other bad byte in the request line or a header, headers
 * over the size limit) never reaches a route; it still gets the API's one-line JSON error.
 */
function answerUnparsable(error: NodeJS.ErrnoException, socket: Duplex): void {
  if (!socket.writable || error.code === 'ECONNRESET') {
    socket.destroy();
    return;
  }
  const refusal =
    error.code === 'HPE_HEADER_OVERFLOW'
      ? new CoordinatorError('too-large', 'request: headers larger than the limit')
      : new CoordinatorError('invalid-request', 'request: not a well-formed HTTP request');
  const status = HTTP_STATUS[refusal.code];
  const body = `${JSON.stringify({ error: { code: refusal.code, message: refusal.message } })}\n`;
  socket.end(`HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\ncontent-type: application/json; charset=utf-8\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`);
}

async function handle(routes: Route[], deps: HttpDeps, pages: StaticFiles, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const { pathname, search } = new URL(req.url ?? '/', 'http://localhost');
  const match = matchRoute(routes, req.method ?? 'GET', pathname);
  if (!match) {
    const sessionId = readSessionId(req);
    const signedIn = sessionId !== undefined && (await findSession(deps.store.sessions, sessionId)) !== null;
    if (await pages.serve(req, res, pathname, signedIn)) return;
    throw new CoordinatorError('not-found', `no route ${req.method} ${pathname}`);
  }
  if ('allowed' in match) {
    res.setHeader('allow', match.allowed.join(', '));
    send(res, { status: 405, json: { error: { code: 'invalid-request', message: `${req.method} is not allowed on ${pathname}` } } }, req);
    return;
  }
  checkPathParams(match.route.path, match.params);
  checkQuery(search);
  let principal: Promise<Principal> | undefined;
  const reply = await match.route.handle({
    req,
    params: match.params,
    principal: () => (principal ??= authenticateCaller(req, deps.adminToken, deps.store.tokens, deps.store.sessions)),
  });
  send(res, reply, req);
  // A write an operator did changes that tenant's fleet: live pages refresh.
  const caller = req.method !== 'GET' && principal ? await principal : undefined;
  if (caller?.kind === 'operator') deps.store.changes.changed([caller.tenantId]);
}

function toReply(error: unknown): Reply {
  const known = error instanceof CoordinatorError ? error : new CoordinatorError('internal', 'internal error');
  return { status: HTTP_STATUS[known.code], json: { error: { code: known.code, message: known.message } } };
}

function send(res: ServerResponse, reply: Reply, req: IncomingMessage): void {
  if ('stream' in reply) return reply.stream(res);
  const body = 'json' in reply ? `${JSON.stringify(reply.json)}\n` : reply.text;
  res.statusCode = reply.status ?? 200;
  res.setHeader('content-type', 'json' in reply ? 'application/json; charset=utf-8' : reply.contentType);
  res.setHeader('content-length', Buffer.byteLength(body));
  for (const [name, value] of Object.entries(reply.headers ?? {})) res.setHeader(name, value);
  // An unread request body (a refused upload) must not keep the connection half-used.
  if (!req.complete) res.setHeader('connection', 'close');
  res.end(body);
}
