import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { GroupCommitter } from '../src/core/group-commit.js';
import { MemoryStore } from '../src/adapters/memory/index.js';
import type { NewInvocation, StoreCapabilities, TurnWrite, WriteResult } from '../src/ports/store.js';

/** A memory store whose writes take `delayMs` and are logged as they start and end. */
class SlowStore extends MemoryStore {
  override readonly capabilities: StoreCapabilities;
  readonly log: string[] = [];
  constructor(batchConcurrency: number, private readonly delayMs = 30) {
    super();
    this.capabilities = { durable: false, shared: false, batchConcurrency };
  }
  override async write(enqueues: NewInvocation[], turns: TurnWrite[]): Promise<WriteResult> {
    const label = [...enqueues.map((e) => `e:${e.actorId}`), ...turns.map((t) => `t:${t.invocationId.slice(0, 4)}`)].join(',');
    this.log.push(`start ${label}`);
    await new Promise((r) => setTimeout(r, this.delayMs));
    const out = await super.write(enqueues, turns);
    this.log.push(`end ${label}`);
    return out;
  }
}

const item = (actorId: string, partition: number): NewInvocation => ({ id: randomUUID(), actorType: 'T', actorId, method: 'm', argsJson: '[]', partition, ttlMs: 60_000 });

describe('GroupCommitter', () => {
  it('sends an enqueue and the turn issued right after it in one write', async () => {
    const store = new SlowStore(1, 1);
    const lease = await store.leases.acquire(0, 'w', 60_000);
    const c = new GroupCommitter(store);
    const a = item('a', 0);
    const [enq, turn] = await Promise.all([c.enqueue(a), c.commit({ partition: 0, epoch: lease!.epoch, invocationId: a.id, journal: [] })]);
    assert.equal(enq.duplicate, false);
    assert.equal(turn.outcome, 'ok');
    assert.equal(store.log.filter((l) => l.startsWith('start')).length, 1, store.log.join('\n'));
  });

  it('with batches in parallel, holds a turn until the batch carrying its enqueue has landed', async () => {
    const store = new SlowStore(2);
    const lease = await store.leases.acquire(0, 'w', 60_000);
    const c = new GroupCommitter(store);
    const a = item('a', 0);
    const first = c.enqueue(a);
    await new Promise((r) => setImmediate(r)); // the batch with a's enqueue is now in flight
    const turn = c.commit({ partition: 0, epoch: lease!.epoch, invocationId: a.id, journal: [] });
    const other = c.enqueue(item('b', 0));
    assert.equal((await turn).outcome, 'ok', 'a turn sent ahead of its enqueue would be a conflict');
    await Promise.all([first, other]);
    const tag = `t:${a.id.slice(0, 4)}`;
    const turnStart = store.log.findIndex((l) => l.startsWith('start') && l.includes(tag));
    assert.ok(turnStart > store.log.indexOf('end e:a'), store.log.join('\n'));
    assert.ok(store.log.indexOf('start e:b') < store.log.indexOf('end e:a'), 'an unrelated enqueue does not wait');
  });

  it('holds an enqueue until its gate settles, with the turns of its invocation, and lets other writes pass', async () => {
    const store = new SlowStore(1, 1);
    const lease = await store.leases.acquire(0, 'w', 60_000);
    const c = new GroupCommitter(store);
    const a = item('a', 0);
    let open!: () => void;
    const gate = new Promise<void>((r) => (open = r));
    const enq = c.enqueue(a, gate);
    const turn = c.commit({ partition: 0, epoch: lease!.epoch, invocationId: a.id, journal: [] });
    await c.enqueue(item('b', 0));
    assert.deepEqual(store.log, ['start e:b', 'end e:b'], 'b went ahead; neither a nor its turn did');
    open();
    const [e, t] = await Promise.all([enq, turn]);
    assert.equal(e.duplicate, false);
    assert.equal(t.outcome, 'ok', 'the turn went with or after its enqueue');
    assert.equal(store.log[2], `start e:a,t:${a.id.slice(0, 4)}`, store.log.join('\n'));
  });

  it('releases a held enqueue when its gate rejects', async () => {
    const c = new GroupCommitter(new MemoryStore());
    const enq = c.enqueue(item('a', 0), Promise.reject(new Error('state read failed')));
    assert.equal((await enq).duplicate, false);
  });

  it('makes two calls, enqueues then turns, for a store without write()', async () => {
    const memory = new MemoryStore();
    // The same store seen through the port without its optional method.
    const store = new Proxy(memory, {
      get(target, prop) {
        if (prop === 'write' || prop === 'immediate') return undefined;
        const v = Reflect.get(target, prop, target) as unknown;
        return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
      },
    });
    const calls: string[] = [];
    for (const m of ['enqueue', 'commit'] as const) {
      const orig = memory[m].bind(memory) as (items: never[]) => Promise<unknown[]>;
      (memory as unknown as Record<string, unknown>)[m] = (items: never[]) => (calls.push(`${m}:${items.length}`), orig(items));
    }
    const lease = await store.leases.acquire(0, 'w', 60_000);
    const c = new GroupCommitter(store);
    const a = item('a', 0);
    const [, turn] = await Promise.all([c.enqueue(a), c.commit({ partition: 0, epoch: lease!.epoch, invocationId: a.id, journal: [] })]);
    assert.equal(turn.outcome, 'ok', 'the turn saw the enqueue of the same batch');
    assert.deepEqual(calls, ['enqueue:1', 'commit:1']);
  });
});
