import { configSchema } from './schema.js';
import { schemaAt } from './schema-walk.js';
import { scalar } from './interpolate.js';
import { didYouMean } from './did-you-mean.js';
import { dotted, type ConfigProblem } from './errors.js';
import type { Sources } from './sources.js';

const PREFIX = 'LOOM_';
const norm = (k: string) => k.toLowerCase().replace(/[-_]/g, '');

/**
 * Applies `LOOM_*` environment variables over `config`: the name after `LOOM_`
 * is the key's path in upper snake case, e.g. `LOOM_REDIS_HOST`,
 * `LOOM_RUNTIME_LEASE_TTL`, `LOOM_ACTORS_PAYMENT_PROCESSOR_TIMEOUT`. Variables
 * whose first word names no top-level key are not overrides and are left alone;
 * one that starts like a key and then names none is a problem.
 */
export function applyEnvOverrides(config: Record<string, unknown>, env: NodeJS.ProcessEnv, sources: Sources, problems: ConfigProblem[]): void {
  const topKeys = Object.keys(shape([]));
  for (const name of Object.keys(env).sort()) {
    const raw = env[name];
    if (!name.startsWith(PREFIX) || raw === undefined) continue;
    const words = name.slice(PREFIX.length).toLowerCase().split('_').filter(Boolean);
    if (!topKeys.some((k) => norm(k) === words[0])) continue;
    const path = resolvePath(config, [], words, 0);
    if (!path) {
      const guess = didYouMean(name, allVarNames(config));
      problems.push({ path: name, message: 'this LOOM_ variable names no configuration key', ...(guess ? { didYouMean: guess } : {}) });
      continue;
    }
    setAt(config, path, convert(path, raw));
    sources.set(dotted(path), `env ${name}`);
  }
}

function shape(path: string[]): Record<string, unknown> {
  const n = schemaAt(configSchema, path) as { def?: { type?: string; shape?: Record<string, unknown> } } | undefined;
  return n?.def?.type === 'object' ? (n.def.shape ?? {}) : {};
}

/** Matches words[i..] to a path below `path`: object keys by their normalized name, record keys by existing names (or any split). */
function resolvePath(config: Record<string, unknown>, path: string[], words: string[], i: number): string[] | undefined {
  if (i === words.length) return path;
  const node = schemaAt(configSchema, path) as { def?: { type?: string } } | undefined;
  const type = node?.def?.type;
  if (type === 'object') {
    const keys = Object.keys(shape(path));
    for (let j = words.length; j > i; j--) {
      const want = words.slice(i, j).join('');
      const key = keys.find((k) => norm(k) === want);
      if (key) {
        const found = resolvePath(config, [...path, key], words, j);
        if (found) return found;
      }
    }
    return undefined;
  }
  if (type === 'record') {
    // An existing key first; else the shortest new key after which the rest names a key; else the whole entry.
    const existing = Object.keys((valueAt(config, path) as Record<string, unknown> | undefined) ?? {});
    for (let j = words.length; j > i; j--) {
      const key = existing.find((k) => norm(k) === words.slice(i, j).join(''));
      const found = key ? resolvePath(config, [...path, key], words, j) : undefined;
      if (found) return found;
    }
    for (let j = i + 1; j <= words.length; j++) {
      const found = resolvePath(config, [...path, words.slice(i, j).join('-')], words, j);
      if (found) return found;
    }
  }
  return undefined;
}

function convert(path: string[], raw: string): unknown {
  const type = (schemaAt(configSchema, path) as { def?: { type?: string } } | undefined)?.def?.type;
  if (type === 'number' || type === 'boolean' || type === 'union') return scalar(raw);
  if (type === 'object' || type === 'record') {
    try {
      return JSON.parse(raw) as unknown;
    } catch {
      return raw;
    }
  }
  return raw;
}

function valueAt(obj: unknown, path: string[]): unknown {
  let v = obj;
  for (const seg of path) v = v && typeof v === 'object' ? (v as Record<string, unknown>)[seg] : undefined;
  return v;
}

function setAt(obj: Record<string, unknown>, path: string[], value: unknown): void {
  let cur = obj;
  for (const seg of path.slice(0, -1)) {
    const next = cur[seg];
    if (next === null || typeof next !== 'object') cur[seg] = {};
    cur = cur[seg] as Record<string, unknown>;
  }
  cur[path[path.length - 1]!] = value;
}

/** Every override name the schema and the config's record keys allow (for "did you mean"). */
function allVarNames(config: Record<string, unknown>): string[] {
  const out: string[] = [];
  const walk = (path: string[]) => {
    const node = schemaAt(configSchema, path) as { def?: { type?: string } } | undefined;
    if (node?.def?.type === 'object') for (const k of Object.keys(shape(path))) walk([...path, k]);
    else if (node?.def?.type === 'record') for (const k of Object.keys((valueAt(config, path) as object | undefined) ?? {})) walk([...path, k]);
    else out.push(PREFIX + path.map((p) => p.replace(/([a-z0-9])([A-Z])/g, '$1_$2').replace(/-/g, '_').toUpperCase()).join('_'));
  };
  walk([]);
  return out;
}
