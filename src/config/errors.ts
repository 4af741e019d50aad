import { ConfigError } from '../core/errors.js';
import { capText } from '../core/echo.js';

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
    const lines = problems.map((p) => `  - ${capText(p.path || '(top level)', 200)}: ${capText(p.message, 300)}${p.didYouMean ? ` (did you mean "${capText(p.didYouMean, 100)}"?)` : ''}`);
    // The message stays short enough to read (every LoomError's is under 2 KB); `problems` has them all.
    let shown = 0;
    for (let len = 0; shown < lines.length && len + lines[shown]!.length < 1500; shown++) len += lines[shown]!.length + 1;
    const more = lines.length - shown;
    const listed = lines.slice(0, Math.max(shown, 1)).join('\n') + (more > 0 && shown > 0 ? `\n  … and ${more} more (err.problems lists them all)` : '');
    super(`${capText(source, 200)} has ${problems.length} problem${problems.length === 1 ? '' : 's'}:\n${listed}`, { code: 'LOOM_CONFIG_INVALID' });
    this.name = 'ConfigValidationError';
    this.problems = problems;
    this.source = source;
  }
}

/** Dotted path as users write it. */
export function dotted(path: readonly PropertyKey[]): string {
  return path.map(String).join('.');
}
