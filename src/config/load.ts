import { readFile } from 'node:fs/promises';
import { basename, extname } from 'node:path';
import { parseDocument } from 'yaml';
import { ConfigError } from '../core/errors.js';
import { ConfigValidationError, type ConfigProblem } from './errors.js';
import { interpolate } from './interpolate.js';
import { applyEnvOverrides } from './env-overrides.js';
import { validateConfig } from './validate.js';
import { rememberSources, type Sources } from './sources.js';
import type { LoomConfig } from './schema.js';

/** Options of {@link loadConfig}. */
export interface LoadConfigOptions {
  /** Variables for `${VAR}` and `LOOM_*` overrides. Default `process.env`. */
  env?: NodeJS.ProcessEnv;
  /** Apply `LOOM_*` overrides. Default true. */
  envOverrides?: boolean;
}

/**
 * Loads and validates a configuration: a YAML (`.yaml`, `.yml`) or JSON
 * (`.json`) file, or an object. Strings get `${VAR}` / `${VAR:-default}`
 * interpolation, then `LOOM_*` variables override keys. Every problem is
 * reported at once in a {@link ConfigValidationError}.
 *
 * @example
 * const config = await loadConfig('loom.config.yaml');
 * const runtime = await createRuntimeFromConfig(config, { actors: [PaymentProcessor] });
 */
export async function loadConfig(source: string | object, options: LoadConfigOptions = {}): Promise<LoomConfig> {
  const env = options.env ?? process.env;
  const origin = typeof source === 'string' ? basename(source) : 'object';
  const raw = typeof source === 'string' ? await readSource(source) : source;
  const sources: Sources = new Map();
  const problems: ConfigProblem[] = [];
  if (raw !== null && typeof raw === 'object' && !Array.isArray(raw)) {
    const interpolated = interpolate(raw, env, origin, sources, problems) as Record<string, unknown>;
    if (options.envOverrides !== false) applyEnvOverrides(interpolated, env, sources, problems);
    if (problems.length === 0) {
      const config = validateConfig(interpolated, typeof source === 'string' ? source : 'the configuration object');
      rememberSources(config, sources);
      return config;
    }
  } else if (raw !== undefined && raw !== null) {
    problems.push({ path: '', message: `expected a mapping of keys at the top level, got ${Array.isArray(raw) ? 'a list' : typeof raw}` });
  }
  if (raw === undefined || raw === null) {
    const config = validateConfig({}, origin);
    rememberSources(config, sources);
    return config;
  }
  throw new ConfigValidationError(typeof source === 'string' ? source : 'the configuration object', problems);
}

async function readSource(path: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    const code = (err as { code?: string }).code;
    throw new ConfigError(code === 'ENOENT' ? `config file ${path} does not exist` : `config file ${path} cannot be read (${code ?? (err as Error).message})`, { cause: err });
  }
  if (extname(path).toLowerCase() === '.json') {
    try {
      return JSON.parse(text) as unknown;
    } catch (err) {
      throw new ConfigValidationError(path, [{ path: '', message: `is not valid JSON: ${(err as Error).message}` }]);
    }
  }
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new ConfigValidationError(path, doc.errors.map((e) => ({ path: '', message: `YAML: ${e.message.split('\n')[0]}` })));
  }
  return doc.toJS() as unknown;
}
