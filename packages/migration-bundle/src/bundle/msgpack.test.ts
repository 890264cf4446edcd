import { Packr } from 'msgpackr';
import { describe, expect, it } from 'vitest';
import { BundleError } from './errors.js';
import { decodeStrict, encodeCanonical } from './msgpack.js';

function refusal(bytes: Uint8Array): string {
  try {
    decodeStrict(bytes, 'test');
  } catch (error) {
    expect(error).toBeInstanceOf(BundleError);
    expect((error as BundleError).code).toBe('malformed');
    return (error as BundleError).message;
  }
  throw new Error('expected the bytes to be refused');
}

const hex = (text: string) => Uint8Array.from(Buffer.from(text.replace(/\s/g, ''), 'hex'));

describe('encodeCanonical', () => {
  it('gives the same bytes whatever the key order, and leaves undefined properties out', () => {
    const a = encodeCanonical({ b: 1, a: { y: [1, 'x'], x: null }, c: undefined });
    const b = encodeCanonical({ a: { x: null, y: [1, 'x'] }, b: 1 });
    expect(Buffer.from(a).equals(b)).toBe(true);
    expect(decodeStrict(a, 'test')).toEqual({ a: { x: null, y: [1, 'x'] }, b: 1 });
  });

  it('round-trips large integers, binary and unicode', () => {
    const value = { n: Date.UTC(2030, 0, 1), max: Number.MAX_SAFE_INTEGER, neg: -5, bin: Uint8Array.of(0, 255), s: 'zü😀' };
    const decoded = decodeStrict(encodeCanonical(value), 'test') as typeof value;
    expect({ ...decoded, bin: Uint8Array.from(decoded.bin) }).toEqual(value);
  });

  it('refuses values that would need an extension type', () => {
    for (const value of [new Date(), 10n, new Set([1]), new Map(), Number.NaN]) {
      expect(() => encodeCanonical({ value })).toThrow(TypeError);
    }
  });
});

describe('decodeStrict', () => {
  it('refuses every MessagePack extension type, including the ones msgpackr understands', () => {
    const defaultPackr = new Packr();
    const samples = [
      hex('d4 00 00'), // msgpackr: undefined
      hex('d6 ff 00000001'), // timestamp
      hex('c7 01 05 00'),
      hex('c8 0001 05 00'),
      hex('c9 00000001 05 00'),
      hex('d5 01 0000'),
      hex('d7 01 0000000000000000'),
      hex('d8 01 00000000000000000000000000000000'),
      defaultPackr.pack({ when: new Date(0) }),
      defaultPackr.pack({ set: new Set([1]) }),
      new Packr({ useRecords: true }).pack([{ a: 1 }, { a: 2 }]),
    ];
    for (const bytes of samples) expect(refusal(bytes)).toMatch(/extension/);
  });

  it('refuses non-string and duplicate map keys', () => {
    expect(refusal(hex('81 01 02'))).toMatch(/not a string/);
    expect(refusal(hex('82 a161 01 a161 02'))).toMatch(/duplicate map key "a"/);
  });

  it('refuses invalid UTF-8, in values and in keys', () => {
    expect(refusal(hex('a2 c328'))).toMatch(/UTF-8/);
    expect(refusal(hex('81 a1ff 01'))).toMatch(/UTF-8/);
  });

  it('refuses truncation, trailing bytes, the unused type byte and empty input', () => {
    expect(refusal(hex('92 01'))).toMatch(/truncated/);
    expect(refusal(hex('db ffffffff 61'))).toMatch(/truncated/);
    expect(refusal(hex('dd ffffffff 01'))).toMatch(/truncated/);
    expect(refusal(hex('01 02'))).toMatch(/1 bytes after/);
    expect(refusal(hex('c1'))).toMatch(/invalid type byte/);
    expect(refusal(new Uint8Array())).toMatch(/truncated/);
  });

  it('refuses deep nesting without exhausting the stack', () => {
    const deep = new Uint8Array(100_000).fill(0x91);
    expect(refusal(deep)).toMatch(/nested deeper/);
  });
});
