import { ConfigError } from './errors.js';

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

/** Merges policies left to right over the defaults and checks the result. */
export function resolveRetryPolicy(...layers: (RetryPolicy | undefined)[]): ResolvedRetryPolicy {
  const out: ResolvedRetryPolicy = { ...DEFAULT_RETRY_POLICY };
  for (const layer of layers) {
    if (!layer) continue;
    for (const [k, v] of Object.entries(layer)) {
      if (v !== undefined) (out as Record<string, unknown>)[k] = v;
    }
  }
  if (!Number.isInteger(out.maxAttempts) || out.maxAttempts < 1) {
    throw new ConfigError(`retryPolicy.maxAttempts must be an integer >= 1, got ${String(out.maxAttempts)}`);
  }
  if (out.backoff !== 'fixed' && out.backoff !== 'exponential') {
    throw new ConfigError(`retryPolicy.backoff must be 'fixed' or 'exponential', got ${String(out.backoff)}`);
  }
  for (const k of ['initialDelayMs', 'maxDelayMs', 'multiplier'] as const) {
    if (typeof out[k] !== 'number' || !(out[k] >= 0)) {
      throw new ConfigError(`retryPolicy.${k} must be a number >= 0, got ${String(out[k])}`);
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
