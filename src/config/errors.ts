import { ConfigError } from '../core/errors.js';

/** One problem found in a configuration. */
export interface ConfigProblem {
  /** Dotted path of the key, e.g. `actors.payment-processor.retryPolicy.backoff`; empty for the root. */
  path: string;
  /** What is wrong and what was expected. */
  message: string;
  /** A key or value that was probably meant. */
  didYouMean?: string;
}

/**
 * A configuration failed validation. `problems` lists every one, each with its
 * path, what was expected and, for a misspelt key, the key probably meant.
 */
export class ConfigValidationError extends ConfigError {
  readonly problems: readonly ConfigProblem[];
  /** Where the configuration came from (a file name, or 'object'). */
  readonly source: string;
  constructor(source: string, problems: ConfigProblem[]) {
    const lines = problems.map((p) => `  - ${p.path || '(top level)'}: ${p.message}${p.didYouMean ? ` (did you mean "${p.didYouMean}"?)` : ''}`);
    super(`${source} has ${problems.length} problem${problems.length === 1 ? '' : 's'}:\n${lines.join('\n')}`, { code: 'LOOM_CONFIG_INVALID' });
    this.name = 'ConfigValidationError';
    this.problems = problems;
    this.source = source;
  }
}

/** Dotted path as users write it. */
export function dotted(path: readonly PropertyKey[]): string {
  return path.map(String).join('.');
}
