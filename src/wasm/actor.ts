import { readFileSync } from 'node:fs';
import { Actor, RESERVED_NAMES, type ActorInfrastructureConfig } from '../core/actor.js';
import { ConfigError, TerminalError } from '../core/errors.js';
import type { ActorClass } from '../core/registry.js';
import { WasmComposition, stageMethod } from './compose.js';
import type { WasmLimits } from './limits.js';
import type { AsyncHostCall } from './pool.js';
import { WasmActorRuntime, toBytes, type CallContext, type CallOutcome } from './runtime.js';

/** A host function granted to a guest: JSON value in, JSON value out. */
export type HostFunction = (input: unknown) => unknown;

/** Options of `runtime.registerWasm`. */
export interface RegisterWasmOptions {
  limits?: WasmLimits;
  /** Functions the guest may call with `loom.call(name, input)`; each call is a journaled step. */
  hostFunctions?: Record<string, HostFunction>;
  /** Timeout, retry policy and idempotency TTL of the actor type, as for `register`. */
  config?: ActorInfrastructureConfig;
  /** State of an actor id that has none yet. Default `{}`. */
  initialState?: object;
  /** Receives the guest's `loom.log` lines. Default: dropped. */
  onLog?: (line: string, where: { actorType: string; actorId: string; method: string }) => void;
}

/** Module bytes, a `.wasm` path, or several of them for a composition. */
export type WasmActorSource = Uint8Array | ArrayBuffer | string | readonly (Uint8Array | ArrayBuffer | string)[];

/**
 * An actor class whose handlers are the exports of a WebAssembly module (or the
 * stages of a composition). The state is the actor's durable state; `now` and
 * the random seed are journaled; host calls are steps; in a composition each
 * stage is a step, so a crash resumes at the first stage not yet journaled.
 */
export function wasmActorClass(type: string, source: WasmActorSource, options: RegisterWasmOptions = {}): ActorClass {
  if (typeof type !== 'string' || !type) throw new ConfigError('registerWasm() takes a non-empty actor type name first');
  const hostFunctions = options.hostFunctions ?? {};
  for (const [name, fn] of Object.entries(hostFunctions)) {
    if (typeof fn !== 'function') throw new ConfigError(`registerWasm(${type}): hostFunctions.${name} must be a function`);
  }
  const grants = Object.keys(hostFunctions).length > 0;
  const sources = Array.isArray(source) ? (source as readonly (Uint8Array | ArrayBuffer | string)[]) : [source as Uint8Array | ArrayBuffer | string];
  if (sources.length === 0) throw new ConfigError(`registerWasm(${type}) got an empty list of modules`);
  const stages = sources.map((s, i) => {
    const name = typeof s === 'string' ? s : sources.length > 1 ? `${type} stage ${i + 1}` : type;
    const bytes = typeof s === 'string' ? readSync(s, type) : toBytes(s, `registerWasm(${type})`);
    return new WasmActorRuntime(bytes, options.limits, { name, allowHostCalls: grants });
  });
  const composition = stages.length > 1 ? new WasmComposition(stages) : undefined;
  const methods = composition ? compositionMethods(stages) : stages[0]!.methods;
  const clash = methods.find((m) => RESERVED_NAMES.has(m));
  if (clash) throw new ConfigError(`registerWasm(${type}): the module exports "${clash}", a name the Actor API reserves; rename the export`);
  const onLog = options.onLog;

  class WasmActor extends Actor<Record<string, unknown>> {
    static override readonly name = type;
    static actorType = type;
    static initialState = options.initialState ?? {};

    async run(method: string, input: unknown): Promise<unknown> {
      const ctx: CallContext = { stateJson: JSON.stringify(this.state), now: this.now(), seed: Math.floor(this.random() * 0xfffffffe) + 1 };
      let out: CallOutcome;
      if (!composition) {
        if (grants) ctx.hostCall = this.journaledHostCall();
        out = await stages[0]!.call(method, input, ctx);
        this.absorb(out, method);
        return out.output;
      }
      // Each stage is a step: its output and state are journaled before the next stage starts.
      let value = input;
      for (let i = 0; i < stages.length; i++) {
        const stageCtx: CallContext = { ...ctx, stateJson: JSON.stringify(this.state), now: ctx.now!, seed: ctx.seed! + i };
        if (grants) stageCtx.hostCall = directHostCall(hostFunctions);
        const name = `stage ${i + 1} ${stageMethod(stages[i]!, method, i)}`;
        out = await this.step(name, () => composition.runStage(i, method, value, stageCtx));
        this.absorb(out, method);
        value = out.output;
      }
      return value;
    }

    private absorb(out: CallOutcome, method: string): void {
      if (out.stateSet) this.state = out.state as Record<string, unknown>;
      if (onLog) for (const line of out.logs) onLog(line, { actorType: type, actorId: this.actorId, method });
    }

    private journaledHostCall(): AsyncHostCall {
      return (name, argJson) => this.step(`host ${name}`, () => callHost(hostFunctions, name, argJson));
    }
  }
  for (const m of methods) {
    Object.defineProperty(WasmActor.prototype, m, {
      value: function (this: WasmActor, input: unknown) {
        return this.run(m, input);
      },
      writable: true,
      configurable: true,
    });
  }
  return WasmActor as unknown as ActorClass;
}

function directHostCall(fns: Record<string, HostFunction>): AsyncHostCall {
  return (name, argJson) => callHost(fns, name, argJson);
}

async function callHost(fns: Record<string, HostFunction>, name: string, argJson: string): Promise<string> {
  const fn = Object.hasOwn(fns, name) ? fns[name] : undefined;
  if (!fn) throw new TerminalError(`the guest called host function "${name}", which is not granted (granted: ${Object.keys(fns).join(', ') || 'none'})`);
  const out = await fn(JSON.parse(argJson));
  return JSON.stringify(out === undefined ? null : out);
}

function compositionMethods(stages: WasmActorRuntime[]): string[] {
  const first = stages[0]!;
  return first.methods.length === 1 ? ['execute', ...first.methods] : [...first.methods];
}

function readSync(path: string, type: string): Uint8Array {
  try {
    return readFileSync(path);
  } catch (cause) {
    throw new ConfigError(`registerWasm(${type}): cannot read ${path}: ${(cause as Error).message}`, { cause });
  }
}
