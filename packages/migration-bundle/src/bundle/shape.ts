import { BundleError, quoted } from './errors.js';

/**
 * A validator: returns `value` as a `T` (a fresh copy holding only the fields `T` defines) or throws
 * a `malformed` BundleError naming the path of the first field that does not fit.
 */
export type Shape<T> = (value: unknown, path: string) => T;

export type ShapeOf<S> = S extends Shape<infer T> ? T : never;

type Fields = Record<string, Shape<unknown>>;

type ObjectOf<R extends Fields, O extends Fields> = { [K in keyof R]: ShapeOf<R[K]> } & {
  [K in keyof O]?: ShapeOf<O[K]>;
};

function refuse(path: string, expected: string): never {
  throw new BundleError('malformed', `${path}: expected ${expected}`);
}

export const string: Shape<string> = (value, path) =>
  typeof value === 'string' ? value : refuse(path, 'a string');

export const boolean: Shape<boolean> = (value, path) =>
  typeof value === 'boolean' ? value : refuse(path, 'true or false');

export function matching(pattern: RegExp, description: string): Shape<string> {
  return (value, path) => (typeof value === 'string' && pattern.test(value) ? value : refuse(path, description));
}

export function integer(min: number): Shape<number> {
  return (value, path) =>
    Number.isSafeInteger(value) && (value as number) >= min ? (value as number) : refuse(path, `an integer >= ${min}`);
}

export function bytes(length: number): Shape<Uint8Array> {
  return (value, path) =>
    value instanceof Uint8Array && value.length === length ? value : refuse(path, `${length} bytes of binary`);
}

export const anyBytes: Shape<Uint8Array> = (value, path) =>
  value instanceof Uint8Array ? value : refuse(path, 'binary');

export function literal<const T extends string | number>(...values: T[]): Shape<T> {
  const described = values.map((v) => JSON.stringify(v)).join(' or ');
  return (value, path) => (values.includes(value as T) ? (value as T) : refuse(path, described));
}

export function nullable<T>(shape: Shape<T>): Shape<T | null> {
  return (value, path) => (value === null ? null : shape(value, path));
}

export function arrayOf<T>(shape: Shape<T>): Shape<T[]> {
  return (value, path) => {
    if (!Array.isArray(value)) return refuse(path, 'an array');
    return value.map((item, i) => shape(item, `${path}[${i}]`));
  };
}

/** A map with exactly the `required` fields, any of the `optional` ones, and nothing else. */
export function object<R extends Fields, O extends Fields = Record<never, never>>(
  required: R,
  optional: O = {} as O,
): Shape<ObjectOf<R, O>> {
  return (value, path) => {
    if (!isPlainObject(value)) return refuse(path, 'a map');
    for (const key of Object.keys(value)) {
      if (!Object.hasOwn(required, key) && !Object.hasOwn(optional, key)) {
        throw new BundleError('malformed', `${path}: unknown field ${quoted(key)}`);
      }
    }
    const out: Record<string, unknown> = {};
    for (const [key, shape] of Object.entries(required)) {
      if (!Object.hasOwn(value, key)) throw new BundleError('malformed', `${path}: missing field "${key}"`);
      out[key] = shape(value[key], `${path}.${key}`);
    }
    for (const [key, shape] of Object.entries(optional)) {
      if (Object.hasOwn(value, key)) out[key] = shape(value[key], `${path}.${key}`);
    }
    return out as ObjectOf<R, O>;
  };
}

/** One of several object shapes, chosen by the string in its `tag` field. */
export function taggedUnion<K extends string, M extends Record<string, Shape<unknown>>>(
  tag: K,
  variants: M,
): Shape<ShapeOf<M[keyof M]>> {
  const names = Object.keys(variants).join(', ');
  return (value, path) => {
    const kind = isPlainObject(value) ? value[tag] : undefined;
    if (typeof kind !== 'string' || !Object.hasOwn(variants, kind)) {
      return refuse(`${path}.${tag}`, `one of ${names}`);
    }
    return variants[kind]!(value, path) as ShapeOf<M[keyof M]>;
  };
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === Object.prototype;
}
