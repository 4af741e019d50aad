/** A response the HTTP trigger produces, before any framework writes it. */
export interface TriggerResponse {
  status: number;
  headers: Record<string, string>;
  /** The body, already serialized (JSON or problem+json); empty for none. */
  body: string;
}

/** The stable problem types of the HTTP trigger (RFC 9457 `type` members). */
export type ProblemKind =
  | 'not-found'
  | 'method-not-allowed'
  | 'unsupported-media-type'
  | 'payload-too-large'
  | 'invalid-json'
  | 'validation-failed'
  | 'invalid-idempotency-key'
  | 'idempotency-key-required'
  | 'idempotency-key-reused'
  | 'actor-id-missing'
  | 'invalid-message'
  | 'handler-failed'
  | 'dead-lettered'
  | 'unavailable'
  | 'internal';

/**
 * An RFC 9457 problem details response: `application/problem+json` with
 * `type`, `title`, `status`, `detail`, plus extension members.
 */
export function problem(status: number, kind: ProblemKind, title: string, detail: string, extra: Record<string, unknown> = {}, headers: Record<string, string> = {}): TriggerResponse {
  const body = { type: `urn:loom:problem:${kind}`, title, status, detail, ...extra };
  return { status, headers: { 'content-type': 'application/problem+json', ...headers }, body: JSON.stringify(body) };
}

/** A JSON response. */
export function json(status: number, value: unknown, headers: Record<string, string> = {}): TriggerResponse {
  return { status, headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(value === undefined ? null : value) };
}
