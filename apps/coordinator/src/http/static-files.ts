import { readFile } from 'node:fs/promises';
import { extname, join, resolve, sep } from 'node:path';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { fileURLToPath } from 'node:url';

/** apps/dashboard/dist, from src/http or dist/http alike. */
export const DASHBOARD_DIR = fileURLToPath(new URL('../../../dashboard/dist', import.meta.url));

/** Every page and asset: scripts and styles from this origin only (no inline script), never framed. */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
};

/** Headers every response carries, API and pages alike. */
export function setSecurityHeaders(res: ServerResponse): void {
  res.setHeader('content-security-policy', CONTENT_SECURITY_POLICY);
  res.setHeader('x-content-type-options', 'nosniff');
  res.setHeader('x-frame-options', 'DENY');
  res.setHeader('referrer-policy', 'no-referrer');
}

/**
 * The dashboard's built files. Paths under /assets/ are files (content-hashed names, cached for a
 * year); any other path is a page of the single-page app and gets index.html, or a redirect to
 * /sign-in when the caller has no session.
 */
export class StaticFiles {
  private readonly root: string;

  constructor(root: string = DASHBOARD_DIR) {
    this.root = resolve(root);
  }

  /** Answers a GET or HEAD that no API route took; false when it is not the dashboard's either. */
  async serve(req: IncomingMessage, res: ServerResponse, pathname: string, signedIn: boolean): Promise<boolean> {
    if ((req.method !== 'GET' && req.method !== 'HEAD') || pathname.startsWith('/v1/')) return false;
    const asset = pathname.startsWith('/assets/') || pathname === '/favicon.svg';
    if (!asset && !signedIn && pathname !== '/sign-in') {
      res.statusCode = 303;
      // The page asked for comes back after signing in (the sign-in page accepts only a path of its own).
      const asked = req.url ?? '/';
      res.setHeader('location', asked === '/' ? '/sign-in' : `/sign-in?next=${encodeURIComponent(asked)}`);
      res.setHeader('cache-control', 'no-store');
      res.end();
      return true;
    }
    const file = asset ? this.resolveAsset(pathname) : join(this.root, 'index.html');
    if (file === null) return false;
    let body: Buffer;
    try {
      body = await readFile(file);
    } catch {
      if (asset) return false;
      body = Buffer.from('The dashboard is not built: run npm run build.\n');
      res.statusCode = 503;
      res.setHeader('content-type', 'text/plain; charset=utf-8');
      res.end(body);
      return true;
    }
    res.statusCode = 200;
    res.setHeader('content-type', TYPES[extname(file)] ?? 'application/octet-stream');
    res.setHeader('content-length', body.length);
    res.setHeader('cache-control', asset ? 'public, max-age=31536000, immutable' : 'no-store');
    res.end(req.method === 'HEAD' ? undefined : body);
    return true;
  }

  /** The file under the root that the path names, or null for anything that would leave it. */
  private resolveAsset(pathname: string): string | null {
    let decoded: string;
    try {
      decoded = decodeURIComponent(pathname);
    } catch {
      return null;
    }
    if (decoded.includes('\0') || decoded.includes('\\') || decoded.split('/').some((part) => part === '..' || part === '.')) return null;
    const file = resolve(this.root, `.${decoded}`);
    return file.startsWith(this.root + sep) ? file : null;
  }
}
