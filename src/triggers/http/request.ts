/**
 * A request as the HTTP trigger sees it, whatever server received it: the
 * framework adapters (Node's http, Express, fetch-style servers such as Hono)
 * each build one of these and write back the `TriggerResponse`.
 */
export interface TriggerRequest {
  method: string;
  /** Path and query, e.g. `/api/orders?x=1`. */
  url: string;
  /** A header's value by lower-case name, or undefined. */
  header(name: string): string | undefined;
  /** Reads the body; rejects with `BodyTooLarge` past `limit` bytes without reading the rest. */
  body(limit: number): Promise<Uint8Array>;
}

/** Raised by `TriggerRequest.body` when the body is over the limit. */
export class BodyTooLarge extends Error {
  constructor(readonly limit: number) {
    super(`the request body is larger than ${limit} bytes`);
  }
}

/** Reads an async iterable of chunks (a Node request or a web stream) up to `limit` bytes. */
export async function readLimited(chunks: AsyncIterable<Uint8Array | string>, limit: number): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of chunks) {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    size += bytes.byteLength;
    if (size > limit) throw new BodyTooLarge(limit);
    parts.push(bytes);
  }
  return Buffer.concat(parts, size);
}

/** True for `application/json` and `application/<anything>+json`, parameters ignored. */
export function isJsonType(contentType: string | undefined): boolean {
  if (!contentType) return false;
  const t = contentType.split(';')[0]!.trim().toLowerCase();
  return t === 'application/json' || (t.startsWith('application/') && t.endsWith('+json'));
}

/**
 * The Idempotency-Key header's key. The IETF draft makes it a structured-field
 * string (`"abc"`); a bare token is accepted too. Undefined when absent, an
 * Error naming the problem when malformed.
 */
export function idempotencyKeyOf(raw: string | undefined): string | undefined | Error {
  if (raw === undefined) return undefined;
  let key = raw.trim();
  if (key.length >= 2 && key.startsWith('"') && key.endsWith('"')) key = key.slice(1, -1).replace(/\\(["\\])/g, '$1');
  if (key.length === 0) return new Error('the Idempotency-Key header is empty');
  if (key.length > 255) return new Error(`the Idempotency-Key header is ${key.length} characters long; use at most 255`);
  if (!/^[\x20-\x7e]+$/.test(key)) return new Error('the Idempotency-Key header must be printable ASCII');
  return key;
}
