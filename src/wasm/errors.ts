import { LoomError } from '../core/errors.js';

/**
 * Why a sandboxed call failed. Stable strings, also carried in the error code
 * (`LOOM_WASM_<KIND>`):
 * - `resource_limit`: the guest hit its memory, stack or output cap;
 * - `timeout`: it ran past its deadline and its worker was terminated;
 * - `trap`: it trapped (unreachable, divide by zero, out-of-bounds access) or reported an error;
 * - `bad_module`: the module breaks the ABI (own memory, undeclared import, missing export);
 * - `bad_output`: its output is not a valid frame of UTF-8 JSON.
 */
export type WasmFailureKind = 'resource_limit' | 'timeout' | 'trap' | 'bad_module' | 'bad_output';

const CODES: Record<WasmFailureKind, string> = {
  resource_limit: 'LOOM_WASM_RESOURCE_LIMIT',
  timeout: 'LOOM_WASM_TIMEOUT',
  trap: 'LOOM_WASM_TRAP',
  bad_module: 'LOOM_WASM_BAD_MODULE',
  bad_output: 'LOOM_WASM_BAD_OUTPUT',
};

/**
 * A sandboxed call (WebAssembly or QuickJS) failed. Only `timeout` is retried by
 * a durable actor: a retry cannot fix the others, so they go to the dead letters
 * at once.
 */
export class WasmError extends LoomError {
  /** The stable failure kind. */
  readonly kind: WasmFailureKind;
  /** How long the guest ran before it failed, ms, as the host measured it (when it ran at all). */
  readonly elapsedMs: number | undefined;
  constructor(kind: WasmFailureKind, message: string, options?: { cause?: unknown; elapsedMs?: number }) {
    super(CODES[kind], message, options);
    this.kind = kind;
    this.elapsedMs = options?.elapsedMs;
    if (kind !== 'timeout') this.unrecoverable = true;
  }
}

/** One compiler diagnostic of {@link WasmCompileError}. */
export interface CompileDiagnostic {
  file: string;
  line: number;
  column: number;
  message: string;
}

/** `compileWasmActor` met compile errors; each names its file, line and message. */
export class WasmCompileError extends LoomError {
  constructor(
    readonly diagnostics: CompileDiagnostic[],
    source: string,
  ) {
    super(
      'LOOM_WASM_COMPILE',
      `${source} does not compile:\n` + diagnostics.map((d) => `  ${d.file}:${d.line}:${d.column}: ${d.message}`).join('\n'),
    );
  }
}

/** True for a wasm failure value as it crosses a worker boundary. */
export function isFailureKind(v: unknown): v is WasmFailureKind {
  return typeof v === 'string' && v in CODES;
}
