// Builds the WebAssembly actors the examples and tests use: AssemblyScript files with
// compileWasmActors, C files with clang --target=wasm32 (Debian: apt-get install clang lld).
// Skips outputs newer than their sources. Usage: npm run build:wasm
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compileWasmActors } from '../src/wasm/compile.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** A folder of sources and where their modules go. */
interface Target {
  dir: string;
  out: string;
}

export const TARGETS: Record<string, Target> = {
  examplesAs: { dir: 'examples/wasm/assemblyscript', out: 'examples/wasm/build' },
  examplesC: { dir: 'examples/wasm/c', out: 'examples/wasm/build' },
  fixtures: { dir: 'test/wasm/fixtures', out: 'test/wasm/build' },
};

const mtime = (p: string): number => (existsSync(p) ? statSync(p).mtimeMs : 0);

/** Builds what is stale in the given targets (default: all) and returns the paths written. */
export async function buildWasm(names: string[] = Object.keys(TARGETS)): Promise<string[]> {
  const glue = Math.max(mtime(join(ROOT, 'src/wasm/as-glue.ts')), mtime(join(ROOT, 'src/wasm/compile.ts')));
  const asJobs: { src: string; out: string }[] = [];
  const written: string[] = [];
  for (const name of names) {
    const t = TARGETS[name];
    if (!t) throw new Error(`unknown wasm build target ${name} (known: ${Object.keys(TARGETS).join(', ')})`);
    const dir = join(ROOT, t.dir);
    const outDir = join(ROOT, t.out);
    mkdirSync(outDir, { recursive: true });
    for (const file of readdirSync(dir).sort()) {
      const src = join(dir, file);
      if (file.endsWith('.ts')) {
        const out = join(outDir, file.replace(/\.ts$/, '.wasm'));
        if (mtime(out) < Math.max(mtime(src), glue)) asJobs.push({ src, out });
      } else if (file.endsWith('.c')) {
        const out = join(outDir, file.replace(/\.c$/, '-c.wasm'));
        if (mtime(out) < Math.max(mtime(src), mtime(join(dir, 'loom.h')))) {
          buildC(src, out);
          written.push(out);
        }
      }
    }
  }
  if (asJobs.length > 0) {
    const binaries = await compileWasmActors(asJobs.map((j) => j.src));
    binaries.forEach((b, i) => {
      // Written aside then renamed: test processes building at once never read half a module.
      const tmp = `${asJobs[i]!.out}.${process.pid}.tmp`;
      writeFileSync(tmp, b);
      renameSync(tmp, asJobs[i]!.out);
      written.push(asJobs[i]!.out);
    });
  }
  return written;
}

function buildC(src: string, out: string): void {
  const tmp = `${out}.${process.pid}.tmp`;
  const args = ['--target=wasm32', '-O2', '-nostdlib', '-fno-builtin', '-Wall', '-Werror', '-Wl,--no-entry', '-Wl,--import-memory', '-o', tmp, src];
  const r = spawnSync('clang', args, { encoding: 'utf8' });
  if (r.error) throw new Error(`building ${basename(src)} needs clang and lld for wasm32 (Debian: apt-get install clang lld): ${r.error.message}`);
  if (r.status !== 0) throw new Error(`clang failed on ${src}:\n${r.stderr}`);
  renameSync(tmp, out);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const written = await buildWasm(process.argv.slice(2).length ? process.argv.slice(2) : undefined);
  console.log(written.length ? written.map((p) => `built ${p.slice(ROOT.length + 1)}`).join('\n') : 'wasm modules are up to date');
}
