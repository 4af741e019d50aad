import { parse as parseYamlScalar } from 'yaml';
import { dotted, type ConfigProblem } from './errors.js';
import type { Sources } from './sources.js';

const EXPR = /\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}|\$\$\{/g;

/**
 * Replaces `${VAR}` and `${VAR:-default}` in every string of `value` (`$${` writes a
 * literal `${`). A string that is one expression alone takes the type its value
 * reads as in YAML (`port: ${PORT:-6379}` is a number). Records where each key's
 * value came from in `sources`, and an unset variable without a default in `problems`.
 */
export function interpolate(value: unknown, env: NodeJS.ProcessEnv, origin: string, sources: Sources, problems: ConfigProblem[], path: (string | number)[] = []): unknown {
  if (Array.isArray(value)) return value.map((v, i) => interpolate(v, env, origin, sources, problems, [...path, i]));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = interpolate(v, env, origin, sources, problems, [...path, k]);
    return out;
  }
  const key = dotted(path);
  if (typeof value !== 'string' || !value.includes('${')) {
    sources.set(key, origin);
    return value;
  }
  const vars: string[] = [];
  let whole: string | undefined;
  const text = value.replace(EXPR, (match, name: string | undefined, fallback: string | undefined) => {
    if (!name) return '${';
    vars.push(name);
    const v = env[name];
    const got = v !== undefined && v !== '' ? v : fallback;
    if (got === undefined) {
      problems.push({ path: key, message: `\${${name}} is not set and has no default; set ${name} or write \${${name}:-default}` });
      return '';
    }
    if (match === value) whole = got;
    return got;
  });
  sources.set(key, `${origin} via ${vars.map((v) => `\${${v}}`).join(', ')}`);
  return whole !== undefined ? scalar(whole) : text;
}

/** A value from the environment, read as a YAML scalar: numbers and booleans become themselves. */
export function scalar(text: string): unknown {
  if (!/^(-?\d+(\.\d+)?|true|false)$/.test(text.trim())) return text;
  try {
    return parseYamlScalar(text) as unknown;
  } catch {
    return text;
  }
}
