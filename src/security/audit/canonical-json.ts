/**
 * Canonical JSON: one value, one byte string. Object keys sorted (by UTF-16
 * code units, as Array.prototype.sort does and RFC 8785 prescribes), no
 * whitespace, strings escaped as JSON.stringify escapes them, integers only.
 * The UTF-8 bytes of the result are what an audit leaf hashes, so anything that
 * could serialize two ways is refused rather than guessed: fractions (decimal
 * forms differ between languages), undefined (JSON.stringify drops it
 * silently), lone surrogates (they do not survive UTF-8), and objects that are
 * not plain (a Date or a Buffer would serialize through toJSON). Pure.
 */

export type Json = null | boolean | number | string | readonly Json[] | { readonly [key: string]: Json };

export class CanonicalJsonError extends Error {}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const wellFormed = (s: string) => !LONE_SURROGATE.test(s);

export function canonicalJson(value: unknown): string {
  return write(value, '$');
}

function write(value: unknown, path: string): string {
  switch (typeof value) {
    case 'string':
      if (!wellFormed(value)) throw new CanonicalJsonError(`${path}: string has a lone surrogate`);
      return JSON.stringify(value);
    case 'number':
      if (!Number.isSafeInteger(value)) throw new CanonicalJsonError(`${path}: only safe integers are allowed`);
      return Object.is(value, -0) ? '0' : String(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object': {
      if (value === null) return 'null';
      if (Array.isArray(value)) {
        let out = '[';
        for (let i = 0; i < value.length; i++) {
          if (!(i in value)) throw new CanonicalJsonError(`${path}[${i}]: arrays must not have holes`);
          out += (i > 0 ? ',' : '') + write(value[i], `${path}[${i}]`);
        }
        return out + ']';
      }
      const proto = Object.getPrototypeOf(value) as unknown;
      if (proto !== Object.prototype && proto !== null) throw new CanonicalJsonError(`${path}: only plain objects are allowed`);
      const keys = Object.keys(value).sort();
      let out = '{';
      for (const [i, key] of keys.entries()) {
        if (!wellFormed(key)) throw new CanonicalJsonError(`${path}: key has a lone surrogate`);
        out += (i > 0 ? ',' : '') + JSON.stringify(key) + ':' + write((value as Record<string, unknown>)[key], `${path}.${key}`);
      }
      return out + '}';
    }
    default:
      throw new CanonicalJsonError(`${path}: ${typeof value} has no JSON form`);
  }
}

/** Whether text is exactly the canonical form of the JSON it holds. */
export function isCanonicalJson(text: string): boolean {
  try {
    return canonicalJson(JSON.parse(text)) === text;
  } catch {
    return false;
  }
}
