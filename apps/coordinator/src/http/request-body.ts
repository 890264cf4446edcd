import type { IncomingMessage } from 'node:http';
import { CoordinatorError } from '../store/errors.js';

/** JSON bodies are small; bundles get their own, larger cap. */
export const MAX_JSON_BYTES = 64 * 1024;

/** The whole body, refused as `too-large` as soon as it passes `maxBytes` (the rest is not read). */
export async function readBody(req: IncomingMessage, maxBytes: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes) throw tooLarge(maxBytes);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > maxBytes) throw tooLarge(maxBytes);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

export async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  const body = await readBody(req, MAX_JSON_BYTES);
  let value: unknown;
  try {
    value = JSON.parse(body.toString('utf8') || 'null');
  } catch {
    throw new CoordinatorError('invalid-request', 'body: not valid JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new CoordinatorError('invalid-request', 'body: expected a JSON object');
  }
  return value as Record<string, unknown>;
}

function tooLarge(maxBytes: number): CoordinatorError {
  return new CoordinatorError('too-large', `body: larger than the limit of ${maxBytes} bytes`);
}
