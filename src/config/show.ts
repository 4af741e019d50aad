import { isSecretReference } from '../secrets/reference.js';
import { sourcesOf } from './sources.js';
import type { LoomConfig } from './schema.js';
import { effectiveConfig } from './effective.js';

/** One key of the effective configuration. */
export interface ConfigEntry {
  /** Dotted path. */
  path: string;
  /** The value, with passwords masked and secrets shown as their references. */
  value: unknown;
  /** Where it came from: the file (and the `${VAR}` it used), `env LOOM_…`, `object` or `default`. */
  source: string;
}

const SENSITIVE = /password|secret|token|credential|apikey|api-key/i;

/**
 * The effective configuration, key by key, with the source of each. Secret
 * values never appear: references are shown as written, passwords as `********`,
 * and a password inside a URL is masked.
 */
export function describeConfig(config: LoomConfig): ConfigEntry[] {
  const sources = sourcesOf(config);
  const out: ConfigEntry[] = [];
  const walk = (value: unknown, path: string[]) => {
    if (value !== null && typeof value === 'object' && !Array.isArray(value) && Object.keys(value).length > 0) {
      for (const [k, v] of Object.entries(value)) walk(v, [...path, k]);
      return;
    }
    const key = path.join('.');
    out.push({ path: key, value: mask(path, value), source: sourceOf(sources, path) });
  };
  walk(effectiveConfig(config), []);
  return out;
}

function sourceOf(sources: Map<string, string>, path: string[]): string {
  for (let i = path.length; i > 0; i--) {
    const s = sources.get(path.slice(0, i).join('.'));
    if (s) return s;
  }
  return 'default';
}

function mask(path: string[], value: unknown): unknown {
  if (typeof value !== 'string' || isSecretReference(value)) return value;
  if (SENSITIVE.test(path[path.length - 1] ?? '')) return '********';
  return (value as string).replace(/^([a-z][a-z0-9+.-]*:\/\/[^:/@]*:)([^@]*)@/i, '$1********@');
}
