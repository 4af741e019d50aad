// Observability on vs off, side by side: W1 and W2 on SQLite and Redis, each pair run
// alternately off and on in fresh child processes, `--rounds` times; prints the medians
// and the change. "On" is Prometheus metrics plus store-backed trace events
// (LOOM_BENCH_OBSERVE=1 in bench/harness.ts).
// `--sample 1,0.1` runs each cell at each trace sample ratio (traceSampleRatio; default 1).
// `--scale 3` runs each side 3 times the workload's usual n (W1 6,000 calls, W2 30,000): a run of a
// second or more, so one side's scheduling hiccup weighs less.
// `--warmup 3000`: calls before measuring, on both sides (run.ts's default is 1,000). Trace events are written
// once per flush (100 ms): 3,000 calls take a few flushes, so their code is compiled before measuring, as in a
// worker that has run for a few seconds. Each side's buffered events are written within its measured time.
//   npm run bench:observability -- [--rounds 5] [--backends sqlite,redis] [--workloads W1,W2] [--sample 1,0.1] [--scale 3] [--warmup 3000]
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { loadavg } from 'node:os';

const { values } = parseArgs({
  options: { rounds: { type: 'string', default: '5' }, backends: { type: 'string', default: 'sqlite,redis' }, workloads: { type: 'string', default: 'W1,W2' }, sample: { type: 'string', default: '1' }, scale: { type: 'string', default: '3' }, warmup: { type: 'string', default: '3000' } },
});
const rounds = Number(values.rounds);
const scale = Number(values.scale);
if (!Number.isInteger(scale) || scale < 1) throw new Error(`--scale must be a positive integer, got ${values.scale}`);
/** The workloads' usual n (run.ts), times --scale. */
const BASE_N: Record<string, number> = { W1: 2000, W2: 10_000 };
const runner = join(dirname(fileURLToPath(import.meta.url)), 'run.js');
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

function once(backend: string, workload: string, on: boolean, sample: string): { throughput_per_s: number; cpu_ms_per_item: number } {
  const n = BASE_N[workload] !== undefined ? ['--n', String(BASE_N[workload]! * scale)] : [];
  const r = spawnSync(process.execPath, [runner, '--backend', backend, '--workload', workload, ...n, '--warmup', values.warmup], {
    env: { ...process.env, LOOM_BENCH_OBSERVE: on ? '1' : '0', LOOM_BENCH_SAMPLE: sample },
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  if (r.status !== 0) throw new Error(`${backend} ${workload} (${on ? 'on' : 'off'}) failed: exit ${r.status}`);
  return JSON.parse(r.stdout.trim().split('\n').at(-1)!) as { throughput_per_s: number; cpu_ms_per_item: number };
}

const load = () => loadavg().map((x) => x.toFixed(1)).join(', ');
const loadBefore = load();
const rows: string[] = ['| backend | workload | sample | off (/s) | on (/s) | change | CPU ms/item off → on |', '|---|---|---|---|---|---|---|'];
for (const backend of values.backends.split(',')) {
  for (const workload of values.workloads.split(',')) for (const sample of values.sample.split(',')) {
    const off: number[] = [];
    const on: number[] = [];
    const cpuOff: number[] = [];
    const cpuOn: number[] = [];
    for (let i = 0; i < rounds; i++) {
      // Alternate, and flip the order every round, so drift on a shared machine hits both sides.
      for (const side of i % 2 === 0 ? [false, true] : [true, false]) {
        const r = once(backend, workload, side, sample);
        (side ? on : off).push(r.throughput_per_s);
        (side ? cpuOn : cpuOff).push(r.cpu_ms_per_item);
      }
    }
    const a = median(off);
    const b = median(on);
    const line = `| ${backend} | ${workload} | ${sample} | ${Math.round(a).toLocaleString('en-US')} | ${Math.round(b).toLocaleString('en-US')} | ${(((b - a) / a) * 100).toFixed(1)} % | ${median(cpuOff).toFixed(3)} → ${median(cpuOn).toFixed(3)} |`;
    rows.push(line);
    process.stderr.write(`[bench] ${line}  (off ${off.map(Math.round).join(', ')}; on ${on.map(Math.round).join(', ')})\n`);
  }
}
rows.push('', `${rounds} rounds per side, n × ${scale}, warmup ${values.warmup}, medians; load average (1, 5, 15 min) ${loadBefore} before, ${load()} after`);
process.stdout.write(rows.join('\n') + '\n');
