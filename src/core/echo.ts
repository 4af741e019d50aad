/**
 * How error messages show a value the user gave: short, and without running any
 * of the user's code that could throw (a `toString`, a getter, a proxy trap).
 * A 1 MB actor id must not make a 1 MB error message, and a hostile value must
 * not turn an error report into a second, rawer error.
 */

/** Characters of a user's value kept in an error message. */
export const ECHO_CHARS = 200;

/** `text` cut to `max` characters, saying how long it was: `abc…(1048576 chars)`. */
export function capText(text: string, max = ECHO_CHARS): string {
  return text.length <= max ? text : `${text.slice(0, max)}…(${text.length} chars)`;
}

/**
 * A short description of any value for an error message: strings quoted and cut
 * to {@link ECHO_CHARS}, numbers and the like as written, objects as the start of
 * their JSON when that works, otherwise by kind. Never throws.
 */
export function echo(value: unknown, max = ECHO_CHARS): string {
  try {
    switch (typeof value) {
      case 'string':
        return value.length <= max ? JSON.stringify(value) : `${JSON.stringify(value.slice(0, max))}…(${value.length} chars)`;
      case 'number':
      case 'boolean':
      case 'undefined':
        return String(value);
      case 'bigint':
        return capText(`${value.toString()}n`, max);
      case 'symbol':
        return capText(Symbol.prototype.toString.call(value), max);
      case 'function':
        return 'a function';
    }
    if (value === null) return 'null';
    // JSON of an object may run its getters and toJSON: tolerated, but a throw falls back to its kind.
    const json = JSON.stringify(value) as string | undefined;
    if (typeof json === 'string') return capText(json, max);
  } catch {
    // fall through to the kind
  }
  return kindOf(value);
}

/** `an array`, `an object`, `a Map`: the kind of an object, read without its getters. */
export function kindOf(value: unknown): string {
  try {
    if (Array.isArray(value)) return 'an array';
    if (typeof value !== 'object' || value === null) return typeof value;
    const proto = Object.getPrototypeOf(value) as { constructor?: unknown } | null;
    if (proto === null || proto === Object.prototype) return 'an object';
    const ctor = Object.getOwnPropertyDescriptor(proto, 'constructor')?.value as { name?: unknown } | undefined;
    const name = typeof ctor === 'function' ? Object.getOwnPropertyDescriptor(ctor, 'name')?.value : undefined;
    return typeof name === 'string' && name ? `an instance of ${capText(name, 60)}` : 'an object';
  } catch {
    // A revoked proxy, or a proxy whose traps throw.
    return 'an object that cannot be inspected (a proxy?)';
  }
}
