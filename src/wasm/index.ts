/**
 * `loom/wasm`: sandboxed, polyglot actors. WebAssembly modules that speak Loom's
 * ABI (docs/wasm.md) run on warm worker threads with host-enforced memory, time
 * and output limits; `runtime.registerWasm` makes them durable actors.
 */
export { WasmActorRuntime, type WasmRuntimeOptions, type WasmSource, type CallContext, type CallOutcome } from './runtime.js';
export { composeWasmActors, WasmComposition } from './compose.js';
export { compileWasmActor, compileWasmActors, type CompileOptions } from './compile.js';
export { wasmActorClass, type RegisterWasmOptions, type WasmActorSource, type HostFunction } from './actor.js';
export { WasmError, WasmCompileError, type WasmFailureKind, type CompileDiagnostic } from './errors.js';
export { DEFAULT_LIMITS, type WasmLimits } from './limits.js';
export { ABI_VERSION, HOST_IMPORTS } from './abi.js';
export { WorkerPool } from './pool.js';
export { sandboxedJsClass, runSandboxedJs, type SandboxedJsLimits, type SandboxedJsCall } from './sandboxed-js.js';
