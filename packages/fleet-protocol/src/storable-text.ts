/**
 * Strings PostgreSQL cannot store: text and jsonb refuse the NUL character, and UTF-8 has no
 * encoding for a lone UTF-16 surrogate. A report holding one anywhere (a value or a map key, at any
 * depth) is refused whole, before it can reach a write it would make fail.
 */

// With the u flag, a surrogate pair is one code point: only lone surrogates match.
const NUL_OR_LONE_SURROGATE = /[\u0000\p{Cs}]/u;

export function isStorableText(text: string): boolean {
  return !NUL_OR_LONE_SURROGATE.test(text);
}

/** The path of the first string in `value` that is not storable text, or null. */
export function firstUnstorableString(value: unknown, root: string): string | null {
  // Iterative: a hostile value may nest deeper than the call stack.
  const stack: [unknown, string][] = [[value, root]];
  while (stack.length > 0) {
    const [item, where] = stack.pop()!;
    if (typeof item === 'string') {
      if (!isStorableText(item)) return where;
    } else if (Array.isArray(item)) {
      item.forEach((entry, i) => stack.push([entry, `${where}[${i}]`]));
    } else if (typeof item === 'object' && item !== null && !(item instanceof Uint8Array)) {
      for (const [key, entry] of Object.entries(item)) {
        if (!isStorableText(key)) return `${where}: a field name`;
        stack.push([entry, `${where}.${key.slice(0, 40)}`]);
      }
    }
  }
  return null;
}
