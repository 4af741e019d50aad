// Loom benchmark runner. One (backend, workload) pair runs in this process and prints
// one JSON line on stdout; without --backend or --workload, each pair runs in a fresh child.
//   npm run bench -- [--backend memory|sqlite|redis|postgres] [--workload W1|W2|W3|MEM] [--n N] [--concurrency C] [--warmup W]
//   (compiles bench/ and src/ into dist-bench/ with tsc and runs them under plain node: see bench/README.md)
import { spawnSync } from 'node:child_process';
import { parseArgs } from 'node:util';
import { BACKENDS, backend as findBackend } from './backends.js';
import { log, type Workload } from './harness.js';
import { VerificationError } from './measure.js';
import { w1, w3 } from './workloads/steps.js';
import { w2 } from './workloads/counter.js';
import { mem } from './workloads/mem.js';
import { admin } from './workloads/admin.js';

const WORKLOADS: Record<string, { run: Workload; n: (backend: string) => number }> = {
  W1: { run: w1, n: () => 2000 },
  W2: { run: w2, n: () => 10_000 },
  W3: { run: w3, n: () => 200 },
  MEM: { run: mem, n: () => 100_000 },
  ADMIN: { run: admin, n: () => 100_000 },
};

const { values } = parseArgs({
  options: {
    backend: { type: 'string' },
    workload: { type: 'string' },
    n: { type: 'string' },
    concurrency: { type: 'string', default: '50' },
    warmup: { type: 'string' },
  },
});

function positiveInt(name: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < (name === 'warmup' ? 0 : 1)) throw new Error(`--${name} must be a positive integer, got ${v}`);
  return n;
}

/**
 * Enough calls for the JIT to settle: with 200, the first measured calls of W3 still hit
 * compilation and PostgreSQL's per-connection statement preparation, and that is its p99.
 * A memory-backend call takes microseconds, so 1,000 of them are over before V8 has
 * optimized the hot path (memory W2 measured 38,000/s after 1,000 and 94,000/s after
 * 50,000); it gets 50,000, at most 25 times the measured count.
 */
function defaultWarmup(backendName: string, workloadName: string, n: number): number {
  if (workloadName === 'MEM') return Math.min(200, n);
  if (workloadName === 'ADMIN') return 0;
  return backendName === 'memory' ? Math.min(50_000, 25 * n) : 1000;
}

async function runOne(backendName: string, workloadName: string): Promise<void> {
  const workload = WORKLOADS[workloadName];
  if (!workload) throw new Error(`unknown workload "${workloadName}"; known: ${Object.keys(WORKLOADS).join(', ')}`);
  const backend = findBackend(backendName);
  const n = positiveInt('n', values.n) ?? workload.n(backend.name);
  const concurrency = positiveInt('concurrency', values.concurrency) ?? 50;
  const warmup = positiveInt('warmup', values.warmup) ?? defaultWarmup(backend.name, workloadName, n);
  log(`${backend.name} ${workloadName} n=${n}`);
  const fields = await workload.run({ backend, n, concurrency, warmup });
  const line = { system: 'loom', backend: backend.name, workload: workloadName, n, concurrency, ...fields };
  process.stdout.write(`${JSON.stringify(line)}\n`);
}

function runAll(): number {
  const backends = values.backend ? [values.backend] : BACKENDS.filter((b) => b.available()).map((b) => b.name);
  const workloads = values.workload ? [values.workload] : Object.keys(WORKLOADS);
  const pass = process.argv.slice(2).filter((a, i, all) => !['--backend', '--workload'].includes(a) && !['--backend', '--workload'].includes(all[i - 1] ?? ''));
  let failed = 0;
  for (const b of backends) {
    for (const w of workloads) {
      const child = spawnSync(process.execPath, [...process.execArgv, process.argv[1]!, '--backend', b, '--workload', w, ...pass], { stdio: 'inherit' });
      if (child.status !== 0) {
        failed++;
        log(`${b} ${w} failed (exit ${child.status ?? child.signal})`);
      }
    }
  }
  return failed === 0 ? 0 : 1;
}

try {
  if (values.backend && values.workload) await runOne(values.backend, values.workload);
  else process.exitCode = runAll();
} catch (err) {
  const e = err as Error;
  log(e instanceof VerificationError ? `VERIFICATION FAILED: ${e.message}` : (e.stack ?? String(e)));
  process.exitCode = 1;
}
