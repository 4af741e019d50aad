// A worker process of the cluster tests and bench:
//   node --import tsx test/cluster/worker.ts <backend> <namespace> [role]
// backend: redis | postgres | postgres+rabbitmq | redis+streams
// namespace: Redis key prefix (plus ':') / PostgreSQL schema / RabbitMQ prefix, shared by all workers of a test.
// role: a label for its output lines (default 'worker').
//
// It registers Counter, SlowCounter (test/cluster/actors.ts) and Steps (bench/actors.ts),
// starts, prints `ready <pid> partitions=<n> role=<role> transport=<name>`, and runs until SIGTERM
// (then runtime.stop(); a second SIGTERM exits at once). Stdout lines, written synchronously:
//   slow-start <invocation> <pid> <step|turn>          a SlowCounter handler began its slow part
//   attempt <outcome> <type> <invocation> <pid>         every attempt that did not complete (retry, abandoned, ...)
//                                                       and every SlowCounter attempt
//   commit <fenced|conflict> <invocation> p=<partition> epoch=<epoch> <pid>
//                                                       the store rejected one of this worker's turns
// Settings from the environment: LOOM_CLUSTER_LEASE_MS (default 1500), LOOM_CLUSTER_POLL_MS (default 50),
// LOOM_CLUSTER_{REDIS,POSTGRES,RABBITMQ}_URL.
import { writeSync } from 'node:fs';
import { ActorRuntime, type Logger } from '../../src/index.js';
import { Steps } from '../../bench/actors.js';
import { Counter, SlowCounter, env } from './actors.js';
import { createStore, createTransport, isBackend, reportRejections } from './backends.js';

const [backend, ns, role = 'worker'] = process.argv.slice(2);
if (!isBackend(backend) || !ns || !/^[a-z_][a-z0-9_]{0,62}$/.test(ns)) {
  process.stderr.write('usage: worker.ts <redis|postgres|postgres+rabbitmq|redis+streams> <namespace: [a-z_][a-z0-9_]*> [role]\n');
  process.exit(64);
}

/** Written synchronously, so that a line is out before a SIGKILL; a full pipe (EAGAIN) is waited out, not fatal. */
function out(line: string): void {
  const buf = Buffer.from(`${line}\n`);
  for (let at = 0; at < buf.length; ) {
    try {
      at += writeSync(1, buf, at);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EAGAIN') throw err;
    }
  }
}
env.out = out;
const pid = process.pid;
const logger: Logger = {
  debug: () => {},
  info: () => {},
  warn: (m) => void process.stderr.write(`[warn ${role} ${pid}] ${m}\n`),
  error: (m) => void process.stderr.write(`[error ${role} ${pid}] ${m}\n`),
};

const numberFromEnv = (name: string, fallback: number): number => {
  const v = Number(process.env[name]);
  return Number.isInteger(v) && v > 0 ? v : fallback;
};

const store = reportRejections(await createStore(backend, ns, logger), (outcome, turn) =>
  out(`commit ${outcome} ${turn.invocationId} p=${turn.partition} epoch=${turn.epoch} ${pid}`),
);
const transport = await createTransport(backend, ns, logger);

const runtime = new ActorRuntime({
  store,
  ...(transport ? { transport } : {}),
  partitions: 64,
  workerId: `${role}:${pid}`,
  leaseTtlMs: numberFromEnv('LOOM_CLUSTER_LEASE_MS', 1500),
  pollIntervalMs: numberFromEnv('LOOM_CLUSTER_POLL_MS', 50),
  logger,
  onAttempt: (e) => {
    if (e.outcome !== 'completed' || e.actorType === 'SlowCounter') out(`attempt ${e.outcome} ${e.actorType} ${e.invocationId} ${pid}`);
  },
});
runtime.register(Counter).register(SlowCounter).register(Steps);

let stopping = false;
process.on('SIGTERM', () => {
  if (stopping) process.exit(143);
  stopping = true;
  runtime.stop().then(
    () => process.exit(0),
    (err: unknown) => {
      process.stderr.write(`stop failed: ${String(err)}\n`);
      process.exit(1);
    },
  );
});

await runtime.start();
out(`ready ${pid} partitions=${runtime.partitions.length} role=${role} transport=${transport?.name ?? 'none'}`);
