import { createHash } from 'node:crypto';
import {
  InvalidMessageError,
  LoomError,
  PayloadTooLargeError,
  RuntimeStateError,
  SerializationError,
  StoreError,
  UnknownActorError,
  UnknownMethodError,
} from '../../core/errors.js';
import type { ActorRuntime, BodyMessage, CallMessage } from '../../runtime/actor-runtime.js';
import type { InvocationRecord } from '../../ports/store.js';
import { problem, type TriggerResponse } from './problem.js';
import { BodyTooLarge, idempotencyKeyOf, isJsonType, type TriggerRequest } from './request.js';
import { describeIssues, type StandardResult } from './schema.js';
import { Outcomes, pendingResponse, settledResponse } from './outcome.js';
import type { HttpInput, HttpTrigger } from './trigger.js';

/** Message header holding the request fingerprint, stored with the invocation at its atomic insert. */
export const FINGERPRINT_HEADER = 'loom-http-fingerprint';

/** Options shared by every way of mounting triggers. */
export interface HttpHandlerOptions {
  /** Where 202 responses point to poll: `<invocationsPath>/<invocationId>`. Default `/loom/invocations`. */
  invocationsPath?: string;
}

/** The one core function every adapter calls: a request in, a response out (undefined when no trigger's path matches). */
export type RequestHandler = (req: TriggerRequest) => Promise<TriggerResponse | undefined>;

/**
 * Builds the core request → message function for some triggers. Nothing is
 * stored for a request that fails a check: size, content type, JSON, schema,
 * Idempotency-Key and actor id are all checked before the message is sent.
 */
export function createRequestHandler(runtime: ActorRuntime, triggers: readonly HttpTrigger[], options: HttpHandlerOptions = {}): RequestHandler {
  const invocations = (options.invocationsPath ?? '/loom/invocations').replace(/\/$/, '');
  const outcomes = new Outcomes(runtime);
  return async (req) => {
    const url = new URL(req.url, 'http://localhost');
    const pathname = url.pathname;
    const method = req.method.toUpperCase();
    if (pathname.startsWith(`${invocations}/`)) {
      if (method !== 'GET') return problem(405, 'method-not-allowed', 'Method not allowed', `poll ${pathname} with GET`, {}, { allow: 'GET' });
      return poll(runtime, decodeURIComponent(pathname.slice(invocations.length + 1)), invocations);
    }
    const allowed: string[] = [];
    for (const t of triggers) {
      const params = t.route.match(pathname);
      if (!params) continue;
      if (t.method !== method) {
        allowed.push(t.method);
        continue;
      }
      return accept(runtime, outcomes, t, req, params, url.searchParams, pathname, invocations);
    }
    if (allowed.length > 0) return problem(405, 'method-not-allowed', 'Method not allowed', `${pathname} takes ${allowed.join(', ')}, not ${method}`, {}, { allow: allowed.join(', ') });
    return undefined;
  };
}

async function accept(
  runtime: ActorRuntime,
  outcomes: Outcomes,
  t: HttpTrigger,
  req: TriggerRequest,
  params: Record<string, string>,
  query: URLSearchParams,
  pathname: string,
  invocations: string,
): Promise<TriggerResponse> {
  const declared = Number(req.header('content-length'));
  if (declared > t.maxBodyBytes) return tooLarge(t);
  let raw: Uint8Array;
  try {
    raw = await req.body(t.maxBodyBytes);
  } catch (err) {
    if (err instanceof BodyTooLarge) return tooLarge(t);
    throw err;
  }
  let body: unknown;
  if (raw.byteLength > 0) {
    const type = req.header('content-type');
    if (!isJsonType(type)) {
      return problem(415, 'unsupported-media-type', 'Unsupported media type', `send the body as JSON with Content-Type: application/json (got ${type ? JSON.stringify(type) : 'no Content-Type'})`);
    }
    try {
      body = JSON.parse(Buffer.from(raw).toString('utf8'));
    } catch (err) {
      return problem(400, 'invalid-json', 'The body is not valid JSON', (err as Error).message);
    }
  }
  const schema = t.options.schema;
  if (schema) {
    let result = schema['~standard'].validate(body) as StandardResult<unknown> | Promise<StandardResult<unknown>>;
    if (result instanceof Promise) result = await result;
    if (result.issues) {
      const issues = describeIssues(result.issues);
      const detail = issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join('; ');
      return problem(400, 'validation-failed', 'The body does not match the schema', detail, { issues });
    }
    body = result.value;
  }
  const key = idempotencyKeyOf(req.header('idempotency-key'));
  if (key instanceof Error) return problem(400, 'invalid-idempotency-key', 'Invalid Idempotency-Key', key.message);
  if (key === undefined && t.options.idempotencyKey === 'required') {
    return problem(400, 'idempotency-key-required', 'Idempotency-Key required', `${t.method} ${t.route.path} needs an Idempotency-Key header; send a unique key per operation and reuse it when retrying`);
  }
  const input: HttpInput = { body, params, query, header: (n) => req.header(n.toLowerCase()) };
  const actorId = actorIdOf(t, input);
  if (typeof actorId !== 'string' || actorId === '') {
    return problem(400, 'actor-id-missing', 'Which actor?', typeof actorId === 'object' ? actorId.message : `the request does not name the actor: ${describeSource(t)}`);
  }
  const fingerprint = createHash('sha256').update(`${t.method} ${pathname}\n`).update(raw).digest('base64url');
  let receipt;
  try {
    receipt = await send(runtime, t, input, actorId, key, fingerprint);
  } catch (err) {
    return sendFailed(t, err);
  }
  const id = receipt.invocationId;
  if (receipt.duplicate) {
    let rec: InvocationRecord | undefined;
    try {
      rec = await runtime.getInvocation(id);
    } catch (err) {
      return unavailable(err as Error);
    }
    if (rec && rec.meta?.headers?.[FINGERPRINT_HEADER] !== fingerprint) {
      return problem(422, 'idempotency-key-reused', 'Idempotency-Key reused', `the key ${JSON.stringify(key)} was already used for a different request to ${rec.actorType}/${rec.actorId}; use a new key for a new request`);
    }
  }
  const location = `${invocations}/${encodeURIComponent(id)}`;
  if (t.mode === 'send') return pendingResponse(id, location);
  const settled = await outcomes.waitFor(id, t.waitMs);
  if (settled === 'timeout') return pendingResponse(id, location);
  if (settled instanceof Error) return unavailable(settled);
  return settledResponse(id, settled);
}

function send(runtime: ActorRuntime, t: HttpTrigger, input: HttpInput, actorId: string, key: string | undefined, fingerprint: string) {
  const args = t.options.args ? t.options.args(input) : [input.body];
  const headers = { [FINGERPRINT_HEADER]: fingerprint };
  const type = t.options.actorType;
  const message = (actorType: string | undefined): CallMessage | BodyMessage => {
    const base = { actorId, headers, ...(key !== undefined ? { idempotencyKey: key } : {}) };
    if (args.length === 1) return { ...base, body: args[0], ...(actorType ? { actorType } : {}), ...(t.options.handler ? { method: t.options.handler } : {}) };
    if (!actorType || !t.options.handler) throw new InvalidMessageError(`createHttpTrigger ${t.route.path}: args() returned ${args.length} arguments; that needs both actorType and handler set`);
    return { ...base, actorType, method: t.options.handler, args };
  };
  return runtime.send(message(type)).catch((err: unknown) => {
    const pascal = type && pascalCase(type);
    if (err instanceof UnknownActorError && pascal && pascal !== type) return runtime.send(message(pascal));
    throw err;
  });
}

async function poll(runtime: ActorRuntime, id: string, invocations: string): Promise<TriggerResponse> {
  let rec: InvocationRecord | undefined;
  try {
    rec = await runtime.getInvocation(id);
  } catch (err) {
    return unavailable(err as Error);
  }
  // Only invocations that came through an HTTP trigger can be polled here.
  if (!rec || rec.meta?.headers?.[FINGERPRINT_HEADER] === undefined) {
    return problem(404, 'not-found', 'No such invocation', `invocation ${id} is unknown, was not made by an HTTP trigger, or finished long enough ago to be swept`);
  }
  const location = `${invocations}/${encodeURIComponent(id)}`;
  if (rec.status === 'pending') return pendingResponse(id, location);
  if (rec.status === 'completed') return settledResponse(id, { status: 'completed', value: rec.resultJson === undefined ? undefined : JSON.parse(rec.resultJson) });
  return settledResponse(id, { status: rec.status, error: rec.error ?? { name: 'Error', message: 'failed' } });
}

function actorIdOf(t: HttpTrigger, input: HttpInput): string | undefined | Error {
  const src = t.options.actorId;
  try {
    if (typeof src === 'string') return src;
    if (typeof src === 'function') return src(input);
    if (src && 'param' in src) return input.params[src.param];
    const field = src && 'body' in src ? src.body : undefined;
    if (!field && t.route.params.includes('id')) return input.params.id;
    const v = (input.body as Record<string, unknown> | undefined)?.[field ?? 'id'];
    return typeof v === 'string' ? v : typeof v === 'number' ? String(v) : undefined;
  } catch (err) {
    return new Error(`the actorId function of ${t.route.path} threw: ${(err as Error).message}`);
  }
}

function describeSource(t: HttpTrigger): string {
  const src = t.options.actorId;
  if (src && typeof src === 'object') return 'param' in src ? `path parameter :${src.param} is empty` : `the body has no string field "${src.body}"`;
  if (typeof src === 'function') return 'the actorId function returned no string';
  return t.route.params.includes('id') ? 'path parameter :id is empty' : 'the body has no string field "id"';
}

function sendFailed(t: HttpTrigger, err: unknown): TriggerResponse {
  if (err instanceof PayloadTooLargeError) return problem(413, 'payload-too-large', 'Payload too large', err.message);
  if (err instanceof UnknownActorError || err instanceof UnknownMethodError) {
    // A configured type or handler that does not exist is the server's fault; one named by the request is the client's.
    if (t.options.actorType) return problem(500, 'internal', 'Trigger misconfigured', err.message, { code: err.code });
    return problem(404, 'not-found', 'No such actor type', err.message, { code: err.code });
  }
  if (err instanceof InvalidMessageError || err instanceof SerializationError) return problem(400, 'invalid-message', 'Invalid message', err.message, { code: err.code });
  return unavailable(err as Error);
}

function unavailable(err: Error): TriggerResponse {
  if (err instanceof StoreError || err instanceof RuntimeStateError) {
    return problem(503, 'unavailable', 'Service unavailable', 'the message store is unavailable; retry with the same Idempotency-Key', { code: err.code }, { 'retry-after': '1' });
  }
  return problem(500, 'internal', 'Internal error', 'the request could not be handled; retry with the same Idempotency-Key', err instanceof LoomError ? { code: err.code } : {});
}

function tooLarge(t: HttpTrigger): TriggerResponse {
  return problem(413, 'payload-too-large', 'Payload too large', `${t.method} ${t.route.path} accepts bodies up to ${t.maxBodyBytes} bytes`);
}

const pascalCase = (s: string): string => s.split(/[-_]/).filter(Boolean).map((p) => p[0]!.toUpperCase() + p.slice(1)).join('');
