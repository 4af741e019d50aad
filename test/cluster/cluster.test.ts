// Multi-process proof of DESIGN.md §2 (1 single writer, 2 fenced commits,
// 4 effectively once, 6 nothing lost) and §4 (scaling out) on Redis and
// PostgreSQL: worker processes (test/cluster/worker.ts) share one namespace,
// the test process sends through a send-only runtime on the same store and
// then reads the backend directly.
//
//   node --import tsx --test test/cluster/cluster.test.ts
//   LOOM_CLUSTER_VARIANTS=redis,postgres  (default: also postgres+rabbitmq and redis+streams for the 20,000-message runs)
//   LOOM_CLUSTER_SEED=<n>                 (replays a chaos schedule)
//   LOOM_CLUSTER_LOG_DIR=<dir>            (keeps every worker's output there)
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ActorRuntime } from '../../src/index.js';
import type { Applied } from './actors.js';
import { BACKENDS, isBackend, openInspector, serviceUrls, storeKind, type BackendName, type Inspector, type Urls } from './backends.js';
import { Cluster, keepingLogger, mapLimit, newNamespace, sendAll, sleep, startProducer, waitBalanced, waitDrained, workerId, type SendOutcome, type WorkerProc } from './harness.js';
import { PrivatePostgres, PrivateRedis } from './servers.js';
import { prng } from '../support/prng.js';

const N = 20_000;
const ACTORS = 1_000;
const WORKERS = 4;
const PARTITIONS = 64;

// ---- which backends can run here ------------------------------------------

async function probe(kind: 'redis' | 'postgres' | 'rabbitmq', u: Urls): Promise<string | undefined> {
  try {
    if (kind === 'redis') {
      const { Redis } = await import('ioredis');
      const r = new Redis(u.redis, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
      r.on('error', () => {});
      try {
        await r.connect();
        await r.ping();
      } finally {
        r.disconnect();
      }
    } else if (kind === 'postgres') {
      const pg = (await import('pg')).default;
      const c = new pg.Client({ connectionString: u.postgres, connectionTimeoutMillis: 3000 });
      await c.connect();
      await c.end();
    } else {
      const amqp = (await import('amqplib')).default;
      const c = await amqp.connect(u.rabbitmq, { timeout: 3000 });
      await c.close();
    }
    return undefined;
  } catch (err) {
    return `${kind} is not reachable (${(err as Error).message || String(err)})`;
  }
}

const shared = serviceUrls();
const unreachable = {
  redis: await probe('redis', shared),
  postgres: await probe('postgres', shared),
  rabbitmq: await probe('rabbitmq', shared),
};

function whyNot(b: BackendName): string | undefined {
  const parts = [unreachable[storeKind(b)], b === 'postgres+rabbitmq' ? unreachable.rabbitmq : undefined].filter(Boolean);
  return parts.length ? parts.join('; ') : undefined;
}

/** Skipped with the reason outside CI; a failure in CI (a missing service is a broken pipeline). */
function skipFor(b: BackendName): string | false {
  const why = whyNot(b);
  if (!why) return false;
  if (process.env['CI'] === 'true') return false;
  return why;
}

const VARIANTS: BackendName[] = (process.env['LOOM_CLUSTER_VARIANTS'] ?? BACKENDS.join(','))
  .split(',')
  .map((s) => s.trim())
  .filter(isBackend);

const seed = Number(process.env['LOOM_CLUSTER_SEED'] ?? Math.floor(Math.random() * 2 ** 31)) >>> 0;
const rand = prng(seed);

const figures: string[] = [];
function report(line: string): void {
  figures.push(line);
  console.log(line);
}
after(() => {
  if (figures.length) console.log(`\n== cluster figures (seed ${seed}) ==\n${figures.join('\n')}`);
});

// ---- shared pieces ----------------------------------------------------------

const counterMsg = (prefix: string, actors: number, i: number) => ({
  actorType: 'Counter',
  actorId: `c-${i % actors}`,
  method: 'inc',
  args: [1],
  idempotencyKey: `${prefix}${i}`,
});

/**
 * The exact-count check, from the backend's own records: for keys
 * `<prefix>0 .. <prefix>n-1`, sent round-robin to `actors` Counter ids, there
 * is exactly one invocation record per key, on the right actor, completed; the
 * results of each actor's invocations are exactly 1..n/actors (each increment
 * applied once, none lost, none twice); and each actor's state is n/actors.
 */
async function verifyCounters(inspector: Inspector, rt: ActorRuntime, groups: { prefix: string; n: number }[], actors: number): Promise<void> {
  const rows = (await inspector.invocations()).filter((r) => r.actorType === 'Counter');
  const expected = new Map<string, string>(); // key -> actor id
  for (const g of groups) for (let i = 0; i < g.n; i++) expected.set(`${g.prefix}${i}`, `c-${i % actors}`);
  const total = groups.reduce((s, g) => s + g.n, 0);
  const perActor = total / actors;

  const byKey = new Map<string, number>();
  for (const r of rows) if (r.idempotencyKey !== undefined) byKey.set(r.idempotencyKey, (byKey.get(r.idempotencyKey) ?? 0) + 1);
  const twice = [...byKey].filter(([, n]) => n > 1).slice(0, 5);
  assert.deepEqual(twice, [], 'an idempotency key has more than one invocation record');
  const stray = rows.filter((r) => r.idempotencyKey === undefined || !expected.has(r.idempotencyKey)).slice(0, 5);
  assert.deepEqual(stray.map((r) => `${r.id} ${r.idempotencyKey}`), [], 'Counter invocations the test did not send');
  const missing = [...expected.keys()].filter((k) => !byKey.has(k));
  assert.equal(missing.length, 0, `${missing.length} sent keys have no invocation record (lost), e.g. ${missing.slice(0, 5).join(', ')}`);
  assert.equal(rows.length, total, 'invocation records with the sent keys');

  const wrongActor = rows.filter((r) => expected.get(r.idempotencyKey!) !== r.actorId).slice(0, 5);
  assert.deepEqual(wrongActor.map((r) => r.id), [], 'invocations on the wrong actor');
  const notDone = rows.filter((r) => r.status !== 'completed');
  assert.equal(notDone.length, 0, `${notDone.length} invocations are not completed: ${notDone.slice(0, 5).map((r) => `${r.idempotencyKey}=${r.status}`).join(', ')}`);

  const results = new Map<string, number[]>();
  for (const r of rows) {
    const list = results.get(r.actorId) ?? [];
    list.push(JSON.parse(r.resultJson ?? 'null') as number);
    results.set(r.actorId, list);
  }
  const want = Array.from({ length: perActor }, (_, i) => i + 1);
  for (const [id, list] of results) {
    assert.deepEqual([...list].sort((a, b) => a - b), want, `results of ${id}'s ${list.length} invocations (a repeated value = an increment applied twice)`);
  }

  const ids = Array.from({ length: actors }, (_, k) => `c-${k}`);
  const states = await mapLimit(ids, 50, (id) => rt.getState<{ n: number }>('Counter', id));
  let sum = 0;
  states.forEach((s, k) => {
    assert.equal(s?.n, perActor, `state of c-${k}`);
    sum += s?.n ?? 0;
  });
  assert.equal(sum, total, 'sum of the counters');
  assert.deepEqual((await rt.deadLetters.list({ limit: 5 })).map((d) => d.id), [], 'dead letters');
}

/** What the workers printed about rejected turns and attempts that did not complete. */
function workerEvents(cluster: Cluster): { fenced: number; conflicts: number; abandoned: number; retries: number } {
  const count = (p: string) => cluster.grep((l) => l.startsWith(p)).length;
  return { fenced: count('commit fenced'), conflicts: count('commit conflict'), abandoned: count('attempt abandoned'), retries: count('attempt retry') };
}

interface Ctx {
  cluster: Cluster;
  inspector: Inspector;
  rt: ActorRuntime | undefined;
}

/** Fresh namespace, workers, producer and inspector; everything is torn down and the namespace dropped even on failure. */
async function withCluster(backend: BackendName, fn: (c: Ctx) => Promise<void>, opts: { urls?: Partial<Urls> } = {}): Promise<void> {
  const ns = newNamespace();
  const cluster = new Cluster(backend, ns, opts);
  const inspector = await openInspector(backend, ns, serviceUrls(opts.urls));
  const ctx: Ctx = { cluster, inspector, rt: undefined };
  try {
    await fn(ctx);
  } finally {
    await cluster.shutdown().catch(() => {});
    const logDir = process.env['LOOM_CLUSTER_LOG_DIR'];
    if (logDir) {
      mkdirSync(logDir, { recursive: true });
      for (const w of cluster.all) writeFileSync(join(logDir, `${ns}-${w.label.replace('#', '-')}-${w.pid}.log`), `${w.lines.join('\n')}\n--- stderr ---\n${w.stderr}`);
    }
    await ctx.rt?.stop(1000).catch(() => {});
    await inspector.drop().catch((err: Error) => console.log(`cleanup of ${ns} failed: ${err.message}`));
    await inspector.close().catch(() => {});
  }
}

// ---- a. 4 workers, 20,000 messages to 1,000 actors ------------------------------

for (const backend of VARIANTS) {
  describe(`cluster on ${backend}`, { skip: skipFor(backend) }, () => {
    test(`${backend}: ${WORKERS} workers, ${N.toLocaleString('en')} messages to ${ACTORS.toLocaleString('en')} actors, each applied exactly once`, { timeout: 150_000 }, async () => {
      await withCluster(backend, async (c) => {
        const t0 = Date.now();
        const workers = await Promise.all(Array.from({ length: WORKERS }, (_, i) => c.cluster.spawn(`w${i}`)));
        c.rt = await startProducer(backend, c.cluster.ns);
        await waitBalanced(c.rt, workers.map(workerId));
        const startMs = Date.now() - t0;

        const t1 = Date.now();
        let sent: SendOutcome | undefined;
        let sendError: unknown;
        const sending = sendAll(c.rt, { n: N, concurrency: 256, message: (i) => counterMsg('m-', ACTORS, i) }).then(
          (o) => (sent = o),
          (err: unknown) => (sendError = err),
        );
        await waitDrained(() => c.inspector.pending(), {
          sent: () => {
            if (sendError) throw sendError;
            return sent !== undefined;
          },
          timeoutMs: 120_000,
          stallMs: 30_000,
          what: `${backend} 20k`,
          diagnose: () => c.cluster.describe(),
        });
        await sending;
        const ms = Date.now() - t1;
        assert.ok(sent);
        assert.equal(sent.duplicates, 0, 'no send was answered as a duplicate');
        await verifyCounters(c.inspector, c.rt, [{ prefix: 'm-', n: N }], ACTORS);
        assert.equal(c.cluster.live().length, WORKERS, `a worker died:\n${c.cluster.describe()}`);
        const ev = workerEvents(c.cluster);
        report(
          `[a] ${backend}: ${WORKERS} workers (up and balanced in ${(startMs / 1000).toFixed(1)} s); ${N} sends accepted in ${(sent.ms / 1000).toFixed(2)} s; ` +
            `all completed ${(ms / 1000).toFixed(2)} s after the first send = ${Math.round(N / (ms / 1000))} msgs/s end to end; ` +
            `states exact (${ACTORS} x 20); fenced turns ${ev.fenced}, conflicts ${ev.conflicts}, abandoned attempts ${ev.abandoned}, retries ${ev.retries}`,
        );
      });
    });

    // ---- b. the same with a worker SIGKILLed every 2–3 s --------------------------

    test(`${backend}: ${N.toLocaleString('en')} messages while a random worker is SIGKILLed every 2-3 s and replaced: nothing lost, nothing applied twice`, { timeout: 180_000 }, async () => {
      const MIN_KILLS = 4;
      const MAX_KILLS = 8;
      const RATE = 1_500; // msgs/s: the sends last ~13 s, so that the kills land while messages flow
      const deadline = Date.now() + 170_000; // the test's timeout, less time to clean up
      await withCluster(backend, async (c) => {
        const workers = await Promise.all(Array.from({ length: WORKERS }, (_, i) => c.cluster.spawn(`w${i}`)));
        c.rt = await startProducer(backend, c.cluster.ns);
        await waitBalanced(c.rt, workers.map(workerId));

        const t0 = Date.now();
        const progress = { sent: 0 };
        let sent: SendOutcome | undefined;
        let sendError: unknown;
        const sending = sendAll(c.rt, { n: N, concurrency: 128, ratePerSec: RATE, message: (i) => counterMsg('m-', ACTORS, i) }, progress).then(
          (o) => (sent = o),
          (err: unknown) => (sendError = err),
        );
        let drained = false;
        const kills: { atMs: number; pid: number; sent: number; pending: number }[] = [];
        const replacements: Promise<WorkerProc>[] = [];
        const ready = new Set<WorkerProc>(workers);
        const chaos = (async () => {
          while (!drained && kills.length < MAX_KILLS) {
            await sleep(2_000 + Math.floor(rand() * 1_000));
            if (drained) break;
            const candidates = c.cluster.live().filter((w) => ready.has(w));
            if (candidates.length === 0) continue;
            const victim = candidates[Math.floor(rand() * candidates.length)]!;
            const pending = await c.inspector.pending().catch(() => -1);
            await c.cluster.kill9(victim);
            kills.push({ atMs: Date.now() - t0, pid: victim.pid, sent: progress.sent, pending });
            // A replacement is waited for as long as the test may run: under load a start can be slow, which is no fault.
            const rep = c.cluster.spawn(`r${kills.length}`, Math.max(1_000, deadline - Date.now()));
            replacements.push(rep);
            void rep.then((w) => ready.add(w), () => {});
          }
        })();
        try {
          await waitDrained(() => c.inspector.pending(), {
            sent: () => {
              if (sendError) throw sendError;
              return sent !== undefined && kills.length >= MIN_KILLS;
            },
            timeoutMs: 150_000,
            stallMs: 30_000,
            what: `${backend} chaos`,
            diagnose: () => `kills: ${JSON.stringify(kills)}\n${c.cluster.describe()}`,
          });
        } finally {
          drained = true;
        }
        await chaos;
        await sending;
        await Promise.all(replacements);
        const ms = Date.now() - t0;
        assert.ok(sent);
        assert.ok(kills.length >= MIN_KILLS, `only ${kills.length} kills`);
        const midFlow = kills.filter((k) => k.sent < N || k.pending > 0).length;
        assert.ok(midFlow >= MIN_KILLS, `only ${midFlow} kills landed while messages were in flight: ${JSON.stringify(kills)}`);
        await verifyCounters(c.inspector, c.rt, [{ prefix: 'm-', n: N }], ACTORS);
        const ev = workerEvents(c.cluster);
        report(
          `[b] ${backend}: ${kills.length} SIGKILLs (${midFlow} mid-flow) at ${kills.map((k) => `${(k.atMs / 1000).toFixed(1)}s[sent ${k.sent}, pending ${k.pending}]`).join(' ')}; ` +
            `${N} msgs done in ${(ms / 1000).toFixed(1)} s (${Math.round(N / (ms / 1000))} msgs/s, sends paced at ${RATE}/s); ` +
            `states exact; fenced turns ${ev.fenced}, conflicts ${ev.conflicts}, abandoned attempts ${ev.abandoned}, retries ${ev.retries}; seed ${seed}`,
        );
      });
    });
  });
}

// ---- c. a stale owner is fenced ----------------------------------------------

const STORE_BACKENDS = (['redis', 'postgres'] as const).filter((b) => VARIANTS.some((v) => storeKind(v) === b));

for (const backend of STORE_BACKENDS) {
  describe(`stale owner on ${backend}`, { skip: skipFor(backend) }, () => {
    test(`${backend}: a worker SIGSTOPped mid-turn past its lease is fenced: none of its writes lands after the takeover`, { timeout: 90_000 }, async () => {
      const SLOW_MS = 3_000;
      const SMALL = 100; // Counter actors of this test
      await withCluster(backend, async (c) => {
        const A = await c.cluster.spawn('A');
        assert.match(A.lines.find((l) => l.startsWith('ready '))!, /partitions=64 /, 'A alone holds every partition');
        c.rt = await startProducer(backend, c.cluster.ns);
        const rt = c.rt;
        const drained = (what: string) =>
          waitDrained(() => c.inspector.pending(), { sent: () => true, timeoutMs: 60_000, stallMs: 20_000, what, diagnose: () => c.cluster.describe() });

        // A works normally first.
        await sendAll(rt, { n: SMALL, concurrency: 50, message: (i) => counterMsg('w-', SMALL, i) });
        await drained('warm-up on A');
        const aNow = await rt.store.now();
        const aLeases = (await rt.store.leases.list()).filter((l) => l.expiresAt > aNow);
        assert.equal(aLeases.length, PARTITIONS);
        assert.ok(aLeases.every((l) => l.owner === workerId(A)), 'A holds all leases');
        const aEpoch = new Map(aLeases.map((l) => [l.partition, l.epoch]));

        // Two slow invocations: A is mid-turn in both when it is stopped.
        const step = await rt.send({ actorType: 'SlowCounter', actorId: 'slow-step', method: 'slowStep', args: [SLOW_MS, 'tag-step'], idempotencyKey: 'slow-step-1' });
        const turn = await rt.send({ actorType: 'SlowCounter', actorId: 'slow-turn', method: 'slowTurn', args: [SLOW_MS, 'tag-turn'], idempotencyKey: 'slow-turn-1' });
        await A.waitFor((l) => l === `slow-start ${step.invocationId} ${A.pid} step`, 'slow step start', 10_000);
        await A.waitFor((l) => l === `slow-start ${turn.invocationId} ${A.pid} turn`, 'slow turn start', 10_000);
        A.child.kill('SIGSTOP');
        const stoppedAt = Date.now();

        // Accepted while A is frozen: only a new owner can run these.
        await sendAll(rt, { n: SMALL * 5, concurrency: 50, message: (i) => counterMsg('f-', SMALL, i) });
        const B = await c.cluster.spawn('B');

        // B takes every partition once A's leases expire, with higher epochs.
        const takeover = Date.now() + 30_000;
        let bLeases: { partition: number; owner: string; epoch: number }[];
        for (;;) {
          const now = await rt.store.now();
          bLeases = (await rt.store.leases.list()).filter((l) => l.expiresAt > now && l.owner === workerId(B));
          if (bLeases.length === PARTITIONS) break;
          assert.ok(Date.now() < takeover, `B holds ${bLeases.length}/${PARTITIONS} partitions after 30 s`);
          await sleep(50);
        }
        const takeoverMs = Date.now() - stoppedAt;
        for (const l of bLeases) assert.ok(l.epoch > aEpoch.get(l.partition)!, `partition ${l.partition}: B's epoch ${l.epoch} is not above A's ${aEpoch.get(l.partition)}`);

        // B runs both slow invocations to completion and processes the messages A never saw.
        await drained('B after the takeover');
        const stepRec = await rt.getInvocation(step.invocationId);
        const turnRec = await rt.getInvocation(turn.invocationId);
        assert.equal(stepRec?.status, 'completed');
        assert.equal(turnRec?.status, 'completed');
        const before = {
          step: await rt.store.loadState('SlowCounter', 'slow-step'),
          turn: await rt.store.loadState('SlowCounter', 'slow-turn'),
        };
        const bApplied = (tag: string, inv: string): Applied[] => [{ tag, inv, pid: B.pid }];
        assert.deepEqual(JSON.parse(before.step!.stateJson), { applied: bApplied('tag-step', step.invocationId) });
        assert.deepEqual(JSON.parse(before.turn!.stateJson), { applied: bApplied('tag-turn', turn.invocationId) });
        assert.ok(B.lines.includes(`slow-start ${step.invocationId} ${B.pid} step`), 'B re-ran the unjournaled step');

        // A wakes up with both handlers finishing: the store must reject both writes.
        A.child.kill('SIGCONT');
        const contAt = Date.now();
        await A.waitFor((l) => l.startsWith(`commit fenced ${step.invocationId} `), "the store's rejection of A's step journal write", 15_000);
        await A.waitFor((l) => l.startsWith(`commit fenced ${turn.invocationId} `), "the store's rejection of A's completion turn", 15_000);
        await A.waitFor((l) => l === `attempt abandoned SlowCounter ${step.invocationId} ${A.pid}`, 'A abandoning the step invocation', 15_000);
        await A.waitFor((l) => l === `attempt abandoned SlowCounter ${turn.invocationId} ${A.pid}`, 'A abandoning the turn invocation', 15_000);
        const fencedMs = Date.now() - contAt;

        // A rejoins: the two share the partitions and keep processing new messages.
        await waitBalanced(rt, [workerId(A), workerId(B)]);
        await sendAll(rt, { n: SMALL * 5, concurrency: 50, message: (i) => counterMsg('g-', SMALL, i) });
        await drained('A and B after the rejoin');

        // Nothing A wrote landed: the slow actors are exactly as B left them, each invocation applied once.
        const afterStep = await rt.store.loadState('SlowCounter', 'slow-step');
        const afterTurn = await rt.store.loadState('SlowCounter', 'slow-turn');
        assert.deepEqual(afterStep, before.step, 'slow-step state unchanged since B committed it');
        assert.deepEqual(afterTurn, before.turn, 'slow-turn state unchanged since B committed it');
        assert.deepEqual(await rt.getInvocation(step.invocationId), stepRec, 'slow step invocation unchanged');
        assert.deepEqual(await rt.getInvocation(turn.invocationId), turnRec, 'slow turn invocation unchanged');
        assert.deepEqual(JSON.parse(stepRec!.resultJson!), bApplied('tag-step', step.invocationId)[0]);
        assert.deepEqual(JSON.parse(turnRec!.resultJson!), bApplied('tag-turn', turn.invocationId)[0]);
        const slowRows = (await c.inspector.invocations()).filter((r) => r.actorType === 'SlowCounter');
        assert.equal(slowRows.length, 2, 'one invocation record per slow message');
        await verifyCounters(c.inspector, rt, [{ prefix: 'w-', n: SMALL }, { prefix: 'f-', n: SMALL * 5 }, { prefix: 'g-', n: SMALL * 5 }], SMALL);
        const aFenced = A.lines.filter((l) => l.startsWith('commit fenced')).length;
        const slowConflicts = A.lines.filter((l) => l.startsWith(`commit conflict ${step.invocationId} `) || l.startsWith(`commit conflict ${turn.invocationId} `));
        assert.deepEqual(slowConflicts, [], "A's stale turns were rejected by the fence (epoch), not by a version check");
        report(
          `[c] ${backend}: A SIGSTOPped mid-turn in 2 slow invocations; B held all ${PARTITIONS} partitions (higher epochs) ${(takeoverMs / 1000).toFixed(1)} s later and completed them; ` +
            `after SIGCONT the store fenced A's ${aFenced} write(s) (step journal + completion turn) within ${fencedMs} ms; states unchanged, each applied once by B (pid ${B.pid}); ` +
            `${SMALL * 11} Counter messages exact`,
        );
      });
    });
  });
}

// ---- d. backend restart mid-run (private servers only) -------------------------

const RESTART_N = 2_000;
const RESTART_ACTORS = 200;

async function restartRun(backend: 'redis' | 'postgres', url: string, restart: () => Promise<{ downMs: number }>): Promise<void> {
  const urls = backend === 'redis' ? { redis: url } : { postgres: url };
  await withCluster(
    backend,
    async (c) => {
      const workers = await Promise.all([c.cluster.spawn('w0'), c.cluster.spawn('w1')]);
      const producerLog = keepingLogger('producer');
      c.rt = await startProducer(backend, c.cluster.ns, { urls, logger: producerLog });
      await waitBalanced(c.rt, workers.map(workerId));
      const t0 = Date.now();
      const progress = { sent: 0 };
      let sent: SendOutcome | undefined;
      let sendError: unknown;
      // Paced over ~5 s so that the restart lands mid-run, for the producer and for the workers.
      const sending = sendAll(c.rt, { n: RESTART_N, concurrency: 32, ratePerSec: 400, message: (i) => counterMsg('m-', RESTART_ACTORS, i) }, progress).then(
        (o) => (sent = o),
        (err: unknown) => (sendError = err),
      );
      while (progress.sent < RESTART_N * 0.3 && !sendError) await sleep(20);
      const pendingBefore = await c.inspector.pending();
      const sentAtRestart = progress.sent;
      const { downMs } = await restart();
      await waitDrained(() => c.inspector.pending(), {
        sent: () => {
          if (sendError) throw sendError;
          return sent !== undefined;
        },
        timeoutMs: 120_000,
        stallMs: 45_000,
        what: `${backend} restart`,
        diagnose: () => `producer log tail:\n${producerLog.lines.slice(-5).join('\n')}\n${c.cluster.describe()}`,
      });
      await sending;
      const ms = Date.now() - t0;
      assert.ok(sent);
      await verifyCounters(c.inspector, c.rt, [{ prefix: 'm-', n: RESTART_N }], RESTART_ACTORS);
      assert.equal(c.cluster.live().length, 2, `the workers must survive the restart and reconnect by themselves:\n${c.cluster.describe()}`);
      const ev = workerEvents(c.cluster);
      const warnings = c.cluster.all.reduce((s, w) => s + (w.stderr.match(/\[(warn|error) /g)?.length ?? 0), 0);
      report(
        `[d] ${backend}: restarted mid-run after ${sentAtRestart}/${RESTART_N} sends (${pendingBefore} pending), down ${downMs} ms; ` +
          `${RESTART_N} msgs done in ${(ms / 1000).toFixed(1)} s; producer send retries ${sent.retries} (answered as duplicates: ${sent.duplicates}); ` +
          `workers: ${warnings} warning/error lines, fenced turns ${ev.fenced}, conflicts ${ev.conflicts}, abandoned ${ev.abandoned}, retries ${ev.retries}; counts exact`,
      );
    },
    { urls },
  );
}

describe('backend restart', () => {
  test('redis: a private redis-server (AOF, appendfsync always) restarted mid-run: 2 workers reconnect, counts exact', { skip: !STORE_BACKENDS.includes('redis') ? 'not in LOOM_CLUSTER_VARIANTS' : (PrivateRedis.unavailable() ?? false), timeout: 150_000 }, async () => {
    const server = await PrivateRedis.start();
    try {
      await restartRun('redis', server.url, async () => {
        const t = Date.now();
        await server.stop('SIGTERM');
        await sleep(1_000);
        await server.start();
        return { downMs: Date.now() - t };
      });
    } catch (err) {
      throw new Error(`${(err as Error).message}\nredis-server log:\n${server.log.slice(-3000)}`, { cause: err });
    } finally {
      await server.destroy();
    }
  });

  const pgUnavailable = PrivatePostgres.unavailable();
  if (pgUnavailable) console.log(`private PostgreSQL unavailable: ${pgUnavailable}`);
  test('postgres: a private cluster stopped with pg_ctl -m immediate mid-run and started again: 2 workers reconnect, counts exact', { skip: !STORE_BACKENDS.includes('postgres') ? 'not in LOOM_CLUSTER_VARIANTS' : (pgUnavailable ?? false), timeout: 150_000 }, async () => {
    const server = await PrivatePostgres.start();
    try {
      await restartRun('postgres', server.url, async () => {
        const t = Date.now();
        server.stopImmediate();
        await sleep(1_000);
        server.start();
        return { downMs: Date.now() - t };
      });
    } catch (err) {
      throw new Error(`${(err as Error).message}\npostgres log:\n${server.log.slice(-3000)}`, { cause: err });
    } finally {
      server.destroy();
    }
  });
});
