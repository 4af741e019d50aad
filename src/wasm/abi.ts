import { readBinaryFacts } from './binary.js';
import { WasmError } from './errors.js';
import { PAGE_BYTES, type ResolvedLimits } from './limits.js';

/** ABI version this host speaks (see docs/wasm.md). */
export const ABI_VERSION = 1;

/** The host functions a guest may import from module `loom`, with their wasm signatures. */
export const HOST_IMPORTS: Readonly<Record<string, string>> = Object.freeze({
  log: '(ptr: i32, len: i32) -> ()',
  fail: '(ptr: i32, len: i32) -> ()',
  state_get: '() -> frame: i32',
  state_set: '(ptr: i32, len: i32) -> ()',
  call: '(namePtr: i32, nameLen: i32, argPtr: i32, argLen: i32) -> frame: i32',
  now: '() -> f64',
  random: '() -> f64',
});

/** The export every guest provides so the host can hand it bytes. */
export const ALLOC_EXPORT = 'loom_alloc';

/** A module checked against the ABI. */
export interface CheckedModule {
  module: WebAssembly.Module;
  /** The guest's methods: its function exports other than the ABI's own. */
  methods: string[];
  /** Memory the module needs at start, pages. */
  minPages: number;
  /** The module's own cap on memory, pages, if it declares one. */
  maxPages?: number;
  /** Host functions it imports from `loom`. */
  hostImports: string[];
}

/**
 * Compiles and checks a module: it must import its memory as `env.memory`, define
 * none, export `loom_alloc`, and import nothing but the ABI's host functions — and
 * `loom.call` only when host functions were granted. Throws `bad_module` naming the problem.
 */
export function checkModule(bytes: Uint8Array, name: string, limits: ResolvedLimits, grantsHostCalls: boolean): CheckedModule {
  let module: WebAssembly.Module;
  let facts;
  try {
    facts = readBinaryFacts(bytes);
    module = new WebAssembly.Module(bytes);
  } catch (cause) {
    throw new WasmError('bad_module', `${name} is not a valid WebAssembly module: ${(cause as Error).message}`, { cause });
  }
  const hostImports: string[] = [];
  for (const imp of WebAssembly.Module.imports(module)) {
    const full = `${imp.module}.${imp.name}`;
    if (imp.module === 'env' && imp.name === 'memory' && imp.kind === 'memory') continue;
    if (imp.module === 'loom' && imp.kind === 'function' && imp.name in HOST_IMPORTS) {
      if (imp.name === 'call' && !grantsHostCalls) {
        throw new WasmError('bad_module', `${name} imports loom.call, but no hostFunctions were granted to it; pass { hostFunctions: { name: fn } } or drop the import`);
      }
      hostImports.push(imp.name);
      continue;
    }
    throw new WasmError(
      'bad_module',
      `${name} imports ${full} (${imp.kind}), which the host does not provide; a guest may import only env.memory and ` +
        Object.keys(HOST_IMPORTS).map((n) => `loom.${n}`).join(', '),
    );
  }
  if (facts.definedMemories > 0 || !facts.importedMemory) {
    throw new WasmError(
      'bad_module',
      `${name} defines its own memory; a guest must import its memory as env.memory so the host can cap it ` +
        `(AssemblyScript: --importMemory; clang: -Wl,--import-memory)`,
    );
  }
  if (facts.importedMemory.shared) throw new WasmError('bad_module', `${name} asks for a shared memory; guests get a private, unshared one`);
  const exports = WebAssembly.Module.exports(module);
  if (!exports.some((e) => e.name === ALLOC_EXPORT && e.kind === 'function')) {
    throw new WasmError('bad_module', `${name} does not export ${ALLOC_EXPORT}(len: i32) -> i32, which the host calls to hand it input`);
  }
  const methods = exports.filter((e) => e.kind === 'function' && !e.name.startsWith('loom_') && !e.name.startsWith('_')).map((e) => e.name);
  const capPages = Math.floor(limits.memoryBytes / PAGE_BYTES);
  if (facts.importedMemory.min > capPages) {
    throw new WasmError('resource_limit', `${name} needs ${facts.importedMemory.min} pages of memory at start, over its limit of ${capPages} (memoryBytes ${limits.memoryBytes})`);
  }
  const out: CheckedModule = { module, methods, minPages: facts.importedMemory.min, hostImports };
  if (facts.importedMemory.max !== undefined) out.maxPages = facts.importedMemory.max;
  return out;
}

/** The memory limits to create a guest's memory with: the module's need, capped by the host's limit. */
export function memoryPages(mod: Pick<CheckedModule, 'minPages' | 'maxPages'>, limits: ResolvedLimits): { initial: number; maximum: number } {
  const cap = Math.floor(limits.memoryBytes / PAGE_BYTES);
  return { initial: mod.minPages, maximum: Math.min(cap, mod.maxPages ?? cap) };
}
