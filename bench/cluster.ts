// W1 on a cluster: N worker processes (test/cluster/worker.ts) share one Redis
// or PostgreSQL namespace; this process sends through a send-only runtime and
// keeps `concurrency` invocations of the 3-step handler (Steps.run, bench/actors.ts)
// in flight, each to its own actor id.
//
//   node --import tsx bench/cluster.ts --backend redis|postgres|postgres+rabbitmq|redis+streams --workers 1|2|4 --n 2000 [--concurrency 50] [--warmup 200] [--poll-ms 50]
//
// --poll-ms is the workers' pollIntervalMs: without a transport, it is how soon a worker sees work
// that another process enqueued.
//
// Prints one JSON line on stdout, progress on stderr. Latency (p50_ms, p99_ms) is
// per invocation from its acceptance to its completion commit, both on the
// store's clock (InvocationRecord.createdAt → updatedAt), so that the producer's
// way of noticing completions does not count. wall_s runs from the first send
// until the producer saw the last completion. Services: LOOM_CLUSTER_REDIS_URL,
// LOOM_CLUSTER_POSTGRES_URL, LOOM_CLUSTER_RABBITMQ_URL (default: the local ones).
import { parseArgs } from 'node:util';
import { performance } from 'node:perf_hooks';
import { isBackend, openInspector, type Inspector } from '../test/cluster/backends.js';
import { Cluster, mapLimit, newNamespace, percentile, sleep, startProducer, waitBalanced, workerId } from '../test/cluster/harness.js';
import type { ActorRuntime } from '../src/index.js';

const { values } = parseArgs({
  options: {
    backend: { type: 'string', default: 'redis' },
    workers: { type: 'string', default: '1' },
    n: { type: 'string', default: '2000' },
    concurrency: { type: 'string', default: '50' },
    warmup: { type: 'string' },
    'poll-ms': { type: 'string', default: process.env['LOOM_CLUSTER_POLL_MS'] ?? '50' },
  },
});
const backend = values.backend;
const workers = Number(values.workers);
const n = Number(values.n);
const concurrency = Number(values.concurrency);
const warmup = values.warmup !== undefined ? Number(values.warmup) : Math.min(200, n);
const pollMs = Number(values['poll-ms']);
if (!isBackend(backend) || !(workers >= 1) || !(n >= 1) || !(concurrency >= 1) || !(warmup >= 0) || !Number.isInteger(pollMs) || pollMs < 1) {
  process.stderr.write('usage: bench/cluster.ts --backend redis|postgres|postgres+rabbitmq|redis+streams --workers N --n N [--concurrency C] [--warmup W] [--poll-ms P]\n');
  process.exit(64);
}

const log = (m: string): void => void process.stderr.write(`[bench-cluster] ${m}\n`);
const round = (v: number, d: number): number => Number(v.toFixed(d));

class VerificationError extends Error {}
const check = (ok: boolean, msg: string): void => {
  if (!ok) throw new VerificationError(msg);
};

/** Notices completions of the invocations in flight: one batched read of the store every ~2 ms. */
class CompletionWatcher {
  private readonly waiting = new Map<string, (r: { status: string; resultJson: string | undefined; latencyMs: number }) => void>();
  private running: Promise<void> | undefined;
  private failure: unknown;

  constructor(private readonly inspector: Inspector) {}

  wait(id: string): Promise<{ status: string; resultJson: string | undefined; latencyMs: number }> {
    if (this.failure) return Promise.reject(this.failure);
    const p = new Promise<{ status: string; resultJson: string | undefined; latencyMs: number }>((r) => this.waiting.set(id, r));
    this.running ??= this.loop();
    return p;
  }

  private async loop(): Promise<void> {
    try {
      while (this.waiting.size > 0) {
        const recs = await this.inspector.records([...this.waiting.keys()]);
        for (const [id, rec] of recs) {
          if (rec.status === 'pending') continue;
          const resolve = this.waiting.get(id);
          this.waiting.delete(id);
          resolve?.({ status: rec.status, resultJson: rec.resultJson, latencyMs: rec.updatedAt - rec.createdAt });
        }
        await sleep(2);
      }
    } catch (err) {
      this.failure = err;
      throw err;
    } finally {
      this.running = undefined;
    }
  }
}

async function drive(rt: ActorRuntime, watcher: CompletionWatcher, prefix: string, count: number): Promise<{ latencies: number[]; wallMs: number }> {
  const latencies = new Array<number>(count).fill(0);
  let next = 0;
  const t0 = performance.now();
  const lane = async () => {
    for (let i = next++; i < count; i = next++) {
      const { invocationId } = await rt.send({ actorType: 'Steps', actorId: `${prefix}-${i}`, method: 'run', args: [i], idempotencyKey: `${prefix}-${i}` });
      const done = await watcher.wait(invocationId);
      check(done.status === 'completed', `Steps ${prefix}-${i} ended ${done.status}`);
      check(JSON.parse(done.resultJson ?? 'null') === i + 3, `Steps ${prefix}-${i}.run(${i}) returned ${done.resultJson}, expected ${i + 3}`);
      latencies[i] = done.latencyMs;
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, count)) }, lane));
  return { latencies, wallMs: performance.now() - t0 };
}

const ns = newNamespace();
const cluster = new Cluster(backend, ns, { env: { LOOM_CLUSTER_POLL_MS: String(pollMs) } });
const inspector = await openInspector(backend, ns);
let rt: ActorRuntime | undefined;
let exitCode = 0;
try {
  log(`${backend}: starting ${workers} worker(s) on ${ns}`);
  const procs = await Promise.all(Array.from({ length: workers }, (_, i) => cluster.spawn(`w${i}`)));
  rt = await startProducer(backend, ns);
  await waitBalanced(rt, procs.map(workerId));
  const watcher = new CompletionWatcher(inspector);
  if (warmup > 0) await drive(rt, watcher, 'warm', warmup);
  log(`warmup ${warmup} done; measuring ${n} invocations, ${concurrency} in flight`);
  const { latencies, wallMs } = await drive(rt, watcher, 's', n);
  const states = await mapLimit(Array.from({ length: n }, (_, i) => i), 50, (i) => rt!.getState<{ n: number }>('Steps', `s-${i}`));
  let sum = 0;
  states.forEach((st, i) => {
    check(st?.n === 1, `Steps s-${i} has state ${JSON.stringify(st)}, expected { n: 1 }`);
    sum += st?.n ?? 0;
  });
  check(sum === n, `Steps states sum to ${sum}, expected ${n}`);
  check(cluster.live().length === workers, `a worker died:\n${cluster.describe()}`);
  const line = {
    system: 'loom',
    backend,
    workload: 'W1-cluster',
    workers,
    n,
    concurrency,
    poll_ms: pollMs,
    wall_s: round(wallMs / 1000, 3),
    throughput_per_s: round(n / (wallMs / 1000), 1),
    p50_ms: round(percentile(latencies, 50), 2),
    p99_ms: round(percentile(latencies, 99), 2),
  };
  process.stdout.write(`${JSON.stringify(line)}\n`);
} catch (err) {
  exitCode = 1;
  if (err instanceof VerificationError) process.stderr.write(`VERIFICATION FAILED: ${err.message}\n`);
  else process.stderr.write(`bench failed: ${(err as Error).stack ?? String(err)}\n`);
} finally {
  await cluster.shutdown().catch(() => {});
  await rt?.stop(1000).catch(() => {});
  await inspector.drop().catch((err: Error) => log(`cleanup of ${ns} failed: ${err.message}`));
  await inspector.close().catch(() => {});
}
process.exit(exitCode);
