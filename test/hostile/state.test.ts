// A handler that leaves this.state as something no actor can have fails alone:
// the committed state stays as it was and the actor's next calls work.
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { Actor } from '../../src/index.js';
import { Good, besideGoodCalls, deadLettered, onStores } from './support.js';

class Wallet extends Actor<{ cents: number }> {
  static initialState = { cents: 0 };
  static config = { retryPolicy: { maxAttempts: 3, backoff: 'fixed' as const, initialDelayMs: 5 } };
  async deposit(cents: number) {
    this.state.cents += cents;
    return this.state.cents;
  }
  async setNull() {
    this.state.cents += 1000;
    this.state = null as never;
  }
  async setUndefined() {
    this.state = undefined as never;
  }
  async setNumber() {
    this.state = 42 as never;
  }
  async setFunction() {
    this.state = (() => 1) as never;
  }
  async setMap() {
    this.state = new Map() as never;
  }
  async setThrowingGetter() {
    Object.defineProperty(this, 'state', {
      get() {
        throw new Error('state getter threw');
      },
    });
  }
}

const BAD: { method: string; code: string; says: RegExp }[] = [
  { method: 'setNull', code: 'LOOM_INVALID_STATE', says: /setNull of Wallet\/w set this\.state to null; an actor's state must be a plain object \(or array\)\. The committed state was left as it was/ },
  { method: 'setUndefined', code: 'LOOM_INVALID_STATE', says: /set this\.state to undefined/ },
  { method: 'setNumber', code: 'LOOM_INVALID_STATE', says: /set this\.state to 42/ },
  { method: 'setFunction', code: 'LOOM_INVALID_STATE', says: /set this\.state to a function/ },
  { method: 'setMap', code: 'LOOM_NOT_SERIALIZABLE', says: /this\.state is an instance of Map/ },
  { method: 'setThrowingGetter', code: 'LOOM_INVALID_STATE', says: /reading this\.state at the end of setThrowingGetter of Wallet\/w threw \(state getter threw\)/ },
];

await onStores('a handler that leaves a bad state', ['memory', 'sqlite'], (kind, start) => {
  for (const b of BAD) {
    it(`dead-letters ${b.method} at once, keeps the committed state, and the actor's next calls work (${kind})`, async () => {
      const w = await start([Wallet, Good]);
      assert.equal(await w.rt.call({ actorType: 'Wallet', actorId: 'w', method: 'deposit', args: [5] }), 5);
      const outcome = await besideGoodCalls(w.rt, () => w.rt.call({ actorType: 'Wallet', actorId: 'w', method: b.method }));
      const err = deadLettered((outcome as PromiseRejectedResult).reason, b.code);
      assert.match(err.info.message, b.says);
      assert.match(err.message, /after 1 attempt\(s\)/);
      assert.deepEqual(await w.rt.getState('Wallet', 'w'), { cents: 5 }, 'the committed state is unchanged');
      assert.equal(await w.rt.call({ actorType: 'Wallet', actorId: 'w', method: 'deposit', args: [1] }), 6, 'the next call runs on the committed state');
    });
  }
});
