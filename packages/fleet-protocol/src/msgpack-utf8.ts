/**
 * msgpackr decodes a str whose bytes are not UTF-8 into U+FFFD replacement characters, so the
 * decoded value can no longer tell a corrupt string from a real U+FFFD. This walks the encoded
 * bytes of one msgpack value and checks every str (values and map keys alike).
 */
import { isUtf8 } from 'node:buffer';

/** Sizes of the fixed-length types after their type byte (ints, floats, fixext). */
const FIXED: Record<number, number> = {
  0xca: 4, 0xcb: 8, 0xcc: 1, 0xcd: 2, 0xce: 4, 0xcf: 8, 0xd0: 1, 0xd1: 2, 0xd2: 4, 0xd3: 8,
  0xd4: 2, 0xd5: 3, 0xd6: 5, 0xd7: 9, 0xd8: 17,
};

/**
 * False when some msgpack str in the first value of `bytes` is not well-formed UTF-8. Structure is
 * the decoder's business: a value cut short counts as true here and is refused when decoded.
 */
export function msgpackStringsAreUtf8(bytes: Uint8Array): boolean {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const uint = (at: number, size: number) => (size === 1 ? view.getUint8(at) : size === 2 ? view.getUint16(at) : view.getUint32(at));
  let at = 0;
  // Values still to read: a map or array adds its entries.
  let remaining = 1;
  try {
    while (remaining > 0 && at < bytes.byteLength) {
      remaining--;
      const type = bytes[at]!;
      if (type <= 0x7f || type >= 0xe0 || (type >= 0xc0 && type <= 0xc3)) at += 1;
      else if (type <= 0x8f) (remaining += 2 * (type & 0x0f)), (at += 1);
      else if (type <= 0x9f) (remaining += type & 0x0f), (at += 1);
      else if (type <= 0xbf || (type >= 0xd9 && type <= 0xdb)) {
        const size = type <= 0xbf ? 0 : 1 << (type - 0xd9);
        const length = size === 0 ? type & 0x1f : uint(at + 1, size);
        const start = at + 1 + size;
        at = start + length;
        if (at <= bytes.byteLength && !isUtf8(bytes.subarray(start, at))) return false;
      } else if (type >= 0xc4 && type <= 0xc6) {
        const size = 1 << (type - 0xc4);
        at += 1 + size + uint(at + 1, size);
      } else if (type >= 0xc7 && type <= 0xc9) {
        const size = 1 << (type - 0xc7);
        at += 2 + size + uint(at + 1, size);
      } else if (type === 0xdc || type === 0xdd) {
        const size = type === 0xdc ? 2 : 4;
        remaining += uint(at + 1, size);
        at += 1 + size;
      } else if (type === 0xde || type === 0xdf) {
        const size = type === 0xde ? 2 : 4;
        remaining += 2 * uint(at + 1, size);
        at += 1 + size;
      } else at += 1 + FIXED[type]!;
    }
  } catch (error) {
    if (error instanceof RangeError) return true;
    throw error;
  }
  return true;
}
