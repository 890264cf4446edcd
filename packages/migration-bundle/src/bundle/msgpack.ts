import { FLOAT32_OPTIONS, Packr, Unpackr } from 'msgpackr';
import { BundleError } from './errors.js';
import { scanMessagePack } from './msgpack-scan.js';

// Plain MessagePack only: records, structured clone, bundled strings, typed arrays and `undefined`
// would each make msgpackr emit one of its extension types, which the strict decoder refuses.
const packr = new Packr({
  useRecords: false,
  moreTypes: false,
  structuredClone: false,
  bundleStrings: false,
  variableMapSize: true,
  useFloat32: FLOAT32_OPTIONS.NEVER,
});

const unpackr = new Unpackr({
  useRecords: false,
  moreTypes: false,
  structuredClone: false,
  bundleStrings: false,
  mapsAsObjects: true,
  int64AsType: 'number',
});

/**
 * Encodes plain data deterministically: object keys sorted, `undefined` properties left out, so
 * equal values always give equal bytes.
 */
export function encodeCanonical(value: unknown): Uint8Array {
  return Uint8Array.from(packr.pack(canonicalize(value)));
}

/**
 * Decodes one MessagePack value after checking its bytes are well formed, hold no extension type,
 * no non-string or duplicate map key, no invalid UTF-8 and nothing after the value.
 */
export function decodeStrict(bytes: Uint8Array, what: string): unknown {
  scanMessagePack(bytes, what);
  try {
    return unpackr.unpack(bytes);
  } catch (error) {
    throw new BundleError('malformed', `${what}: ${String((error as Error).message).split('\n')[0]}`);
  }
}

function canonicalize(value: unknown): unknown {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new TypeError(`cannot encode the number ${value}`);
    return value;
  }
  if (value instanceof Uint8Array) return value;
  if (Array.isArray(value)) return value.map(canonicalize);
  if (typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) {
      const field = (value as Record<string, unknown>)[key];
      if (field !== undefined) out[key] = canonicalize(field);
    }
    return out;
  }
  throw new TypeError(`cannot encode a ${typeof value} in a bundle`);
}
