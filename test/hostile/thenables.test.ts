// A handler that is not async may return anything, thenables included: whatever
// their `then` does, the worker stays up and the call ends like an awaited one.
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { Actor, type AttemptEvent } from '../../src/index.js';
import { Good, besideGoodCalls, blamedTheStore, deadLettered, onStores, rejection } from './support.js';

const retry = { maxAttempts: 2, backoff: 'fixed' as const, initialDelayMs: 5 };

class Thenables extends Actor<{ n: number }> {
  static initialState = { n: 0 };
  static config = { retryPolicy: retry, timeout: 300 };
  // Not async on purpose: these return the thenable itself.
  getterThrows() {
    this.state.n++;
    return {
      get then(): never {
        throw new Error('the then getter threw');
      },
    };
  }
  methodThrows() {
    this.state.n++;
    return {
      then(): never {
        throw new Error('then() threw');
      },
    };
  }
  neverSettles() {
    return { then() {} };
  }
  resolvesTwice() {
    this.state.n++;
    return {
      then(ok: (v: unknown) => void, fail: (e: unknown) => void) {
        ok('first');
        ok('second');
        fail(new Error('too late'));
        throw new Error('after the resolve: ignored');
      },
    };
  }
  resolvesWithThenable() {
    return { then: (ok: (v: unknown) => void) => ok({ then: (ok2: (v: unknown) => void) => ok2({ nested: true }) }) };
  }
  rejectsThenResolves() {
    this.state.n++;
    return {
      then(ok: (v: unknown) => void, fail: (e: unknown) => void) {
        fail(new Error('rejected first'));
        ok('resolved late');
      },
    };
  }
  count() {
    return this.state.n;
  }
}

await onStores('a handler returning a hostile thenable', ['memory', 'sqlite'], (kind, start) => {
  it(`dead-letters a thenable whose then getter throws, after the retry policy, and the worker serves good calls beside it (${kind})`, async () => {
    const events: AttemptEvent[] = [];
    const w = await start([Thenables, Good], { onAttempt: (e) => events.push(e) });
    const outcome = await besideGoodCalls(w.rt, () => w.rt.call({ actorType: 'Thenables', actorId: 't1', method: 'getterThrows' }));
    assert.equal(outcome.status, 'rejected');
    const err = deadLettered((outcome as PromiseRejectedResult).reason);
    assert.match(err.info.message, /the then getter threw/);
    assert.deepEqual(events.filter((e) => e.actorType === 'Thenables').map((e) => e.outcome), ['retry', 'dead']);
    assert.equal(await w.rt.call({ actorType: 'Thenables', actorId: 't1', method: 'count' }), 0, 'a failed attempt committed no state');
    assert.equal(blamedTheStore(w), false);
  });

  it(`dead-letters a thenable whose then method throws (${kind})`, async () => {
    const w = await start([Thenables, Good]);
    const outcome = await besideGoodCalls(w.rt, () => w.rt.call({ actorType: 'Thenables', actorId: 't2', method: 'methodThrows' }));
    assert.match(deadLettered((outcome as PromiseRejectedResult).reason).info.message, /then\(\) threw/);
    assert.equal(blamedTheStore(w), false);
  });

  it(`ends a thenable that never settles with the handler timeout, then dead-letters it (${kind})`, async () => {
    const w = await start([Thenables, Good]);
    const outcome = await besideGoodCalls(w.rt, () => w.rt.call({ actorType: 'Thenables', actorId: 't3', method: 'neverSettles' }));
    deadLettered((outcome as PromiseRejectedResult).reason, 'LOOM_TIMEOUT');
  });

  it(`takes the first settlement of a thenable that resolves twice, rejects late and throws after (${kind})`, async () => {
    const w = await start([Thenables, Good]);
    const outcome = await besideGoodCalls(w.rt, () => w.rt.call({ actorType: 'Thenables', actorId: 't4', method: 'resolvesTwice' }));
    assert.deepEqual(outcome, { status: 'fulfilled', value: 'first' });
    assert.equal(await w.rt.call({ actorType: 'Thenables', actorId: 't4', method: 'count' }), 1, 'committed once');
  });

  it(`takes the first settlement of a thenable that rejects and then resolves (${kind})`, async () => {
    const w = await start([Thenables, Good]);
    const err = deadLettered(await rejection(w.rt.call({ actorType: 'Thenables', actorId: 't5', method: 'rejectsThenResolves' })));
    assert.match(err.info.message, /rejected first/);
  });

  it(`follows a thenable that resolves with another thenable, as await does (${kind})`, async () => {
    const w = await start([Thenables, Good]);
    assert.deepEqual(await w.rt.call({ actorType: 'Thenables', actorId: 't6', method: 'resolvesWithThenable' }), { nested: true });
  });
});
