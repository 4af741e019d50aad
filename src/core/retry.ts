import { ConfigError } from './errors.js';
import { capText, echo } from './echo.js';

/** How a failing handler or step is retried. Defaults follow the README. */
export interface RetryPolicy {
  /** Total attempts including the first. Default 3. */
  maxAttempts?: number;
  /** Default `'exponential'`. */
  backoff?: 'fixed' | 'exponential';
  /** Default 1000 ms. */
  initialDelayMs?: number;
  /** Default 30000 ms. */
  maxDelayMs?: number;
  /** Default 2. */
  multiplier?: number;
}

/** A retry policy with every field filled in. */
export type ResolvedRetryPolicy = Required<RetryPolicy>;

export const DEFAULT_RETRY_POLICY: ResolvedRetryPolicy = Object.freeze({
  maxAttempts: 3,
  backoff: 'exponential',
  initialDelayMs: 1000,
  maxDelayMs: 30000,
  multiplier: 2,
});

const FIELDS: ReadonlySet<string> = new Set(Object.keys(DEFAULT_RETRY_POLICY));

/**
 * Merges policies left to right over the defaults and checks the result: an
 * unknown field, or a value of the wrong kind, is a ConfigError that names it.
 * Runs for every step and failed attempt, so it is plain loops and comparisons.
 */
export function resolveRetryPolicy(...layers: (RetryPolicy | undefined)[]): ResolvedRetryPolicy {
  const out: ResolvedRetryPolicy = { ...DEFAULT_RETRY_POLICY };
  for (const layer of layers) {
    if (layer === undefined) continue;
    if (typeof layer !== 'object' || layer === null || Array.isArray(layer)) {
      throw new ConfigError(`retryPolicy must be an object such as { maxAttempts: 5 }, got ${echo(layer)}`);
    }
    for (const k in layer) {
      if (!Object.prototype.hasOwnProperty.call(layer, k)) continue;
      if (!FIELDS.has(k)) throw new ConfigError(`retryPolicy has an unknown field "${capText(k, 60)}"; the known ones are ${[...FIELDS].join(', ')}`);
      const v = (layer as Record<string, unknown>)[k];
      if (v !== undefined) (out as Record<string, unknown>)[k] = v;
    }
  }
  if (!Number.isInteger(out.maxAttempts) || out.maxAttempts < 1) {
    throw new ConfigError(`retryPolicy.maxAttempts must be an integer >= 1, got ${echo(out.maxAttempts)}`);
  }
  if (out.backoff !== 'fixed' && out.backoff !== 'exponential') {
    throw new ConfigError(`retryPolicy.backoff must be 'fixed' or 'exponential', got ${echo(out.backoff)}`);
  }
  for (const k of ['initialDelayMs', 'maxDelayMs', 'multiplier'] as const) {
    if (typeof out[k] !== 'number' || !(out[k] >= 0) || out[k] === Infinity) {
      throw new ConfigError(`retryPolicy.${k} must be a finite number >= 0, got ${echo(out[k])}`);
    }
  }
  return out;
}

/** Delay before retry number `attempt` (1 = the first retry), without jitter. */
export function retryDelay(policy: ResolvedRetryPolicy, attempt: number): number {
  if (policy.backoff === 'fixed') return Math.min(policy.initialDelayMs, policy.maxDelayMs);
  const raw = policy.initialDelayMs * Math.pow(policy.multiplier, Math.max(0, attempt - 1));
  return Math.min(raw, policy.maxDelayMs);
}
