/**
 * The Standard Schema interface (standardschema.dev), declared here so that no
 * validation library is a dependency: zod, valibot, arktype and others implement it.
 */
export interface StandardSchemaV1<Input = unknown, Output = Input> {
  readonly '~standard': {
    readonly version: 1;
    readonly vendor: string;
    readonly validate: (value: unknown) => StandardResult<Output> | Promise<StandardResult<Output>>;
    readonly types?: { readonly input: Input; readonly output: Output } | undefined;
  };
}

/** The outcome of a Standard Schema validation. */
export type StandardResult<Output> = { readonly value: Output; readonly issues?: undefined } | { readonly issues: readonly StandardIssue[] };

/** One validation problem. */
export interface StandardIssue {
  readonly message: string;
  readonly path?: readonly (PropertyKey | { readonly key: PropertyKey })[] | undefined;
}

/** Issues as JSON: `{ path: 'items.0.qty', message }`. */
export function describeIssues(issues: readonly StandardIssue[]): { path: string; message: string }[] {
  return issues.map((i) => ({
    path: (i.path ?? []).map((p) => String(typeof p === 'object' && p !== null ? p.key : p)).join('.'),
    message: i.message,
  }));
}

export function isStandardSchema(x: unknown): x is StandardSchemaV1 {
  const s = (x as { '~standard'?: { validate?: unknown } } | null)?.['~standard'];
  return typeof s === 'object' && s !== null && typeof s.validate === 'function';
}
