import { BundleError, quoted } from './errors.js';

/** Deeper than any manifest needs; keeps hostile nesting from exhausting the stack. */
const MAX_DEPTH = 32;

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Walks MessagePack bytes without building values and throws a `malformed` BundleError unless they
 * hold exactly one value of the plain MessagePack types: no extension types (msgpackr gives some of
 * them meanings such as records or `undefined`), map keys that are unique strings, valid UTF-8.
 * Every length is checked against the bytes left, so no input makes it allocate or loop for long.
 */
export function scanMessagePack(bytes: Uint8Array, what: string): void {
  const scanner = new Scanner(bytes, what);
  const end = scanner.value(0, 0);
  if (end !== bytes.length) scanner.fail(end, `${bytes.length - end} bytes after the end of the value`);
}

class Scanner {
  private readonly view: DataView;

  constructor(
    private readonly bytes: Uint8Array,
    private readonly what: string,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  fail(at: number, problem: string): never {
    throw new BundleError('malformed', `${this.what}: ${problem} (at byte ${at})`);
  }

  /** Returns the position just after the value that starts at `at`. */
  value(at: number, depth: number): number {
    if (depth > MAX_DEPTH) this.fail(at, `nested deeper than ${MAX_DEPTH} levels`);
    const token = this.byte(at);
    const next = at + 1;
    if (token <= 0x7f || token >= 0xe0) return next; // fixint
    if (token <= 0x8f) return this.map(next, token & 0x0f, depth);
    if (token <= 0x9f) return this.array(next, token & 0x0f, depth);
    if (token <= 0xbf) return this.string(next, token & 0x1f);
    switch (token) {
      case 0xc0: // nil
      case 0xc2: // false
      case 0xc3: // true
        return next;
      case 0xc4:
        return this.skip(next + 1, this.length(next, 1));
      case 0xc5:
        return this.skip(next + 2, this.length(next, 2));
      case 0xc6:
        return this.skip(next + 4, this.length(next, 4));
      case 0xca:
        return this.skip(next, 4);
      case 0xcb:
        return this.skip(next, 8);
      case 0xcc:
      case 0xd0:
        return this.skip(next, 1);
      case 0xcd:
      case 0xd1:
        return this.skip(next, 2);
      case 0xce:
      case 0xd2:
        return this.skip(next, 4);
      case 0xcf:
      case 0xd3:
        return this.skip(next, 8);
      case 0xd9:
        return this.string(next + 1, this.length(next, 1));
      case 0xda:
        return this.string(next + 2, this.length(next, 2));
      case 0xdb:
        return this.string(next + 4, this.length(next, 4));
      case 0xdc:
        return this.array(next + 2, this.length(next, 2), depth);
      case 0xdd:
        return this.array(next + 4, this.length(next, 4), depth);
      case 0xde:
        return this.map(next + 2, this.length(next, 2), depth);
      case 0xdf:
        return this.map(next + 4, this.length(next, 4), depth);
      case 0xc7:
      case 0xc8:
      case 0xc9:
      case 0xd4:
      case 0xd5:
      case 0xd6:
      case 0xd7:
      case 0xd8:
        return this.fail(at, 'MessagePack extension types are not allowed');
      default: // 0xc1 is never used
        return this.fail(at, `invalid type byte 0x${token.toString(16)}`);
    }
  }

  private array(at: number, count: number, depth: number): number {
    let position = at;
    for (let i = 0; i < count; i++) position = this.value(position, depth + 1);
    return position;
  }

  private map(at: number, count: number, depth: number): number {
    const keys = new Set<string>();
    let position = at;
    for (let i = 0; i < count; i++) {
      const key = this.key(position);
      if (keys.has(key.text)) this.fail(position, `duplicate map key ${quoted(key.text)}`);
      keys.add(key.text);
      position = this.value(key.end, depth + 1);
    }
    return position;
  }

  private key(at: number): { text: string; end: number } {
    const token = this.byte(at);
    let start: number;
    let size: number;
    if (token >= 0xa0 && token <= 0xbf) [start, size] = [at + 1, token & 0x1f];
    else if (token === 0xd9) [start, size] = [at + 2, this.length(at + 1, 1)];
    else if (token === 0xda) [start, size] = [at + 3, this.length(at + 1, 2)];
    else if (token === 0xdb) [start, size] = [at + 5, this.length(at + 1, 4)];
    else return this.fail(at, 'map key is not a string');
    const end = this.skip(start, size);
    return { text: this.text(start, end), end };
  }

  private string(at: number, size: number): number {
    const end = this.skip(at, size);
    this.text(at, end);
    return end;
  }

  private text(start: number, end: number): string {
    try {
      return utf8.decode(this.bytes.subarray(start, end));
    } catch {
      return this.fail(start, 'string is not valid UTF-8');
    }
  }

  private length(at: number, width: 1 | 2 | 4): number {
    this.skip(at, width);
    if (width === 1) return this.view.getUint8(at);
    if (width === 2) return this.view.getUint16(at);
    return this.view.getUint32(at);
  }

  private skip(at: number, size: number): number {
    if (at + size > this.bytes.length) this.fail(at, 'truncated');
    return at + size;
  }

  private byte(at: number): number {
    const value = this.bytes[at];
    if (value === undefined) return this.fail(at, 'truncated');
    return value;
  }
}
