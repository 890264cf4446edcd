import { CoordinatorError, ERROR_CODES, type ErrorCode } from '../store/errors.js';

export const DEFAULT_SERVER = 'http://127.0.0.1:8080';

/** The coordinator's HTTP API as the CLI uses it: errors come back as the service's CoordinatorError. */
export class ApiClient {
  constructor(
    private readonly server: string,
    private readonly token: string | undefined,
  ) {}

  get<T>(path: string): Promise<T> {
    return this.request('GET', path);
  }

  post<T>(path: string, body?: unknown): Promise<T> {
    return this.request('POST', path, body);
  }

  private async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = {};
    if (this.token) headers.authorization = `Bearer ${this.token}`;
    let payload: Uint8Array<ArrayBuffer> | string | undefined;
    if (body instanceof Uint8Array) {
      headers['content-type'] = 'application/octet-stream';
      payload = new Uint8Array(body);
    } else if (body !== undefined) {
      headers['content-type'] = 'application/json';
      payload = JSON.stringify(body);
    }
    let res: Response;
    try {
      res = await fetch(new URL(path, this.server), { method, headers, ...(payload !== undefined && { body: payload }) });
    } catch (error) {
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      throw new Error(`cannot reach ${this.server}: ${cause?.code ?? cause?.message ?? (error as Error).message}`);
    }
    const text = await res.text();
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new Error(`${this.server} answered ${res.status} with something that is not JSON`);
    }
    if (!res.ok) throw toError(res.status, json);
    return json as T;
  }
}

function toError(status: number, json: unknown): CoordinatorError {
  const error = (json as { error?: { code?: unknown; message?: unknown } }).error;
  const code = ERROR_CODES.includes(error?.code as ErrorCode) ? (error!.code as ErrorCode) : 'internal';
  return new CoordinatorError(code, typeof error?.message === 'string' ? error.message : `HTTP ${status}`);
}
