// Loom benchmark runner. One (backend, workload) pair runs in this process and prints
// one JSON line on stdout; without --backend or --workload, each pair runs in a fresh child.
//   npm run bench -- [--backend memory|sqlite|redis|postgres] [--workload W1|W2|W3|JL|STATE|MEM] [--n N] [--concurrency C] [--warmup W]
//   (compiles bench/ and src/ into dist-bench/ with tsc and runs them under plain node: see bench/README.md)
import { spawnSync } from 'node:child_process';
import { parseArgs } from 'node:util';
import { BACKENDS, backend as findBackend } from './backends.js';
import { log, type RunConfig, type Workload } from './harness.js';
import { VerificationError } from './measure.js';
import { w1, w3 } from './workloads/steps.js';
import { w2 } from './workloads/counter.js';
import { w2r, type ReadMixConfig } from './workloads/read-mix.js';
import { mem } from './workloads/mem.js';
import { admin } from './workloads/admin.js';
import { DEFAULT_LENGTHS, jl, type JournalConfig } from './workloads/journal.js';
import { DEFAULT_SIZES, stateSizes, type StateConfig } from './workloads/state.js';

const WORKLOADS: Record<string, { run: Workload; n: (backend: string) => number }> = {
  W1: { run: w1, n: () => 2000 },
  W2: { run: w2, n: () => 10_000 },
  W2R: { run: (cfg) => w2r(cfg as ReadMixConfig), n: () => 10_000 },
  W3: { run: w3, n: () => 200 },
  // JL's n is the total of its lengths (--lengths); STATE's is the calls per size.
  JL: { run: (cfg) => jl(cfg as JournalConfig), n: () => lengths().reduce((a, b) => a + b, 0) },
  STATE: { run: (cfg) => stateSizes(cfg as StateConfig), n: () => 100 },
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
    // W2R only: actors, concurrency per actor id, and the share of reads.
    keys: { type: 'string' },
    'per-actor': { type: 'string' },
    reads: { type: 'string' },
    // JL only: the invocations' lengths in steps, and a sleep of --sleep-ms after every --sleep-every steps.
    lengths: { type: 'string' },
    'sleep-every': { type: 'string' },
    'sleep-ms': { type: 'string' },
    // STATE only: the numbers of items in the state.
    sizes: { type: 'string' },
  },
});

function positiveInt(name: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < (name === 'warmup' || name === 'sleep-ms' ? 0 : 1)) throw new Error(`--${name} must be a positive integer, got ${v}`);
  return n;
}

function intList(name: string, v: string | undefined, fallback: number[]): number[] {
  if (v === undefined) return fallback;
  return v.split(',').map((x) => positiveInt(name, x.trim())!);
}

const lengths = (): number[] => intList('lengths', values.lengths, DEFAULT_LENGTHS);

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
  if (workloadName === 'JL') return 1000;
  if (workloadName === 'STATE') return 10;
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
  const readMix = {
    keys: positiveInt('keys', values.keys) ?? 100,
    perActor: positiveInt('per-actor', values['per-actor']) ?? 4,
    readsPercent: Math.min(100, positiveInt('reads', values.reads) ?? 90),
  };
  const journal = { lengths: lengths(), sleepEvery: positiveInt('sleep-every', values['sleep-every']) ?? 10, sleepMs: positiveInt('sleep-ms', values['sleep-ms']) ?? 1 };
  const sizes = intList('sizes', values.sizes, DEFAULT_SIZES);
  const fields = await workload.run({ backend, n, concurrency, warmup, ...readMix, ...journal, sizes } as RunConfig);
  const line = { system: 'loom', backend: backend.name, workload: workloadName, n, concurrency, ...fields };
  process.stdout.write(`${JSON.stringify(line)}\n`);
}

function runAll(): number {
  const backends = values.backend ? [values.backend] : BACKENDS.filter((b) => b.available()).map((b) => b.name);
  // ADMIN seeds 100,000 records per backend: it runs only when asked for by name.
  const workloads = values.workload ? [values.workload] : Object.keys(WORKLOADS).filter((w) => w !== 'ADMIN');
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
