import { ConfigError, SerializationError } from '../core/errors.js';
import { Actor, RESERVED_NAMES } from '../core/actor.js';
import type { ActorClass } from '../core/registry.js';
import { WasmError } from './errors.js';

/** Limits of a sandboxed JavaScript actor. Every field is optional. */
export interface SandboxedJsLimits {
  /** QuickJS heap, bytes. Default 16 MiB. */
  memoryBytes?: number;
  /** Interpreter stack, bytes. Default and maximum 256 KiB. */
  stackBytes?: number;
  /** Deadline of one call, ms; the interpreter is interrupted past it. Default 1000. */
  timeoutMs?: number;
  /** Largest output (and state) as JSON, bytes. Default 1 MiB. */
  maxOutputBytes?: number;
}

type Resolved = Required<SandboxedJsLimits>;
const DEFAULTS: Resolved = { memoryBytes: 16 * 1024 * 1024, stackBytes: 256 * 1024, timeoutMs: 1000, maxOutputBytes: 1024 * 1024 };
const MAX_STACK = 256 * 1024;
const HANDLER = /^(?:async\s+)?function\s+([A-Za-z_$][\w$]*)\s*\(/gm;

interface QuickJs {
  newRuntime(): QjsRuntime;
}
interface QjsRuntime {
  setMemoryLimit(n: number): void;
  setMaxStackSize(n: number): void;
  setInterruptHandler(fn: () => boolean): void;
  newContext(): QjsContext;
  dispose(): void;
}
interface QjsHandle {
  dispose(): void;
}
interface QjsContext {
  evalCode(code: string, filename?: string): { error?: QjsHandle; value?: QjsHandle };
  dump(h: QjsHandle): unknown;
  newFunction(name: string, fn: (...args: QjsHandle[]) => QjsHandle | undefined): QjsHandle;
  newNumber(n: number): QjsHandle;
  getString(h: QjsHandle): string;
  setProp(target: QjsHandle, key: string, value: QjsHandle): void;
  readonly global: QjsHandle;
  dispose(): void;
}

let quickjs: Promise<QuickJs> | undefined;

function loadQuickJs(): Promise<QuickJs> {
  quickjs ??= import('quickjs-emscripten').then(
    (m) => (m as unknown as { getQuickJS(): Promise<QuickJs> }).getQuickJS(),
    (cause: unknown) => {
      quickjs = undefined;
      throw new ConfigError('registerSandboxedJs needs QuickJS: npm install quickjs-emscripten@0.32.0', { cause });
    },
  );
  return quickjs;
}

/** One call into a sandboxed JavaScript actor. */
export interface SandboxedJsCall {
  method: string;
  inputJson: string;
  stateJson: string;
  now: number;
  seed: number;
}

/**
 * Runs one handler of `source` on a fresh QuickJS runtime with hard memory, stack
 * and time limits. The guest sees `state` (a mutable object) and `loom.log`,
 * `loom.now()`, `loom.random()` (both journaled), and nothing of the host.
 */
export async function runSandboxedJs(source: string, call: SandboxedJsCall, limits: Resolved, logs: string[] = []): Promise<{ output: unknown; state: unknown }> {
  const qjs = await loadQuickJs();
  const rt = qjs.newRuntime();
  const deadline = Date.now() + limits.timeoutMs;
  let interrupted = false;
  rt.setMemoryLimit(limits.memoryBytes);
  rt.setMaxStackSize(limits.stackBytes);
  rt.setInterruptHandler(() => (interrupted = Date.now() > deadline));
  const vm = rt.newContext();
  try {
    let rng = call.seed >>> 0 || 0x9e3779b9;
    const loom = vm.evalCode('({})').value!;
    const log = vm.newFunction('log', (h) => {
      if (logs.length < 100) logs.push(vm.getString(h).slice(0, 4096));
      return undefined;
    });
    const now = vm.newFunction('now', () => vm.newNumber(call.now));
    const random = vm.newFunction('random', () => {
      rng ^= rng << 13;
      rng ^= rng >>> 17;
      rng ^= rng << 5;
      return vm.newNumber((rng >>> 0) / 4294967296);
    });
    vm.setProp(loom, 'log', log);
    vm.setProp(loom, 'now', now);
    vm.setProp(loom, 'random', random);
    vm.setProp(vm.global, 'loom', loom);
    for (const h of [log, now, random, loom]) h.dispose();
    check(vm, vm.evalCode(`globalThis.state = JSON.parse(${JSON.stringify(call.stateJson)});\n${source}`, 'actor.js'), 'bad_module', interrupted);
    const out = check(
      vm,
      vm.evalCode(`JSON.stringify([${call.method}(JSON.parse(${JSON.stringify(call.inputJson)}), state) ?? null, state])`, 'call.js'),
      'trap',
      interrupted,
    );
    if (typeof out !== 'string') throw new WasmError('bad_output', `${call.method} returned something JSON cannot carry`);
    if (out.length > limits.maxOutputBytes) throw new WasmError('resource_limit', `${call.method} returned ${out.length} bytes of JSON, over the limit of ${limits.maxOutputBytes}`);
    const [output, state] = JSON.parse(out) as [unknown, unknown];
    return { output, state };
  } finally {
    vm.dispose();
    rt.dispose();
  }
}

function check(vm: QjsContext, r: { error?: QjsHandle; value?: QjsHandle }, kind: 'bad_module' | 'trap', interrupted: boolean): unknown {
  if (r.error) {
    const e = vm.dump(r.error) as { name?: string; message?: string } | string;
    r.error.dispose();
    const message = typeof e === 'string' ? e : `${e?.name ?? 'Error'}: ${e?.message ?? String(e)}`;
    if (interrupted || /interrupted/i.test(message)) throw new WasmError('timeout', `the sandboxed script ran past its deadline and was interrupted`);
    if (/out of memory/i.test(message)) throw new WasmError('resource_limit', `the sandboxed script ran out of memory (${message})`);
    if (/stack overflow/i.test(message)) throw new WasmError('resource_limit', `the sandboxed script exhausted its stack (${message})`);
    throw new WasmError(kind, kind === 'bad_module' ? `the sandboxed script does not load: ${message}` : `the sandboxed script threw ${message}`);
  }
  const v = vm.dump(r.value!);
  r.value!.dispose();
  return v;
}

/** Checks limits of a sandboxed JS actor against their bounds. */
export function resolveJsLimits(limits: SandboxedJsLimits | undefined, what: string): Resolved {
  const out: Resolved = { ...DEFAULTS };
  for (const [k, v] of Object.entries(limits ?? {})) {
    if (!(k in DEFAULTS)) throw new ConfigError(`${what}: unknown limit "${k}" (known: ${Object.keys(DEFAULTS).join(', ')})`);
    if (v === undefined) continue;
    if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) throw new ConfigError(`${what}: limit ${k} must be a positive number, got ${String(v)}`);
    out[k as keyof Resolved] = v;
  }
  if (out.stackBytes > MAX_STACK) throw new ConfigError(`${what}: stackBytes is at most ${MAX_STACK} (256 KiB), got ${out.stackBytes}`);
  return out;
}

/**
 * An actor class whose handlers are the top-level `function name(input, state)`
 * declarations of `source`, run in QuickJS. `state` is the actor's durable state.
 */
export function sandboxedJsClass(type: string, source: string, limits?: SandboxedJsLimits): ActorClass {
  if (typeof type !== 'string' || !type) throw new ConfigError('registerSandboxedJs() takes a non-empty actor type name first');
  if (typeof source !== 'string') throw new ConfigError(`registerSandboxedJs(${type}) takes the script's source text`);
  const resolved = resolveJsLimits(limits, `registerSandboxedJs(${type})`);
  const methods = [...source.matchAll(HANDLER)].map((m) => m[1]!).filter((n) => !n.startsWith('_'));
  if (methods.length === 0) throw new ConfigError(`registerSandboxedJs(${type}): the script declares no top-level function; handlers are \`function name(input, state) { … }\``);
  const clash = methods.find((m) => RESERVED_NAMES.has(m));
  if (clash) throw new ConfigError(`registerSandboxedJs(${type}): "${clash}" is a name the Actor API reserves; rename the function`);

  class SandboxedJsActor extends Actor<Record<string, unknown>> {
    static override readonly name = type;
    static actorType = type;

    async run(method: string, input: unknown): Promise<unknown> {
      let inputJson: string | undefined;
      try {
        inputJson = JSON.stringify(input === undefined ? null : input);
      } catch (cause) {
        throw new SerializationError(`the input of ${type}.${method} is not JSON`, { cause });
      }
      const call = { method, inputJson: inputJson!, stateJson: JSON.stringify(this.state), now: this.now(), seed: Math.floor(this.random() * 0xfffffffe) + 1 };
      const { output, state } = await runSandboxedJs(source, call, resolved);
      this.state = (state ?? {}) as Record<string, unknown>;
      return output;
    }
  }
  for (const m of methods) {
    Object.defineProperty(SandboxedJsActor.prototype, m, {
      value: function (this: SandboxedJsActor, input: unknown) {
        return this.run(m, input);
      },
      writable: true,
      configurable: true,
    });
  }
  return SandboxedJsActor as unknown as ActorClass;
}
