import { readFile } from 'node:fs/promises';
import { Worker } from 'node:worker_threads';
import { basename, dirname, resolve } from 'node:path';
import { ConfigError } from '../core/errors.js';
import { AS_GLUE } from './as-glue.js';
import { COMPILE_WORKER_SOURCE } from './compile-worker.js';
import { WasmCompileError, type CompileDiagnostic } from './errors.js';

/** Options of {@link compileWasmActor}. */
export interface CompileOptions {
  /** Optimize the output (binaryen -O3). Default true. */
  optimize?: boolean;
  /** Memory the module may ask for at most, bytes; the host's `memoryBytes` limit caps it again. */
  maximumMemoryBytes?: number;
}

const ENTRY = '__loom_entry.ts';
const EXPORTED_FUNCTION = /^\s*export\s+function\s+([A-Za-z_$][\w$]*)\s*\(/gm;

/**
 * Compiles an AssemblyScript actor to a WebAssembly module that speaks Loom's ABI.
 * Each exported `function name(input: string): string` of the file becomes a
 * method taking and returning JSON; the actor may import `log`, `getState`,
 * `setState`, `hostCall`, `now`, `random`, `fail` and JSON helpers from `"loom"`.
 * The compiler runs in a worker thread. Needs the optional peer dependency `assemblyscript`.
 *
 * @example
 * const wasm = await compileWasmActor('calculator-actor.ts');
 * await new WasmActorRuntime(wasm).execute('add', { a: 5, b: 3 });
 */
export async function compileWasmActor(path: string, options: CompileOptions = {}): Promise<Uint8Array> {
  return (await compileWasmActors([path], options))[0]!;
}

/** Compiles several AssemblyScript actors with one compiler load (it takes seconds). Same rules as {@link compileWasmActor}. */
export async function compileWasmActors(paths: readonly string[], options: CompileOptions = {}): Promise<Uint8Array[]> {
  const jobs = await Promise.all(paths.map((p) => prepare(p, options)));
  const outputs = await runCompiler({ ascUrl: resolveCompiler(), jobs: jobs.map((j) => j.job), entryName: ENTRY, glue: AS_GLUE });
  return outputs.map((out, i) => {
    const file = jobs[i]!.file;
    if (out.diagnostics.length > 0) throw new WasmCompileError(out.diagnostics, file);
    if (out.error || !out.binary) throw new WasmCompileError([{ file, line: 0, column: 0, message: out.error ?? 'the compiler produced no binary' }], file);
    return out.binary;
  });
}

async function prepare(path: string, options: CompileOptions): Promise<{ file: string; job: { args: string[]; dir: string; entry: string } }> {
  if (typeof path !== 'string' || !path) throw new ConfigError('compileWasmActor() takes the path of an AssemblyScript file');
  const file = resolve(path);
  let source: string;
  try {
    source = await readFile(file, 'utf8');
  } catch (cause) {
    throw new ConfigError(`compileWasmActor: cannot read ${file}: ${(cause as Error).message}`, { cause });
  }
  const methods = [...source.matchAll(EXPORTED_FUNCTION)].map((m) => m[1]!).filter((n) => !n.startsWith('_') && !n.startsWith('loom_'));
  if (methods.length === 0) {
    throw new WasmCompileError([{ file, line: 1, column: 1, message: 'exports no function; export at least one `function name(input: string): string`' }], file);
  }
  const userModule = `./${basename(file).replace(/\.ts$/, '')}`;
  const entry = [
    `import * as __user from ${JSON.stringify(userModule)};`,
    `import { __loom_in, __loom_out } from "loom";`,
    `export { __loom_alloc as loom_alloc } from "loom";`,
    ...methods.map((m) => `export function ${m}(ptr: usize, len: i32): usize { return __loom_out(__user.${m}(__loom_in(ptr, len))); }`),
  ].join('\n');
  const args = [ENTRY, '--outFile', 'out.wasm', '--importMemory', '--noExportMemory', '--runtime', 'stub', '--use', 'abort=~lib/loom/index/__loom_abort'];
  if (options.optimize !== false) args.push('-O3');
  if (options.maximumMemoryBytes !== undefined) args.push('--maximumMemory', String(Math.floor(options.maximumMemoryBytes / 65536)));
  return { file, job: { args, dir: dirname(file), entry } };
}

interface CompileOutput {
  binary: Uint8Array | null;
  diagnostics: CompileDiagnostic[];
  error: string | null;
}

function runCompiler(workerData: Record<string, unknown>): Promise<CompileOutput[]> {
  return new Promise((done, fail) => {
    const worker = new Worker(COMPILE_WORKER_SOURCE, { eval: true, workerData });
    worker.once('message', (m: CompileOutput[]) => {
      done(m);
      void worker.terminate();
    });
    worker.once('error', (err) => fail(new ConfigError(`the AssemblyScript compiler crashed: ${err.message}`, { cause: err })));
    worker.once('exit', (code) => fail(new ConfigError(`the AssemblyScript compiler exited with code ${code} before finishing`)));
  });
}

function resolveCompiler(): string {
  try {
    return import.meta.resolve('assemblyscript/asc');
  } catch (cause) {
    throw new ConfigError('compileWasmActor needs the AssemblyScript compiler: npm install --save-dev assemblyscript@0.28.20', { cause });
  }
}
