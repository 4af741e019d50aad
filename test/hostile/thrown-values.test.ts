// Whatever a handler throws becomes a plain failure record: retried under the
// policy, then dead-lettered, never mistaken for a store outage. Run on every
// store, since each one writes the stored error its own way.
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { Actor, type AttemptEvent } from '../../src/index.js';
import { Good, besideGoodCalls, blamedTheStore, deadLettered, onStores } from './support.js';

const retry = { maxAttempts: 2, backoff: 'fixed' as const, initialDelayMs: 5 };

const withGetter = (key: string, error = 'the getter threw'): Error => {
  const e = new Error('hidden');
  Object.defineProperty(e, key, {
    get() {
      throw new Error(error);
    },
  });
  return e;
};

/** Each method throws one hostile value; `expect` is what the stored message must say. */
const CASES: { method: string; expect: RegExp; code?: string }[] = [
  { method: 'messageGetterThrows', expect: /message could not be read/ },
  { method: 'bigintMessage', expect: /^10n$/ },
  { method: 'symbolName', expect: /^plain$/ },
  { method: 'toStringAndToJsonThrow', expect: /non-Error value: an object/, code: 'LOOM_NON_ERROR_THROWN' },
  { method: 'revokedProxy', expect: /non-Error value: an object that cannot be inspected/, code: 'LOOM_NON_ERROR_THROWN' },
  { method: 'stackAndCodeGettersThrow', expect: /^plain$/ },
  { method: 'nulAndLoneSurrogate', expect: /^a\ufffdb\ufffdc$/ },
  { method: 'hugeMessage', expect: /…\(1000000 chars\)$/ },
];

class Thrower extends Actor {
  static config = { retryPolicy: retry };
  async messageGetterThrows() {
    throw withGetter('message');
  }
  async bigintMessage() {
    const e = new Error('x');
    (e as unknown as { message: bigint }).message = 10n;
    throw e;
  }
  async symbolName() {
    const e = new Error('plain');
    (e as unknown as { name: symbol }).name = Symbol('odd');
    throw e;
  }
  async toStringAndToJsonThrow() {
    throw {
      toString() {
        throw new Error('toString threw');
      },
      get toJSON() {
        throw new Error('toJSON threw');
      },
    };
  }
  async revokedProxy() {
    const { proxy, revoke } = Proxy.revocable({}, {});
    revoke();
    throw proxy;
  }
  async stackAndCodeGettersThrow() {
    const e = withGetter('stack');
    Object.defineProperty(e, 'message', { value: 'plain' });
    Object.defineProperty(e, 'code', {
      get() {
        throw new Error('code getter');
      },
    });
    throw e;
  }
  async nulAndLoneSurrogate() {
    throw new Error('a\u0000b\ud800c');
  }
  async hugeMessage() {
    throw new Error('m'.repeat(1_000_000));
  }
}

await onStores('a handler that throws a hostile value', ['memory', 'sqlite', 'postgres', 'redis'], (kind, start) => {
  for (const c of CASES) {
    it(`retries ${c.method} under the policy, then dead-letters it with a plain failure record, beside good calls (${kind})`, async () => {
      const events: AttemptEvent[] = [];
      const w = await start([Thrower, Good], { onAttempt: (e) => events.push(e) });
      const outcome = await besideGoodCalls(w.rt, () => w.rt.call({ actorType: 'Thrower', actorId: c.method, method: c.method }));
      assert.equal(outcome.status, 'rejected');
      const err = deadLettered((outcome as PromiseRejectedResult).reason, c.code);
      assert.match(err.info.message, c.expect);
      assert.deepEqual(events.filter((e) => e.actorType === 'Thrower').map((e) => e.outcome), ['retry', 'dead'], 'the retry policy applied, no attempt was abandoned');
      assert.equal(blamedTheStore(w), false, `no store failure was logged: ${w.logged.join(' | ')}`);
      const [dead] = await w.rt.deadLetters.list({ actorType: 'Thrower' });
      assert.equal(dead?.status, 'dead');
      assert.deepEqual(dead?.error?.message, err.info.message, 'the stored error is the one the caller got');
    });
  }
});
