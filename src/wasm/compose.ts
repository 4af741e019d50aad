import { WasmError } from './errors.js';
import type { WasmLimits } from './limits.js';
import { WasmActorRuntime, type CallContext, type CallOutcome, type WasmSource } from './runtime.js';

/**
 * WebAssembly actors run one after another: each stage's output is the next
 * stage's input. A stage runs `method` if it exports it, else its only method.
 */
export class WasmComposition {
  constructor(
    /** The stages, in order. */
    readonly stages: readonly WasmActorRuntime[],
  ) {}

  /** Pipes `input` through every stage and resolves with the last output. */
  async execute<T = unknown>(method: string, input: unknown = null): Promise<T> {
    let value = input;
    for (let i = 0; i < this.stages.length; i++) value = (await this.runStage(i, method, value)).output;
    return value as T;
  }

  /** Runs one stage (used by durable actors, which journal each stage as a step). */
  runStage(index: number, method: string, input: unknown, ctx?: CallContext): Promise<CallOutcome> {
    const stage = this.stages[index]!;
    return stage.call(stageMethod(stage, method, index), input, ctx);
  }

  /** Forgets the compiled modules in the pool's workers. */
  close(): void {
    for (const s of this.stages) s.close();
  }
}

/** The method a stage runs for a composition's `method`. */
export function stageMethod(stage: WasmActorRuntime, method: string, index: number): string {
  if (stage.methods.includes(method)) return method;
  if (stage.methods.length === 1) return stage.methods[0]!;
  throw new WasmError('bad_module', `stage ${index + 1} exports neither "${method}" nor a single method (it exports: ${stage.methods.join(', ')})`);
}

/**
 * Composes WebAssembly actors into a pipeline.
 *
 * @example
 * const loanEngine = await composeWasmActors(['credit-scorer.wasm', 'risk-analyzer.wasm', 'rate-calculator.wasm']);
 * const decision = await loanEngine.execute('evaluateLoan', loanApplication);
 */
export async function composeWasmActors(sources: readonly WasmSource[], limits?: WasmLimits): Promise<WasmComposition> {
  if (!Array.isArray(sources) || sources.length === 0) {
    throw new WasmError('bad_module', 'composeWasmActors() takes a non-empty array of .wasm paths or module bytes');
  }
  const stages = await Promise.all(sources.map((s, i) => WasmActorRuntime.load(s, limits, { name: typeof s === 'string' ? s : `stage ${i + 1}` })));
  return new WasmComposition(stages);
}
