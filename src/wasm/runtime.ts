import { createHash, randomInt } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { ConfigError, SerializationError, TerminalError } from '../core/errors.js';
import { checkModule, memoryPages, type CheckedModule } from './abi.js';
import { WasmError } from './errors.js';
import { runGuest, type GuestRequest, type GuestResult } from './guest.js';
import { resolveLimits, type ResolvedLimits, type WasmLimits } from './limits.js';
import { sharedPool, type AsyncHostCall, type PoolModule, type WorkerPool } from './pool.js';

/** Bytes of a module, or the path of a `.wasm` file. */
export type WasmSource = Uint8Array | ArrayBuffer | string;

/** Context of one call, supplied by a durable actor (defaults otherwise). */
export interface CallContext {
  /** The actor's state as JSON. Default `{}`. */
  stateJson?: string;
  /** What `loom.now` returns. Default `Date.now()`. */
  now?: number;
  /** Seed of `loom.random`. Default: a fresh random one. */
  seed?: number;
  /** Answers `loom.call`. */
  hostCall?: AsyncHostCall;
}

/** What a call returns with its context: the output, and the state if the guest set one. */
export interface CallOutcome {
  output: unknown;
  state?: unknown;
  stateSet: boolean;
  logs: string[];
}

/** Options of {@link WasmActorRuntime} beyond its limits. */
export interface WasmRuntimeOptions {
  /** Allows the guest to import `loom.call`. Default false. */
  allowHostCalls?: boolean;
  /** Name in error messages. Default `wasm module`. */
  name?: string;
  /** Run calls in the calling thread instead of the worker pool. No deadline can be enforced then: trusted modules and benchmarks only. */
  inThread?: boolean;
  /** A pool of your own instead of the process-wide one. */
  pool?: WorkerPool;
}

/**
 * Runs one WebAssembly actor module in a sandbox: each call gets a fresh instance
 * over a fresh memory capped at `limits.memoryBytes`, on a warm worker thread that
 * is terminated if the call passes `limits.timeoutMs`. JSON in, JSON out.
 *
 * @example
 * const runtime = new WasmActorRuntime(await compileWasmActor('calculator-actor.ts'));
 * await runtime.execute('add', { a: 5, b: 3 }); // { result: 8 }
 */
export class WasmActorRuntime {
  /** The resolved limits. */
  readonly limits: ResolvedLimits;
  private readonly checked: CheckedModule;
  private readonly mod: PoolModule;
  private readonly pages: { initial: number; maximum: number };
  private readonly name: string;
  private readonly inThread: boolean;
  private poolInstance: WorkerPool | undefined;

  constructor(buffer: Uint8Array | ArrayBuffer, limits?: WasmLimits, options: WasmRuntimeOptions = {}) {
    const bytes = toBytes(buffer, 'new WasmActorRuntime()');
    this.name = options.name ?? 'wasm module';
    this.limits = resolveLimits(limits, `WasmActorRuntime(${this.name})`);
    this.checked = checkModule(bytes, this.name, this.limits, options.allowHostCalls === true);
    this.mod = { id: createHash('sha256').update(bytes).digest('hex'), module: this.checked.module };
    this.pages = memoryPages(this.checked, this.limits);
    this.inThread = options.inThread === true;
    this.poolInstance = options.pool;
  }

  /** Loads a module from a path or bytes. */
  static async load(source: WasmSource, limits?: WasmLimits, options: WasmRuntimeOptions = {}): Promise<WasmActorRuntime> {
    const name = options.name ?? (typeof source === 'string' ? source : undefined);
    const bytes = typeof source === 'string' ? await readModuleFile(source) : source;
    return new WasmActorRuntime(bytes, limits, name ? { ...options, name } : options);
  }

  /** The module's methods (its exported functions other than the ABI's). */
  get methods(): readonly string[] {
    return this.checked.methods;
  }

  /** Host functions the module imports from `loom`. */
  get hostImports(): readonly string[] {
    return this.checked.hostImports;
  }

  /** Calls `method` with `input` (any JSON value) and resolves with its JSON output. Fails with a {@link WasmError}. */
  async execute<T = unknown>(method: string, input: unknown = null): Promise<T> {
    return (await this.call(method, input)).output as T;
  }

  /** Like {@link execute}, with a durable context, and returning the state and logs too. */
  async call(method: string, input: unknown, ctx: CallContext = {}): Promise<CallOutcome> {
    if (!this.checked.methods.includes(method)) {
      throw new WasmError('bad_module', `${this.name} has no method "${method}" (it exports: ${this.checked.methods.join(', ') || 'none'})`);
    }
    const inputJson = toInputJson(input, `the input of ${this.name}.${method}`);
    if (inputJson.length > this.limits.maxOutputBytes * 4) throw new SerializationError(`the input of ${this.name}.${method} is too large (${inputJson.length} chars)`);
    const req: GuestRequest = {
      method,
      inputJson,
      stateJson: ctx.stateJson ?? '{}',
      now: ctx.now ?? Date.now(),
      seed: ctx.seed ?? randomInt(1, 2 ** 32 - 1),
      initialPages: this.pages.initial,
      maximumPages: this.pages.maximum,
      maxOutputBytes: this.limits.maxOutputBytes,
    };
    const result = this.inThread ? runInThread(this.checked.module, req, ctx.hostCall) : await this.pool.run(this.mod, req, this.limits.timeoutMs, ctx.hostCall);
    return unwrap(result, `${this.name}.${method}`);
  }

  /** Forgets the compiled module in the pool's workers. */
  close(): void {
    if (!this.inThread) this.poolInstance?.unload(this.mod.id);
  }

  private get pool(): WorkerPool {
    this.poolInstance ??= sharedPool(this.limits.stackKiB);
    return this.poolInstance;
  }
}

function runInThread(module: WebAssembly.Module, req: GuestRequest, hostCall: AsyncHostCall | undefined): GuestResult {
  return runGuest(module, req, (name) => {
    if (hostCall) throw new WasmError('bad_module', `host function ${name} cannot be called from a module run in-thread; run it on the worker pool`);
    throw new WasmError('bad_module', `no host functions are granted to this guest (it called ${name})`);
  });
}

function unwrap(result: GuestResult, what: string): CallOutcome {
  if (result.ok) return { output: result.output, state: result.state, stateSet: 'state' in result, logs: result.logs };
  if (result.kind === 'host') {
    const msg = `${what}: a host function failed: ${result.message}`;
    throw result.terminal ? new TerminalError(msg) : new Error(msg);
  }
  throw new WasmError(result.kind, `${what}: ${result.message}`, result.elapsedMs === undefined ? {} : { elapsedMs: result.elapsedMs });
}

function toInputJson(input: unknown, what: string): string {
  let json: string | undefined;
  try {
    json = JSON.stringify(input === undefined ? null : input);
  } catch (cause) {
    throw new SerializationError(`${what} is not JSON-serializable`, { cause });
  }
  if (json === undefined) throw new SerializationError(`${what} is not JSON-serializable (${typeof input})`);
  return json;
}

/** Bytes of a module from the accepted shapes. */
export function toBytes(buffer: unknown, what: string): Uint8Array {
  if (buffer instanceof Uint8Array) return buffer;
  if (buffer instanceof ArrayBuffer) return new Uint8Array(buffer);
  throw new ConfigError(`${what} takes the module's bytes (a Buffer, Uint8Array or ArrayBuffer), got ${buffer === null ? 'null' : typeof buffer}`);
}

/** Reads a `.wasm` file, with an error that names it. */
export async function readModuleFile(path: string): Promise<Uint8Array> {
  try {
    return await readFile(path);
  } catch (cause) {
    throw new ConfigError(`cannot read WebAssembly module ${path}: ${(cause as Error).message}`, { cause });
  }
}
