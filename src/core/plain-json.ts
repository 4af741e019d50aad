import { capText } from './echo.js';
import { messageOf } from './failure.js';

/**
 * Whether a value is plain JSON that round-trips, and if not, where and why.
 * Values come from users and may be hostile: getters and proxy traps that throw,
 * 100,000-deep nesting, cycles. Nothing here lets such a value throw through
 * (the error names the path instead), and no walk recurses without a bound.
 */

/** Deepest nesting of arrays and objects that Loom stores (messages, results, state, trace, headers). */
export const MAX_JSON_DEPTH = 512;

/** Deeper than this, the fast check gives up and the walk decides (it finds cycles and the depth limit). */
const MAX_FAST_DEPTH = 64;

/** Why a value is not plain JSON. `tooDeep`: it nests deeper than {@link MAX_JSON_DEPTH}. */
export interface JsonProblem {
  text: string;
  tooDeep?: true;
}

/**
 * True when `value` is plain JSON that round-trips; false when it may not be (then
 * {@link findJsonProblem} says why). Allocates nothing. May throw on a hostile value
 * (a getter, a proxy trap): callers treat a throw as false.
 */
export function isPlainJson(value: unknown, depth: number): boolean {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return true;
    case 'number':
      return Number.isFinite(value);
    case 'object':
      break;
    default:
      return false;
  }
  if (value === null) return true;
  if (depth > MAX_FAST_DEPTH) return false;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) if (!isPlainJson(value[i], depth + 1)) return false;
    return true;
  }
  const proto = Object.getPrototypeOf(value) as unknown;
  if (proto !== Object.prototype && proto !== null) return value instanceof Date;
  for (const k in value) {
    if (!Object.prototype.hasOwnProperty.call(value, k)) continue;
    const v = (value as Record<string, unknown>)[k];
    if (v !== undefined && !isPlainJson(v, depth + 1)) return false;
  }
  return true;
}

/** `isPlainJson` that treats a throw as "not plain": the walk then names the place. */
export function looksPlain(value: unknown): boolean {
  try {
    return isPlainJson(value, 0);
  } catch {
    return false;
  }
}

/** A key as it appears in a path: short, whatever the user named it. */
const key = (k: string): string => capText(k, 40);

/** What is wrong with `value` (at `path`), or undefined when it is plain JSON. Never throws. */
export function findJsonProblem(value: unknown, path: string): JsonProblem | undefined {
  return walk(value, path, new Set(), 0);
}

function walk(value: unknown, path: string, seen: Set<object>, depth: number): JsonProblem | undefined {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return undefined;
    case 'number':
      return Number.isFinite(value) ? undefined : { text: `${at(path)} is ${String(value)}, which JSON cannot represent` };
    case 'undefined':
      return { text: `${at(path)} is undefined` };
    case 'bigint':
      return { text: `${at(path)} is a bigint; convert it to a string or number` };
    case 'function':
      return { text: `${at(path)} is a function` };
    case 'symbol':
      return { text: `${at(path)} is a symbol` };
  }
  if (value === null) return undefined;
  if (depth >= MAX_JSON_DEPTH) return { text: `${at(path)} is nested more than ${MAX_JSON_DEPTH} levels deep (the limit)`, tooDeep: true };
  const obj = value as object;
  if (seen.has(obj)) return { text: `${at(path)} contains a cycle` };
  try {
    if (obj instanceof Date) return undefined;
    if (Array.isArray(obj)) {
      seen.add(obj);
      const n = obj.length;
      for (let i = 0; i < n; i++) {
        const p = walk(readAt(obj, i, path), `${path}[${i}]`, seen, depth + 1);
        if (p) return p;
      }
      seen.delete(obj);
      return undefined;
    }
    const proto = Object.getPrototypeOf(obj) as unknown;
    if (proto !== Object.prototype && proto !== null) {
      const ctor = Object.getOwnPropertyDescriptor(proto, 'constructor')?.value as { name?: unknown } | undefined;
      const name = typeof ctor === 'function' && typeof ctor.name === 'string' && ctor.name ? capText(ctor.name, 60) : 'unknown';
      return { text: `${at(path)} is an instance of ${name}, which does not round-trip through JSON; pass a plain object` };
    }
    seen.add(obj);
    for (const k of Object.keys(obj)) {
      const v = readAt(obj, k, path);
      if (v === undefined) continue; // dropped by JSON, like an absent key
      const p = walk(v, `${path}.${key(k)}`, seen, depth + 1);
      if (p) return p;
    }
    seen.delete(obj);
    return undefined;
  } catch (err) {
    if (err instanceof ReadFailed) return { text: err.message };
    // Array.isArray on a revoked proxy, a getPrototypeOf or ownKeys trap that throws.
    return { text: `${at(path)} is not plain data: inspecting it threw (${capText(messageOf(err), 200)})` };
  }
}

/** A read of one property threw: carries the message that names it. */
class ReadFailed extends Error {}

function readAt(obj: object, k: string | number, path: string): unknown {
  try {
    return (obj as Record<string | number, unknown>)[k];
  } catch (err) {
    const where = typeof k === 'number' ? `${path}[${k}]` : `${path}.${key(k)}`;
    throw new ReadFailed(`${at(where)} is not plain data: reading it threw (${capText(messageOf(err), 200)}); pass values, not getters or proxies`);
  }
}

/** A path in a message: deep paths are cut, the start kept. */
function at(path: string): string {
  return capText(path, 200);
}
