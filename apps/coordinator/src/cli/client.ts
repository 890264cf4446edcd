import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { rootCertificates } from 'node:tls';
import { CoordinatorError, ERROR_CODES, type ErrorCode } from '../store/errors.js';

export const DEFAULT_SERVER = 'http://127.0.0.1:8080';

export interface ApiClientOptions {
  /** PEM of a private CA that signed an https server's certificate, trusted besides the usual roots. */
  ca?: string | undefined;
}

interface RawResponse {
  status: number;
  text: string;
}

/** The coordinator's HTTP API as the CLI uses it, over http or https: errors come back as the service's CoordinatorError. */
export class ApiClient {
  private readonly ca: string[] | undefined;

  constructor(
    private readonly server: string,
    private readonly token: string | undefined,
    options: ApiClientOptions = {},
  ) {
    this.ca = options.ca === undefined ? undefined : [...rootCertificates, options.ca];
  }

  get<T>(path: string): Promise<T> {
    return this.request('GET', path);
  }

  post<T>(path: string, body?: unknown): Promise<T> {
    return this.request('POST', path, body);
  }

  private async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = {};
    if (this.token) headers.authorization = `Bearer ${this.token}`;
    let payload: Buffer | undefined;
    if (body instanceof Uint8Array) {
      headers['content-type'] = 'application/octet-stream';
      payload = Buffer.from(body.buffer, body.byteOffset, body.byteLength);
    } else if (body !== undefined) {
      headers['content-type'] = 'application/json';
      payload = Buffer.from(JSON.stringify(body));
    }
    if (payload) headers['content-length'] = String(payload.byteLength);
    let res: RawResponse;
    try {
      res = await this.send(method, new URL(path, this.server), headers, payload);
    } catch (error) {
      throw new Error(`cannot reach ${this.server}: ${reason(error as NodeJS.ErrnoException)}`);
    }
    let json: unknown;
    try {
      json = JSON.parse(res.text);
    } catch {
      throw new Error(`${this.server} answered ${res.status} with something that is not JSON`);
    }
    if (res.status < 200 || res.status > 299) throw toError(res.status, json);
    return json as T;
  }

  private send(method: string, url: URL, headers: Record<string, string>, payload: Buffer | undefined): Promise<RawResponse> {
    return new Promise((resolve, reject) => {
      const options = { method, headers, ...(this.ca && { ca: this.ca }) };
      const req = (url.protocol === 'https:' ? httpsRequest : httpRequest)(url, options, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', reject);
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
      });
      req.on('error', reject);
      req.end(payload);
    });
  }
}

/** The socket or TLS failure in a few words; a certificate the client cannot check gets the way to trust it. */
function reason(error: NodeJS.ErrnoException): string {
  const what = error.code ?? error.message;
  if (/CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ALTNAME/.test(what)) return `${what} (${error.message}); a private CA: --ca FILE or GODWIT_CA`;
  return what;
}

function toError(status: number, json: unknown): CoordinatorError {
  const error = (json as { error?: { code?: unknown; message?: unknown } }).error;
  const code = ERROR_CODES.includes(error?.code as ErrorCode) ? (error!.code as ErrorCode) : 'internal';
  return new CoordinatorError(code, typeof error?.message === 'string' ? error.message : `HTTP ${status}`);
}
