// RabbitMQ restarted mid-run: workers recover on their own, nothing acknowledged is lost.
//
// Two workers share a PostgreSQL store (a fresh schema) and a RabbitMQ transport
// on a PRIVATE broker node (test/support/private-rabbitmq.ts: own node name,
// ports, data dir; the shared broker on 5672 is never touched). The test sends
// 2,000 increments with idempotency keys to 100 counters while it SIGKILLs the
// broker's process group, waits 2.5 s and starts it again on the same port and
// data. Then:
//  - every accepted message ran exactly once: 2,000 completed invocations, each
//    counter at 20 with the results 1..20, no dead letters, duplicates refused;
//  - both transports reconnected by themselves and resubscribed every partition
//    queue, and a fresh burst of 200 cross-worker calls completes well under the
//    2 s store poll, reaching its owners through notices rather than the poll.
//
// pollIntervalMs is 2,000: the transport is the fast path, the store poll is
// the safety net. The figures printed tell which path brought each invocation
// to its owner: "local" (the sender owns the partition), "notice" (a RabbitMQ
// delivery came first) or "poll" (the owner's store poll found it first).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import amqp from 'amqplib';
import { Actor, ActorRuntime, type AttemptEvent, type Logger } from '../src/index.js';
import { PostgresStore, type PostgresStoreOptions } from '../src/adapters/postgres/index.js';
import { RabbitMQTransport } from '../src/adapters/rabbitmq/index.js';
import type { Delivery, Transport, WorkNotice } from '../src/ports/transport.js';
import type { InvocationRecord } from '../src/ports/store.js';
import { partitionOf } from '../src/core/ids.js';
import { PrivateRabbitMQ } from './support/private-rabbitmq.js';

const PG = process.env.LOOM_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const PARTITIONS = 8;
const POLL_MS = 2_000;
const ACTORS = 100;
const PER_ACTOR = 20;
const TOTAL = ACTORS * PER_ACTOR;
const KILL_AFTER_SENT = 700; // the broker dies with about a third of the messages sent
const DOWN_MS = 2_500;
const SEND_BATCH = 20;
const SEND_TICK_MS = 80; // about 250 sends/s: the sends span the whole outage
const WORKERS = ['worker-a', 'worker-b'] as const;
const BURST = 200;
const BURST_WIDTH = 20; // calls in flight at once: the latency of notices, not of a saturated connection pool

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

class Counter extends Actor<{ n: number }> {
  static initialState = { n: 0 };
  async inc(): Promise<number> {
    this.state.n++;
    return this.state.n;
  }
}

// ---- what the test observes ------------------------------------------------

interface LogLine {
  t: number;
  who: string;
  level: 'info' | 'warn' | 'error';
  msg: string;
}

class Observer {
  readonly logs: LogLine[] = [];
  /** First time an invocation's owner got a RabbitMQ delivery for it. */
  readonly delivered = new Map<string, number>();
  /** First time an owner's store poll (or partition recovery) returned it as pending. */
  readonly polled = new Map<string, number>();
  /** When, and on which worker, it completed. */
  readonly completed = new Map<string, { t: number; worker: string }>();
  /** Completion events for an invocation that had completed already (must stay empty). */
  readonly completedTwice: string[] = [];
  /** Deliveries of notices whose invocation had completed before the delivery (redeliveries after the restart, late publishes). */
  staleDeliveries = 0;
  readonly failures: AttemptEvent[] = [];

  logger(who: string): Logger {
    const add = (level: LogLine['level']) => (msg: string) => this.logs.push({ t: Date.now(), who, level, msg });
    return { debug: () => {}, info: add('info'), warn: add('warn'), error: add('error') };
  }

  onAttempt(worker: string) {
    return (e: AttemptEvent): void => {
      if (e.outcome === 'completed') {
        if (this.completed.has(e.invocationId)) this.completedTwice.push(e.invocationId);
        else this.completed.set(e.invocationId, { t: Date.now(), worker });
      } else {
        this.failures.push(e); // a retry is a failed attempt too: worth reporting
      }
    };
  }

  sawDelivery(n: WorkNotice): void {
    if (this.completed.has(n.invocationId)) this.staleDeliveries++;
    if (!this.delivered.has(n.invocationId)) this.delivered.set(n.invocationId, Date.now());
  }

  sawPoll(recs: InvocationRecord[]): void {
    const now = Date.now();
    for (const r of recs) if (!this.polled.has(r.id)) this.polled.set(r.id, now);
  }

  /** How an invocation reached the worker that ran it. */
  path(id: string, local: boolean): 'local' | 'notice' | 'poll' | 'unknown' {
    if (local) return 'local';
    const d = this.delivered.get(id);
    const p = this.polled.get(id);
    if (d === undefined && p === undefined) return 'unknown';
    return p === undefined || (d !== undefined && d <= p) ? 'notice' : 'poll';
  }

  firstLog(who: string, pattern: RegExp, after: number): LogLine | undefined {
    return this.logs.find((l) => l.who === who && l.t >= after && pattern.test(l.msg));
  }
}

/** The PostgreSQL store, reporting what its polls return. */
class TracingStore extends PostgresStore {
  constructor(
    url: string,
    options: PostgresStoreOptions,
    private readonly seen: (recs: InvocationRecord[]) => void,
  ) {
    super(url, options);
  }

  override async pollPending(partitions: readonly number[], afterWakeSeq: number, limit: number): Promise<InvocationRecord[]> {
    const recs = await super.pollPending(partitions, afterWakeSeq, limit);
    this.seen(recs);
    return recs;
  }
}

/** A transport that reports every delivery before handing it on. */
class TracingTransport implements Transport {
  readonly name: string;
  readonly capabilities: Transport['capabilities'];

  constructor(
    private readonly inner: Transport,
    private readonly seen: (n: WorkNotice) => void,
  ) {
    this.name = inner.name;
    this.capabilities = inner.capabilities;
  }

  start(): Promise<void> {
    return this.inner.start();
  }
  close(): Promise<void> {
    return this.inner.close();
  }
  publish(notices: readonly WorkNotice[]): Promise<void> {
    return this.inner.publish(notices);
  }
  consume(partitions: readonly number[], onDelivery: (d: Delivery) => void): Promise<void> {
    return this.inner.consume(partitions, (d) => {
      this.seen(d.notice);
      onDelivery(d);
    });
  }
}

// ---- helpers -----------------------------------------------------------------

function pct(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((x, y) => x - y);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

async function until(what: string, ok: () => boolean | Promise<boolean>, ms: number, evidence: () => string | Promise<string> = () => ''): Promise<void> {
  const end = Date.now() + ms;
  while (!(await ok())) {
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting until ${what}\n${await evidence()}`);
    await sleep(50);
  }
}

/** Consumers on each partition queue of the private broker (-1: the queue is missing or the broker is unreachable). */
async function consumerCounts(url: string, prefix: string): Promise<number[]> {
  const out: number[] = [];
  let conn: Awaited<ReturnType<typeof amqp.connect>> | undefined;
  try {
    conn = await amqp.connect(url, { timeout: 1_000 });
    conn.on('error', () => {});
    for (let p = 0; p < PARTITIONS; p++) {
      const ch = await conn.createChannel();
      ch.on('error', () => {});
      try {
        out.push((await ch.checkQueue(`${prefix}.p${p}`)).consumerCount);
        await ch.close();
      } catch {
        out.push(-1); // a failed checkQueue closes the channel
      }
    }
  } catch {
    while (out.length < PARTITIONS) out.push(-1);
  } finally {
    await conn?.close().catch(() => {});
  }
  return out;
}

/** Runs fn over items, at most `width` at a time. */
async function pooled<T, R>(items: readonly T[], width: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array<R>(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(width, items.length) }, async () => {
      for (let i = next++; i < items.length; i = next++) out[i] = await fn(items[i]!);
    }),
  );
  return out;
}

async function withTimeout<T>(what: string, work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([work, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms} ms`)), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}

async function postgresUnreachable(): Promise<string | undefined> {
  const client = new pg.Client({ connectionString: PG, connectionTimeoutMillis: 3_000 });
  client.on('error', () => {});
  try {
    await client.connect();
    await client.query('SELECT 1');
    return undefined;
  } catch (err) {
    return `PostgreSQL is not reachable at ${PG.replace(/:[^:@/]*@/, ':***@')} (${(err as Error).message || (err as { code?: string }).code}); start it or set LOOM_TEST_POSTGRES_URL`;
  } finally {
    await client.end().catch(() => {});
  }
}

// ---- the test ----------------------------------------------------------------

const missing = [PrivateRabbitMQ.unavailable(), await postgresUnreachable()].filter((m): m is string => m !== undefined);

describe('RabbitMQ restarted mid-run', () => {
  if (missing.length > 0) {
    if (process.env.CI === 'true') {
      it('needs a private RabbitMQ node and PostgreSQL in CI', () => {
        throw new Error(`cannot run the RabbitMQ restart test: ${missing.join('; ')}`);
      });
    } else {
      it('workers recover on their own, nothing acknowledged is lost', { skip: missing.join('; ') }, () => {});
    }
    return;
  }

  it('workers recover on their own, nothing acknowledged is lost', { timeout: 120_000 }, async () => {
    const t0 = Date.now();
    const ns = `loom_rmqrestart_${randomBytes(4).toString('hex')}`;
    const obs = new Observer();
    const figures: string[] = [];
    const fig = (line: string) => figures.push(line);
    const runtimes: ActorRuntime[] = [];
    let node: PrivateRabbitMQ | undefined;
    let passed = false;

    try {
      node = await PrivateRabbitMQ.start();
      const broker = node;
      fig(`private broker ${broker.nodename} on 127.0.0.1:${broker.port} up in ${Date.now() - t0} ms`);

      const make = (id: string): ActorRuntime =>
        new ActorRuntime({
          store: new TracingStore(PG, { schema: ns, logger: obs.logger(id) }, (recs) => obs.sawPoll(recs)),
          transport: new TracingTransport(new RabbitMQTransport(broker.url, { prefix: ns, logger: obs.logger(id) }), (n) => obs.sawDelivery(n)),
          workerId: id,
          partitions: PARTITIONS,
          leaseTtlMs: 1_000,
          pollIntervalMs: POLL_MS,
          logger: obs.logger(id),
          onAttempt: obs.onAttempt(id),
        }).register(Counter);
      const a = make(WORKERS[0]);
      const b = make(WORKERS[1]);
      runtimes.push(a, b);
      await a.start();
      await b.start();
      await until('the two workers split the partitions 4/4', () => a.partitions.length === 4 && b.partitions.length === 4, 15_000, () => `a: ${a.partitions.join(',')}; b: ${b.partitions.join(',')}`);
      let counts: number[] = [];
      await until('every partition queue has its consumer', async () => (counts = await consumerCounts(broker.url, ns)).every((c) => c === 1), 10_000, () => `consumers per queue: ${counts.join(',')}`);
      const aOwns = new Set(a.partitions);

      // ---- 2,000 increments; the broker is SIGKILLed and restarted on the way ----
      const actors = Array.from({ length: ACTORS }, (_, i) => `c${i}`);
      const plan = Array.from({ length: TOTAL }, (_, i) => ({ actorId: actors[i % ACTORS]!, key: `inc-${actors[i % ACTORS]}-${Math.floor(i / ACTORS)}` }));
      const sent: { id: string; actorId: string; key: string; at: number; local: boolean }[] = [];
      const sendLatency: number[] = [];
      let killAt = 0;
      let downAt = 0; // SIGKILL confirmed: the port is closed
      let upAt = 0; // the restarted node completed an AMQP handshake
      let consumersBackAt = 0; // every partition queue has its consumer again
      let restartError: unknown;
      let restart: Promise<void> | undefined;
      let resubscribed: Promise<void> | undefined;
      const reconnectedAt: Record<string, number> = {};
      const runStart = Date.now();
      for (let i = 0; i < plan.length; i += SEND_BATCH) {
        const tick = Date.now();
        const batch = plan.slice(i, i + SEND_BATCH);
        await Promise.all(
          batch.map(async (m) => {
            const at = Date.now();
            const r = await a.send({ actorType: 'Counter', actorId: m.actorId, method: 'inc', idempotencyKey: m.key });
            sendLatency.push(Date.now() - at);
            assert.equal(r.duplicate, false, `first send of ${m.key} was reported as a duplicate`);
            sent.push({ id: r.invocationId, actorId: m.actorId, key: m.key, at, local: aOwns.has(partitionOf('Counter', m.actorId, PARTITIONS)) });
          }),
        );
        if (!restart && sent.length >= KILL_AFTER_SENT) {
          killAt = Date.now();
          restart = (async () => {
            await broker.kill();
            downAt = Date.now();
            await sleep(DOWN_MS);
            await broker.start();
            upAt = Date.now();
            // Both transports reconnect by themselves, then the broker itself shows a consumer on every queue.
            // (Right after a crash the quorum queues may still list the dead consumers for a moment: hence the logs first.)
            resubscribed = (async () => {
              await until('both transports reconnected', () => WORKERS.every((w) => (reconnectedAt[w] = obs.firstLog(w, /rabbitmq: reconnected/, killAt)?.t ?? 0) > 0), 20_000, () => recentLogs(obs));
              await until('every partition queue has its consumer again', async () => (counts = await consumerCounts(broker.url, ns)).every((c) => c === 1), 10_000, () => `consumers per queue: ${counts.join(',')}\n${recentLogs(obs)}`);
              consumersBackAt = Date.now();
            })();
            resubscribed.catch(() => {}); // awaited below, once the run is checked
          })().catch((err: unknown) => {
            restartError = err;
          });
        }
        await sleep(Math.max(0, SEND_TICK_MS - (Date.now() - tick)));
      }
      const sendsDone = Date.now();
      await restart;
      if (restartError) throw restartError;
      assert.equal(sent.length, TOTAL);
      assert.equal(new Set(sent.map((s) => s.id)).size, TOTAL, 'every send got an invocation id of its own');

      // Every accepted message completes (the poll alone would do it; the transport only speeds it up).
      const ids = sent.map((s) => s.id);
      await until(`all ${TOTAL} invocations completed`, () => ids.every((id) => obs.completed.has(id)), 45_000, async () => {
        const lost = sent.filter((s) => !obs.completed.has(s.id));
        const sample = await Promise.all(lost.slice(0, 10).map(async (s) => ({ s, rec: await a.getInvocation(s.id) })));
        return (
          `${lost.length} not completed, e.g.:\n` +
          sample.map(({ s, rec }) => `  ${s.id} ${s.actorId} ${s.key} partition=${rec?.partition} status=${rec?.status} attempt=${rec?.attempt} delivered=${obs.delivered.has(s.id)} polled=${obs.polled.has(s.id)}`).join('\n') +
          `\nowners: a=${a.partitions.join(',')} b=${b.partitions.join(',')}\n${recentLogs(obs)}`
        );
      });
      const allDone = Date.now();

      // Both transports logged the loss and reconnected by themselves; every queue has its consumer again.
      await resubscribed;
      for (const w of WORKERS) assert.ok(obs.firstLog(w, /lost the connection/, killAt), `${w} never reported losing the broker`);

      // ---- a fresh burst after the restart: 100 calls a→b-owned actors, 100 b→a-owned ----
      const burstIds = (owner: ActorRuntime, tag: string): string[] => {
        const owned = new Set(owner.partitions);
        const out: string[] = [];
        for (let i = 0; out.length < BURST / 2; i++) if (owned.has(partitionOf('Counter', `burst-${tag}-${i}`, PARTITIONS))) out.push(`burst-${tag}-${i}`);
        return out;
      };
      const burst = [...burstIds(b, 'ab').map((actorId) => ({ from: a, actorId })), ...burstIds(a, 'ba').map((actorId) => ({ from: b, actorId }))];
      const burstStart = Date.now();
      const burstResults = await withTimeout(
        'the burst',
        pooled(burst, BURST_WIDTH, async ({ from, actorId }) => {
          // send + result is what call() does; it also yields the invocation id for the notice timings.
          const at = Date.now();
          const { invocationId } = await from.send({ actorType: 'Counter', actorId, method: 'inc', idempotencyKey: `burst-${actorId}` });
          const value = await from.result<number>(invocationId);
          return { id: invocationId, at, value, callMs: Date.now() - at };
        }),
        30_000,
      );
      const burstTook = Date.now() - burstStart;
      assert.deepEqual(burstResults.map((r) => r.value), burst.map(() => 1), 'each burst counter ran once');
      const callMs = burstResults.map((r) => r.callMs);
      const noticeMs = burstResults.filter((r) => obs.delivered.has(r.id)).map((r) => obs.delivered.get(r.id)! - r.at);
      const runMs = burstResults.map((r) => obs.completed.get(r.id)!.t - r.at);
      const burstFirstByNotice = burstResults.filter((r) => obs.path(r.id, false) === 'notice').length;

      // ---- exactly once: states, results, dead letters, duplicates ----
      const states = await pooled(actors, 20, async (id) => (await a.getState<{ n: number }>('Counter', id))?.n);
      const wrong = actors.map((id, i) => [id, states[i]] as const).filter(([, n]) => n !== PER_ACTOR);
      assert.deepEqual(wrong, [], `every counter must be at exactly ${PER_ACTOR}`);
      assert.equal(states.reduce<number>((s, n) => s + (n ?? 0), 0), TOTAL);
      const recs = await pooled(ids, 40, (id) => a.getInvocation(id));
      const notCompleted = recs.filter((r) => r?.status !== 'completed');
      assert.equal(notCompleted.length, 0, `invocations not completed in the store: ${notCompleted.slice(0, 5).map((r) => `${r?.id}:${r?.status}`).join(', ')}`);
      const results = new Map<string, number[]>();
      recs.forEach((r, i) => {
        const list = results.get(sent[i]!.actorId) ?? [];
        list.push(JSON.parse(r!.resultJson ?? 'null') as number);
        results.set(sent[i]!.actorId, list);
      });
      const oneToTwenty = Array.from({ length: PER_ACTOR }, (_, i) => i + 1);
      for (const [actorId, list] of results) assert.deepEqual([...list].sort((x, y) => x - y), oneToTwenty, `results of ${actorId}`);
      assert.deepEqual(obs.completedTwice, [], 'an invocation completed twice');
      assert.deepEqual(await a.deadLetters.list({ limit: 10 }), [], 'no dead letters');
      const again = sent.filter((_, i) => i % 20 === 0); // 100 re-sends with the same keys
      const receipts = await pooled(again, 20, (s) => a.send({ actorType: 'Counter', actorId: s.actorId, method: 'inc', idempotencyKey: s.key }));
      assert.ok(receipts.every((r, i) => r.duplicate && r.invocationId === again[i]!.id), 're-sent keys must be recognised as duplicates of the original invocations');
      await sleep(300);
      assert.deepEqual((await pooled(actors.slice(0, 10), 10, (id) => a.getState<{ n: number }>('Counter', id))).map((s) => s?.n), actors.slice(0, 10).map(() => PER_ACTOR), 'duplicates must not run');

      // ---- figures ----
      const phaseOf = (t: number): 'before' | 'down' | 'reconnecting' | 'after' => (t < killAt ? 'before' : t < upAt ? 'down' : t < consumersBackAt ? 'reconnecting' : 'after');
      const table = new Map<string, number>();
      for (const s of sent) {
        const k = `${phaseOf(s.at)}/${obs.path(s.id, s.local)}`;
        table.set(k, (table.get(k) ?? 0) + 1);
      }
      const doneIn = { before: 0, down: 0, reconnecting: 0, after: 0 };
      for (const s of sent) doneIn[phaseOf(obs.completed.get(s.id)!.t)]++;
      const rel = (t: number) => `${((t - runStart) / 1000).toFixed(2)} s`;
      fig(`run: ${TOTAL} sends from worker-a over ${sendsDone - runStart} ms (send p50 ${pct(sendLatency, 50)} ms, max ${Math.max(...sendLatency)} ms); all completed ${allDone - runStart} ms after the first send`);
      fig(`broker SIGKILLed at ${rel(killAt)} (after ${KILL_AFTER_SENT} sends), port closed at ${rel(downAt)}, restarted after ${DOWN_MS} ms down, AMQP handshake at ${rel(upAt)}: broker gone for ${upAt - killAt} ms`);
      fig(`reconnected: worker-a at ${rel(reconnectedAt['worker-a']!)}, worker-b at ${rel(reconnectedAt['worker-b']!)} (${Math.max(reconnectedAt['worker-a']!, reconnectedAt['worker-b']!) - upAt} ms after the broker was back); all 8 queues consumed again by ${rel(consumersBackAt)}`);
      fig(`completed while the broker was up before the kill: ${doneIn.before}; down (kill → handshake): ${doneIn.down}; reconnecting (handshake → all queues consumed): ${doneIn.reconnecting}; after: ${doneIn.after}`);
      fig(`how each invocation reached its worker, by when it was sent: ${[...table].sort().map(([k, n]) => `${k}=${n}`).join(', ')}`);
      fig(`deliveries of notices whose work had already completed (redelivered or late-published, then acked): ${obs.staleDeliveries}`);
      fig(`burst of ${BURST} cross-worker calls after the restart (${BURST_WIDTH} in flight, poll ${POLL_MS} ms): ${burstTook} ms in all; call p50 ${pct(callMs, 50)} ms, p95 ${pct(callMs, 95)} ms; send→notice at the owner p50 ${pct(noticeMs, 50)} ms (${noticeMs.length}/${BURST} notified); send→completed p50 ${pct(runMs, 50)} ms, p95 ${pct(runMs, 95)} ms; reached first by a notice ${burstFirstByNotice}/${BURST}, by the poll ${BURST - burstFirstByNotice}`);
      const warns = obs.logs.filter((l) => l.level !== 'info');
      fig(`worker log: ${warns.length} warning(s)/error(s); distinct: ${[...new Set(warns.map((l) => `${l.who}: ${l.msg.replace(/[0-9a-f-]{36}/g, '<id>').replace(/\d+/g, 'N').slice(0, 160)}`))].slice(0, 8).join(' | ')}`);
      fig(`attempts that did not complete: ${obs.failures.length}${obs.failures.length ? ` (${obs.failures.slice(0, 3).map((f) => `${f.outcome}: ${f.error?.message ?? ''}`).join('; ')})` : ''}`);

      // Notices flow again: with the poll at 2 s, a p50 this far under it means the owners were woken by RabbitMQ.
      assert.ok(pct(callMs, 50) < POLL_MS / 4, `burst call p50 ${pct(callMs, 50)} ms is not well under the ${POLL_MS} ms poll: notices do not flow after the restart\n${recentLogs(obs)}`);
      assert.ok(noticeMs.length >= BURST * 0.9 && pct(noticeMs, 50) < POLL_MS / 4, `only ${noticeMs.length}/${BURST} burst invocations got a notice to their owner (p50 ${pct(noticeMs, 50)} ms)\n${recentLogs(obs)}`);
      passed = true;
    } finally {
      const cleanup = Date.now();
      for (const rt of runtimes) await withTimeout('stopping a runtime', rt.stop(2_000), 15_000).catch((err: Error) => fig(`cleanup: ${err.message}`));
      if (node) {
        if (!passed) fig(`private broker log:\n${node.logTail()}`);
        await node.destroy();
      }
      const admin = new pg.Client(PG);
      try {
        await admin.connect();
        await admin.query(`DROP SCHEMA IF EXISTS ${ns} CASCADE`);
      } catch (err) {
        fig(`cleanup: could not drop schema ${ns}: ${(err as Error).message}`);
      } finally {
        await admin.end().catch(() => {});
      }
      fig(`cleanup ${Date.now() - cleanup} ms; whole test ${Date.now() - t0} ms`);
      console.log(`\n== rabbitmq restart figures ==\n${figures.join('\n')}`);
    }
  });
});

function recentLogs(obs: Observer): string {
  return `recent worker log:\n${obs.logs
    .slice(-25)
    .map((l) => `  ${new Date(l.t).toISOString().slice(11, 23)} ${l.who} ${l.level}: ${l.msg.slice(0, 300)}`)
    .join('\n')}`;
}
