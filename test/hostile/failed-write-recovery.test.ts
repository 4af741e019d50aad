// An invocation whose write failed is retried in its place, from what the store holds: later messages to its
// actor never overtake it, and a write that landed although its answer was lost is never done twice.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Actor, OutcomeUnknownError, StoreError } from '../../src/index.js';
import { MemoryStore } from '../../src/adapters/memory/index.js';
import { memoryRuntime } from '../support/runtime.js';
import type { NewInvocation, TurnWrite, WriteResult } from '../../src/ports/store.js';

/** A store whose next write matching `trip` fails: before applying it (`before`) or after, with its answer lost (`after`). */
class FailsOnce extends MemoryStore {
  tripped = false;
  constructor(
    private readonly trip: (turn: TurnWrite) => boolean,
    private readonly when: 'before' | 'after',
  ) {
    super();
  }
  override async write(enqueues: NewInvocation[], turns: TurnWrite[]): Promise<WriteResult> {
    const hit = !this.tripped && turns.some(this.trip);
    if (hit) this.tripped = true;
    if (hit && this.when === 'before') throw new StoreError('the store is down for a moment');
    const out = await super.write(enqueues, turns);
    if (hit) throw new OutcomeUnknownError('the answer was lost');
    return out;
  }
}

class Counter extends Actor<{ n: number }> {
  static initialState = { n: 0 };
  async add() {
    return ++this.state.n;
  }
}

let charges = 0;
class Payment extends Actor {
  async pay() {
    await this.step('charge', () => ++charges);
    await this.sleep(5);
    return 'paid';
  }
}

describe('an invocation whose write failed', () => {
  it('keeps its place: a later message to the same actor does not overtake it while it waits to retry', async (t) => {
    const store = new FailsOnce((turn) => turn.transition?.status === 'completed', 'before');
    const rt = await memoryRuntime({ store });
    t.after(() => rt.stop(100));
    rt.register(Counter);
    await rt.start();
    const first = rt.call({ actorType: 'Counter', actorId: 'c', method: 'add', args: [], idempotencyKey: 'first' });
    const second = rt.call({ actorType: 'Counter', actorId: 'c', method: 'add', args: [], idempotencyKey: 'second' });
    assert.deepEqual(await Promise.all([first, second]), [1, 2], 'they ran in the order they were accepted');
    assert.ok(store.tripped);
  });

  it('rereads the store before it runs again: a step journaled by a write whose answer was lost is not run twice', async (t) => {
    charges = 0;
    const store = new FailsOnce((turn) => turn.transition?.status === 'pending' && turn.journal?.some((e) => e.name === 'charge') === true, 'after');
    const rt = await memoryRuntime({ store });
    t.after(() => rt.stop(100));
    rt.register(Payment);
    await rt.start();
    assert.equal(await rt.call({ actorType: 'Payment', actorId: 'p', method: 'pay', args: [], idempotencyKey: 'order-1' }), 'paid');
    assert.ok(store.tripped);
    assert.equal(charges, 1, 'the charge ran once');
  });
});
