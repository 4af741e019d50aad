import { ConfigError } from '../../core/errors.js';
import { compileRoute, type Route } from './route.js';
import { isStandardSchema, type StandardSchemaV1 } from './schema.js';

/** What an HTTP trigger knows of a request when it picks the actor and builds the arguments. */
export interface HttpInput<B = unknown> {
  /** The parsed (and, with a schema, validated) JSON body; undefined when empty. */
  body: B;
  /** Path parameters (`/orders/:id` → `{ id }`). */
  params: Record<string, string>;
  query: URLSearchParams;
  header(name: string): string | undefined;
}

/** Where the actor id comes from. */
export type ActorIdSource<B = unknown> = string | { param: string } | { body: string } | ((input: HttpInput<B>) => string);

/** Options of {@link createHttpTrigger}. */
export interface HttpTriggerOptions<B = unknown> {
  /** Route path; `:name` segments are parameters (`/orders/:id`). */
  path: string;
  /** HTTP method. Default `'POST'`. */
  method?: string;
  /**
   * The actor type, as registered (`OrderProcessor`) or in kebab case
   * (`order-processor`). Default: the type whose kebab name prefixes the actor id.
   */
  actorType?: string;
  /**
   * The actor id: a constant string, `{ param: 'id' }`, `{ body: 'customerId' }`
   * or a function of the request. Default: the `:id` path parameter when the path
   * has one, else the body's `id` field.
   */
  actorId?: ActorIdSource<B>;
  /** The actor method to invoke. Default: the type's `static defaultHandler` (else `handle`, else its only handler). */
  handler?: string;
  /** The handler's arguments. Default: `[body]`. */
  args?: (input: HttpInput<B>) => unknown[];
  /**
   * `'call'` (default): answer with the handler's result, or 202 with a `Location`
   * to poll past `waitMs`. `'send'`: answer 202 once the message is durable.
   */
  mode?: 'call' | 'send';
  /** In call mode, how long to wait for the result before answering 202, ms. Default 10000. */
  waitMs?: number;
  /** Largest body accepted, bytes. Default 1 MiB. */
  maxBodyBytes?: number;
  /** A Standard Schema (zod, valibot, ...) the body must pass before anything is stored. */
  schema?: StandardSchemaV1<unknown, B>;
  /** `'optional'` (default) or `'required'`: requests without an `Idempotency-Key` header are then refused with 400. */
  idempotencyKey?: 'optional' | 'required';
}

/** A route that turns requests into actor messages; mount it with `createHttpHandler`, `createFetchHandler` or `serveHttp`. */
export interface HttpTrigger {
  readonly kind: 'http';
  readonly method: string;
  readonly route: Route;
  readonly options: Readonly<HttpTriggerOptions>;
  readonly mode: 'call' | 'send';
  readonly waitMs: number;
  readonly maxBodyBytes: number;
}

/**
 * Maps an HTTP route to an actor message. The request's `Idempotency-Key`
 * header becomes the message's idempotency key: a retry gets the stored
 * response, and the same key with another body gets 422.
 *
 * @example
 * const trigger = createHttpTrigger({ path: '/api/orders', method: 'POST', actorType: 'order-processor' });
 * const server = await serveHttp({ runtime, triggers: [trigger], port: 3000 });
 */
export function createHttpTrigger<B = unknown>(options: HttpTriggerOptions<B>): HttpTrigger {
  if (typeof options !== 'object' || options === null) throw new ConfigError('createHttpTrigger needs an options object: { path, method, actorType, ... }');
  const route = compileRoute(options.path);
  const method = (options.method ?? 'POST').toUpperCase();
  if (!/^[A-Z]+$/.test(method)) throw new ConfigError(`createHttpTrigger ${options.path}: method must be an HTTP method such as 'POST', got ${JSON.stringify(options.method)}`);
  const mode = options.mode ?? 'call';
  if (mode !== 'call' && mode !== 'send') throw new ConfigError(`createHttpTrigger ${options.path}: mode must be 'call' or 'send', got ${JSON.stringify(mode)}`);
  const waitMs = positive(options.waitMs, 10_000, 'waitMs', options.path, true);
  const maxBodyBytes = positive(options.maxBodyBytes, 1024 * 1024, 'maxBodyBytes', options.path, false);
  if (options.schema !== undefined && !isStandardSchema(options.schema)) {
    throw new ConfigError(`createHttpTrigger ${options.path}: schema must implement Standard Schema (zod 3.24+, valibot 1+, arktype ...); it has no '~standard'.validate`);
  }
  if (options.idempotencyKey !== undefined && options.idempotencyKey !== 'optional' && options.idempotencyKey !== 'required') {
    throw new ConfigError(`createHttpTrigger ${options.path}: idempotencyKey must be 'optional' or 'required'`);
  }
  const id = options.actorId;
  if (id !== undefined && typeof id !== 'string' && typeof id !== 'function') {
    const param = (id as { param?: unknown }).param;
    const field = (id as { body?: unknown }).body;
    if (typeof param === 'string') {
      if (!route.params.includes(param)) throw new ConfigError(`createHttpTrigger ${options.path}: actorId names path parameter :${param}, which the path does not have`);
    } else if (typeof field !== 'string') {
      throw new ConfigError(`createHttpTrigger ${options.path}: actorId must be a string, { param }, { body } or a function`);
    }
  }
  // The body type only types the user's callbacks; past validation it is erased.
  return { kind: 'http', method, route, options: options as HttpTriggerOptions, mode, waitMs, maxBodyBytes };
}

function positive(v: number | undefined, dflt: number, name: string, path: string, zeroOk: boolean): number {
  if (v === undefined) return dflt;
  if (!Number.isInteger(v) || v < 0 || (!zeroOk && v === 0)) throw new ConfigError(`createHttpTrigger ${path}: ${name} must be a ${zeroOk ? 'non-negative' : 'positive'} integer, got ${String(v)}`);
  return v;
}
