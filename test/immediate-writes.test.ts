// Writes applied at once on a store in the process (Store.immediate): what they must never do.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { Actor, ActorRuntime, StoreError } from '../src/index.js';
import { GroupCommitter } from '../src/core/group-commit.js';
import { silentLogger } from '../src/core/logger.js';
import { MemoryStore } from '../src/adapters/memory/index.js';
import type { ImmediateWrites, NewInvocation } from '../src/ports/store.js';

const item = (actorId: string): NewInvocation => ({ id: randomUUID(), actorType: 'T', actorId, method: 'm', argsJson: '[]', partition: 0, ttlMs: 60_000 });

class Tally extends Actor<{ n: number }> {
  static initialState = { n: 0 };
  async add() {
    return ++this.state.n;
  }
}

describe('immediate writes', () => {
  it('stop for the rest of a macrotask after a budget, so that timers and I/O get their turn', async () => {
    const c = new GroupCommitter(new MemoryStore());
    // Bounded, so that a committer without a budget fails here instead of looping forever.
    let now = 0;
    while (now < 10_000 && c.enqueueNow(item(`a${now}`))) now++;
    assert.ok(now >= 100 && now < 10_000, `${now} immediate writes in one macrotask`);
    await new Promise((r) => setImmediate(r));
    assert.ok(c.enqueueNow(item('after')), 'the budget is back on the next macrotask');
  });

  it('never overtake a write that is queued for a batch', async () => {
    // Immediate writes as the memory store does them; batches that take 30 ms.
    const memory = new MemoryStore();
    const direct = memory.immediate;
    const store = new Proxy(memory, {
      get(target, prop) {
        if (prop === 'immediate') return direct;
        if (prop === 'write') {
          return async (...args: Parameters<MemoryStore['write']>) => {
            await new Promise((r) => setTimeout(r, 30));
            return target.write(...args);
          };
        }
        const v = Reflect.get(target, prop, target) as unknown;
        return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
      },
    });
    const c = new GroupCommitter(store);
    let filled = 0;
    while (filled < 10_000 && c.enqueueNow(item(`fill${filled}`))) filled++;
    assert.ok(filled < 10_000, 'the budget ran out');
    const queued = c.enqueue(item('queued'));
    await new Promise((r) => setImmediate(r));
    assert.equal(c.enqueueNow(item('next')), undefined, 'the queued batch is still in flight');
    await queued;
    assert.ok(c.enqueueNow(item('later')));
  });

  it('let a timer run in the middle of a flood of calls', async () => {
    const rt = new ActorRuntime({ store: new MemoryStore(), logger: silentLogger });
    rt.register(Tally);
    await rt.start();
    try {
      const total = 20_000;
      let done = 0;
      let doneWhenTimerRan = -1;
      setTimeout(() => (doneWhenTimerRan = done), 1);
      let next = 0;
      const worker = async () => {
        while (next < total) {
          next++;
          await rt.call({ actorType: 'Tally', actorId: `t${next % 100}`, method: 'add' });
          done++;
        }
      };
      await Promise.all(Array.from({ length: 50 }, worker));
      assert.equal(done, total);
      assert.ok(doneWhenTimerRan >= 0 && doneWhenTimerRan < total, `the timer ran after ${doneWhenTimerRan} of ${total} calls`);
    } finally {
      await rt.stop();
    }
  });

  it('a store that throws on an immediate enqueue fails that call with a StoreError, and the worker goes on', async () => {
    class Flaky extends MemoryStore {
      down = true;
      override get immediate(): ImmediateWrites | undefined {
        const real = super.immediate!;
        return {
          enqueue: (i) => {
            if (this.down) throw new Error('disk full');
            return real.enqueue(i);
          },
          commit: (t) => real.commit(t),
        };
      }
    }
    const store = new Flaky();
    const rt = new ActorRuntime({ store, logger: silentLogger });
    rt.register(Tally);
    await rt.start();
    try {
      await assert.rejects(rt.call({ actorType: 'Tally', actorId: 'x', method: 'add' }), (err: unknown) => {
        assert.ok(err instanceof StoreError);
        assert.match(err.message, /could not accept the message to Tally\/x\.add: the store failed \(disk full\)/);
        return true;
      });
      assert.equal(await rt.getState('Tally', 'x'), undefined, 'nothing ran');
      store.down = false;
      assert.equal(await rt.call({ actorType: 'Tally', actorId: 'x', method: 'add' }), 1);
    } finally {
      await rt.stop();
    }
  });
});
