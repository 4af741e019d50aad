import type { z } from 'zod';
import { configSchema, type LoomConfig } from './schema.js';
import { ConfigValidationError, dotted, type ConfigProblem } from './errors.js';
import { didYouMean } from './did-you-mean.js';
import { keysAt } from './schema-walk.js';
import { crossCheck } from './cross-check.js';

/** Validates a plain object against the schema; throws ConfigValidationError listing every problem. */
export function validateConfig(input: unknown, source: string): LoomConfig {
  const result = configSchema.safeParse(input);
  const problems = result.success ? crossCheck(result.data) : result.error.issues.flatMap((i) => toProblems(i, input));
  if (problems.length > 0) throw new ConfigValidationError(source, problems);
  return result.data!;
}

function toProblems(issue: z.core.$ZodIssue, input: unknown): ConfigProblem[] {
  const path = issue.path as (string | number)[];
  if (issue.code === 'unrecognized_keys') {
    const known = keysAt(configSchema, path);
    return issue.keys.map((key) => {
      const p: ConfigProblem = { path: dotted([...path, key]), message: `unknown key; ${dotted(path) || 'the top level'} takes ${known.join(', ')}` };
      const guess = didYouMean(key, known);
      if (guess) p.didYouMean = guess;
      return p;
    });
  }
  const got = valueAt(input, path);
  const shown = got === undefined ? 'nothing' : JSON.stringify(got);
  if (issue.code === 'invalid_value') {
    const values = issue.values.map(String);
    const p: ConfigProblem = { path: dotted(path), message: `expected one of ${values.map((v) => JSON.stringify(v)).join(', ')}, got ${shown}` };
    const guess = typeof got === 'string' ? didYouMean(got, values) : undefined;
    if (guess) p.didYouMean = guess;
    return [p];
  }
  if (issue.code === 'invalid_type' && got === undefined) return [{ path: dotted(path), message: `is required (${issue.expected})` }];
  if (issue.code === 'invalid_type' && !issue.message.startsWith('expected')) {
    return [{ path: dotted(path), message: `expected ${issue.expected === 'object' ? 'a mapping of keys' : issue.expected}, got ${shown}` }];
  }
  return [{ path: dotted(path), message: `${issue.message.replace(/^Invalid input: /, '')}, got ${shown}` }];
}

function valueAt(obj: unknown, path: readonly (string | number)[]): unknown {
  let v = obj;
  for (const seg of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string, unknown>)[seg];
  }
  return v;
}
