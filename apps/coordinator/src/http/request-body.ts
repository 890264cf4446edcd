import type { IncomingMessage } from 'node:http';
import { CoordinatorError } from '../store/errors.js';
import { checkJsonText } from './validate.js';

const UTF8 = new TextDecoder('utf-8', { fatal: true });

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
  let text: string;
  try {
    text = UTF8.decode(body);
  } catch {
    // Decoding leniently would store U+FFFD in place of the bad bytes.
    throw new CoordinatorError('invalid-request', 'body: not valid UTF-8');
  }
  let value: unknown;
  try {
    value = JSON.parse(text || 'null');
  } catch {
    throw new CoordinatorError('invalid-request', 'body: not valid JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new CoordinatorError('invalid-request', 'body: expected a JSON object');
  }
  checkJsonText(value, '');
  return value as Record<string, unknown>;
}

function tooLarge(maxBytes: number): CoordinatorError {
  return new CoordinatorError('too-large', `body: larger than the limit of ${maxBytes} bytes`);
}
