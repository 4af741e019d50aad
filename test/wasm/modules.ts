// The WebAssembly modules the wasm tests use, built (if stale) by the project's own
// build script: the AssemblyScript and C examples and the test fixtures.
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildWasm } from '../../scripts/build-wasm.js';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const EXAMPLES = join(ROOT, 'examples/wasm/build');
export const FIXTURES = join(ROOT, 'test/wasm/build');

let built: Promise<unknown> | undefined;

/** Builds every module once per test process (seconds the first time, nothing when up to date). */
export function ensureBuilt(): Promise<unknown> {
  built ??= buildWasm();
  return built;
}

export const example = (name: string): Buffer => readFileSync(join(EXAMPLES, `${name}.wasm`));
export const fixture = (name: string): Buffer => readFileSync(join(FIXTURES, `${name}.wasm`));

/** A module that defines its own memory section instead of importing one. */
export const OWN_MEMORY = Uint8Array.from([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x05, 0x03, 0x01, 0x00, 0x01]);
