import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { ActorRuntime, LoomClient, type InvocationView, type WaitingReason } from '../../src/index.js';
import { silentLogger } from '../../src/core/logger.js';
import type { Store } from '../../src/ports/store.js';
import { Ops, bump, effects, latch, release } from './actors.js';

/** Opens a Store on one backend's shared data: each call is another "process" on the same data. */
export interface Backend {
  store(): Store;
  cleanup(): Promise<void>;
}

/** Waits until `check` returns a value, or fails naming `what`. */
export async function until<T>(what: string, check: () => Promise<T | undefined | false>, ms = 10_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await check();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > end) assert.fail(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

/**
 * The operator's scenarios on one backend, with a real worker and a client
 * that is not one: every kind of stuck invocation, cancel at every status,
 * restart from a step, a stale state edit, and an interrupted bulk redrive.
 */
export function adminScenarios(name: string, open: () => Promise<Backend>): void {
  const scenario = (title: string, body: (t: { worker: ActorRuntime; client: LoomClient; id: (s: string) => string; backend: Backend }) => Promise<void>, withWorker = true) =>
    it(title, { timeout: 60_000 }, async () => {
      const backend = await open();
      const worker = new ActorRuntime({ store: backend.store(), logger: silentLogger, pollIntervalMs: 25, partitions: 8 }).register(Ops);
      const client = new LoomClient({ store: backend.store(), partitions: 8, actorTypes: ['Ops'], logger: silentLogger });
      const tag = randomUUID().slice(0, 8);
      try {
        if (withWorker) await worker.start();
        await body({ worker, client, id: (s) => `${s}-${tag}`, backend });
      } finally {
        await client.close().catch(() => {});
        await worker.stop(1000).catch(() => {});
        await backend.cleanup();
      }
    });

  const reason = async (client: LoomClient, id: string, kind: WaitingReason['kind']): Promise<WaitingReason> =>
    until(`invocation ${id} to be ${kind}`, async () => {
      const v = await client.getInvocation(id);
      return v.waiting?.kind === kind ? v.waiting : undefined;
    });

  describe(`admin scenarios: ${name}`, () => {
    scenario('every kind of stuck invocation reports the one reason it is not running', async ({ client, id, backend }) => {
      const gate = id('gate');
      const running = await client.send({ actorType: 'Ops', actorId: id('r'), method: 'blocked', args: [gate] });
      const awaiting = await client.send({ actorType: 'Ops', actorId: id('p'), method: 'approve' });
      const q1 = await client.send({ actorType: 'Ops', actorId: id('p'), method: 'add', args: [1] });
      const q2 = await client.send({ actorType: 'Ops', actorId: id('p'), method: 'add', args: [2] });
      const caller = await client.send({ actorType: 'Ops', actorId: id('c'), method: 'askPlain', args: [id('callee')] });
      const napping = await client.send({ actorType: 'Ops', actorId: id('s'), method: 'nap' });
      const failing = await client.send({ actorType: 'Ops', actorId: id('f'), method: 'flaky', args: [id('f')] });
      const delayed = await client.send({ actorType: 'Ops', actorId: id('d'), method: 'add', args: [1], delay: '1h' });

      const r = await reason(client, running.invocationId, 'running');
      assert.equal(r.kind === 'running' && typeof r.owner, 'string');
      await reason(client, awaiting.invocationId, 'awaiting-promise');
      const w1 = await reason(client, q1.invocationId, 'queued');
      const w2 = await reason(client, q2.invocationId, 'queued');
      assert.deepEqual(w1, { kind: 'queued', position: 1, of: 2, head: { id: awaiting.invocationId, method: 'approve' } });
      assert.deepEqual(w2, { kind: 'queued', position: 2, of: 2, head: { id: awaiting.invocationId, method: 'approve' } });
      const call = await reason(client, caller.invocationId, 'awaiting-call');
      assert.equal(call.kind === 'awaiting-call' && call.callee?.actorId, id('callee'));
      assert.equal(call.kind === 'awaiting-call' && call.callee?.method, 'approve');
      const nap = await reason(client, napping.invocationId, 'sleeping');
      assert.ok(nap.kind === 'sleeping' && nap.until > Date.now() + 3_000_000);
      const back = await reason(client, failing.invocationId, 'backing-off');
      assert.ok(back.kind === 'backing-off' && back.attempt === 1 && back.lastError?.message === 'the payment provider is down');
      const view = await client.getInvocation(failing.invocationId);
      assert.equal(view.status, 'pending', 'a retrying invocation is pending, and says it is backing off');
      await reason(client, delayed.invocationId, 'delayed');

      const page = await client.listInvocations({ filter: { actorType: 'Ops', waiting: 'backing-off' } });
      assert.ok(page.items.some((v: InvocationView) => v.record.id === failing.invocationId));
      assert.ok(page.items.every((v: InvocationView) => v.waiting?.kind === 'backing-off'));
      assert.ok((await client.countInvocations({ actorType: 'Ops', actorId: id('p'), waiting: 'queued' })) === 2);
      // The page's reasons read at once (readQueues, readRecords) are the ones the per-row reads give.
      const perRow = new LoomClient({ store: withoutPageReads(backend.store()), partitions: 8, actorTypes: ['Ops'], logger: silentLogger });
      try {
        const reasons = async (c: LoomClient) => JSON.stringify((await c.listInvocations({ filter: { actorType: 'Ops' }, limit: 100 })).items.map((v) => [v.record.id, v.waiting]));
        await until('the batched and per-row reasons to agree', async () => (await reasons(client)) === (await reasons(perRow)));
        const kinds = new Set((await client.listInvocations({ filter: { actorType: 'Ops' }, limit: 100 })).items.map((v) => v.waiting?.kind));
        for (const k of ['running', 'queued', 'awaiting-promise', 'awaiting-call', 'sleeping', 'delayed'] as const) assert.ok(kinds.has(k), `the page shows ${k}`);
      } finally {
        await perRow.close();
      }
      release(gate);
    });

    scenario('with no worker, work reports no-owner, and a type no worker registers reports unknown-type', async ({ client, id }) => {
      const a = await client.send({ actorType: 'Ops', actorId: id('a'), method: 'add', args: [1] });
      assert.equal((await client.getInvocation(a.invocationId)).waiting?.kind, 'no-owner');
      const b = await client.send({ actorType: 'Nobody', actorId: id('b'), method: 'x' });
      assert.deepEqual((await client.getInvocation(b.invocationId)).waiting, { kind: 'unknown-type', actorType: 'Nobody' });
    }, false);

    scenario('cancel at every status ends the invocation cancelled, its caller rejects, and the actor moves on', async ({ worker, client, id }) => {
      const expectCancelled = (p: Promise<unknown>) => assert.rejects(p, (e: { code?: string }) => e.code === 'LOOM_CANCELLED');
      // suspended on a promise, with work queued behind it on the same actor
      const awaiting = await client.send({ actorType: 'Ops', actorId: id('p'), method: 'approve' });
      await reason(client, awaiting.invocationId, 'awaiting-promise');
      const behind = worker.call({ actorType: 'Ops', actorId: id('p'), method: 'add', args: [5] });
      await expectCancelled(Promise.all([client.cancel(awaiting.invocationId, 'nobody will approve'), client.result(awaiting.invocationId)]));
      assert.equal(await behind, 5, 'the actor is free again');
      assert.equal((await client.getInvocation(awaiting.invocationId)).status, 'cancelled');
      // sleeping, backing off, queued, delayed
      const napping = await client.send({ actorType: 'Ops', actorId: id('s'), method: 'nap' });
      await reason(client, napping.invocationId, 'sleeping');
      const failing = await client.send({ actorType: 'Ops', actorId: id('f'), method: 'flaky', args: [id('f')] });
      await reason(client, failing.invocationId, 'backing-off');
      const queued = await client.send({ actorType: 'Ops', actorId: id('s'), method: 'add', args: [1] });
      await reason(client, queued.invocationId, 'queued');
      const delayed = await client.send({ actorType: 'Ops', actorId: id('d'), method: 'add', args: [1], delay: '1h' });
      for (const r of [queued, napping, failing, delayed]) {
        await client.cancel(r.invocationId);
        await expectCancelled(client.result(r.invocationId));
      }
      assert.equal(await worker.call({ actorType: 'Ops', actorId: id('s'), method: 'add', args: [2] }), 2, 'the sleeping one no longer holds its actor');
      assert.equal(effects.get(id('f')), 1, 'the backing-off one never ran again');
      // mid-step on a running worker: the worker's call rejects, the next step never runs
      const gate = id('gate');
      const call = worker.call({ actorType: 'Ops', actorId: id('r'), method: 'blocked', args: [gate] });
      call.catch(() => {});
      await until('the step to start', async () => effects.get(`${gate}:started`) === 1);
      // An eagerly started call's enqueue may still be on its way to the store.
      const running = await until('the running one in the store', async () => (await client.listInvocations({ filter: { actorType: 'Ops', actorId: id('r') } })).items[0]);
      await client.cancel(running.record.id);
      release(gate);
      await expectCancelled(call);
      await sleep(100);
      assert.equal(effects.get(`${gate}:after`), undefined, 'cancelled at its next durable operation');
      // an actor-to-actor call: the caller's this.call rejects with the cancel
      const caller = await client.send({ actorType: 'Ops', actorId: id('c'), method: 'ask', args: [id('callee')] });
      const callee = await reason(client, caller.invocationId, 'awaiting-call');
      assert.ok(callee.kind === 'awaiting-call' && callee.callee);
      await until('the callee to wait', async () => (await client.getInvocation(callee.callee!.id)).waiting?.kind === 'awaiting-promise');
      await client.cancel(callee.callee.id, 'operator said no');
      assert.match(await client.result<string>(caller.invocationId), /caught LOOM_CANCELLED: operator said no/);
      // not allowed once finished: a clear error, nothing changed
      const done = await client.call({ actorType: 'Ops', actorId: id('x'), method: 'add', args: [1] });
      assert.equal(done, 1);
      const [finished] = (await client.listInvocations({ filter: { actorType: 'Ops', actorId: id('x') } })).items;
      await assert.rejects(client.cancel(finished!.record.id), (e: { code?: string; message: string }) => e.code === 'LOOM_ACTION_NOT_ALLOWED' && /completed/.test(e.message));
      assert.equal((await client.getInvocation(finished!.record.id)).status, 'completed');
      await assert.rejects(client.cancel('no-such-id'), (e: { code?: string }) => e.code === 'LOOM_NOT_FOUND');
    });

    scenario('restart from step k replays exactly the copied prefix and runs the rest anew', async ({ client, id }) => {
      const key = id('three');
      const first = await client.send({ actorType: 'Ops', actorId: id('t'), method: 'three', args: [key], retryPolicy: { maxAttempts: 1 } });
      await until('the dead letter', async () => (await client.getInvocation(first.invocationId)).status === 'dead');
      const detail = await client.getInvocation(first.invocationId);
      // The failing attempt's last step result was not journaled: only what committed is there.
      assert.deepEqual(detail.journal.map((e) => [e.position, e.kind, e.name, e.status]), [[0, 'step', 'one', 'done'], [1, 'step', 'two', 'done']]);
      assert.ok(detail.journal.every((e) => e.resultBytes > 0));
      await assert.rejects(client.restart(first.invocationId, 3), (e: { code?: string }) => e.code === 'LOOM_ACTION_NOT_ALLOWED');
      const again = await client.restart(first.invocationId, 1);
      assert.notEqual(again.record.id, first.invocationId);
      assert.equal(await client.result(again.record.id), 'all three');
      assert.deepEqual([effects.get(`${key}:one`), effects.get(`${key}:two`), effects.get(`${key}:three`)], [1, 2, 2], 'step one replayed from the copy; two and three ran anew');
    });

    scenario('a state edit with a stale version is rejected and changes nothing; a current one applies', async ({ worker, client, id }) => {
      await worker.call({ actorType: 'Ops', actorId: id('a'), method: 'add', args: [1] });
      const read = await client.getState('Ops', id('a'));
      assert.deepEqual(read.state, { n: 1 });
      await worker.call({ actorType: 'Ops', actorId: id('a'), method: 'add', args: [10] });
      await assert.rejects(client.editState('Ops', id('a'), { n: 100 }, read.version), (e: { code?: string }) => e.code === 'LOOM_STALE_STATE');
      assert.deepEqual((await client.getState('Ops', id('a'))).state, { n: 11 });
      const fresh = await client.getState('Ops', id('a'));
      const edited = await client.editState('Ops', id('a'), { n: 100 }, fresh.version);
      assert.equal(edited.version, fresh.version + 1);
      assert.equal(await worker.call({ actorType: 'Ops', actorId: id('a'), method: 'add', args: [1] }), 101, 'the worker sees the edit');
    });

    scenario('bulk redrive counts first, reports progress, and an interrupted run finishes on the second with none run twice', async ({ client, id }) => {
      const keys = Array.from({ length: 30 }, (_, i) => id(`poison-${i}`));
      for (const k of keys) await client.send({ actorType: 'Ops', actorId: k, method: 'poison', args: [k], retryPolicy: { maxAttempts: 1 } });
      const filter = { actorType: 'Ops', errorCode: 'POISON' };
      await until('30 dead letters', async () => (await client.countInvocations({ ...filter, status: 'dead' })) === 30);
      const dry = await client.bulk('redrive', filter, { dryRun: true });
      assert.equal(dry.total, 30);
      assert.equal(dry.done, 0);
      const stop = new AbortController();
      const progress: number[] = [];
      const first = await client.bulk('redrive', filter, { signal: stop.signal, pageSize: 7, onProgress: (p) => (progress.push(p.done), p.done === 12 && stop.abort()) });
      assert.equal(first.interrupted, true);
      assert.equal(first.succeeded, 12);
      assert.deepEqual(progress, Array.from({ length: 12 }, (_, i) => i + 1));
      const second = await client.bulk('redrive', filter);
      assert.equal(second.total, 18);
      assert.equal(second.succeeded, 18);
      await until('every redriven one to finish', async () => (await client.countInvocations({ actorType: 'Ops', method: 'poison', status: 'completed' })) >= 30);
      for (const k of keys) assert.equal(effects.get(k), 2, `${k} ran once failing and once redriven`);
    });
  });
}

void bump;
void latch;

/** The store with an admin capability that lacks the optional page reads: the admin layer falls back to its per-row reads. */
function withoutPageReads(store: Store): Store {
  const bind = (t: object, v: unknown) => (typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(t) : v);
  return new Proxy(store, {
    get(t, p) {
      const v = Reflect.get(t, p, t) as unknown;
      if (p !== 'admin' || !v) return bind(t, v);
      return new Proxy(v as object, { get: (a, q) => (q === 'readQueues' || q === 'readRecords' ? undefined : bind(a, Reflect.get(a, q, a))) });
    },
  });
}
