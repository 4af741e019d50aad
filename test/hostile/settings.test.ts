// Settings are checked where they are given: the runtime's options, an actor
// type's static config, register(), a client's options and a step's. A bad one is
// a ConfigError that names the option and shows the value, cut short.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Actor, ActorRuntime, LoomClient, type ActorRuntimeOptions } from '../../src/index.js';
import { MemoryStore } from '../../src/adapters/memory/index.js';
import { echo } from '../../src/core/echo.js';
import { Good, besideGoodCalls, deadLettered, loomError, onStores, rejection } from './support.js';

const huge = 'v'.repeat(1 << 20);
const hostile = Object.defineProperty({}, 'maxConcurrency', {
  enumerable: true,
  get() {
    throw new Error('getter threw');
  },
});

/** Runtime options, and what the error must say. */
const RUNTIME: { options: unknown; says: RegExp }[] = [
  { options: { maxConcurrency: 0 }, says: /^ActorRuntime option maxConcurrency must be a positive integer, got 0$/ },
  { options: { maxPayloadBytes: NaN }, says: /option maxPayloadBytes must be a positive integer, got NaN/ },
  { options: { defaults: { timeout: -1 } }, says: /option defaults\.timeout must be a number of ms from 0 to 31536000000 \(a year; 0: no timeout\), got -1/ },
  { options: { defaults: { timeout: 'abc' } }, says: /option defaults\.timeout .*got "abc"/ },
  { options: { defaults: { timeout: NaN } }, says: /option defaults\.timeout .*got NaN/ },
  { options: { defaults: { retryPolicy: { maxAttempts: Infinity } } }, says: /option defaults\.retryPolicy\.maxAttempts must be a positive integer, got Infinity/ },
  { options: { sweepIntervalMs: 3e9 }, says: /option sweepIntervalMs must be an integer from 1 to 2147483647, got 3000000000/ },
  { options: { partitions: 1e9 }, says: /option partitions must be an integer from 1 to 65536/ },
  { options: { workerId: huge }, says: /option workerId must be .*got "v{200}"…\(1048576 chars\)$/ },
  { options: { maxConcurency: 10 }, says: /ActorRuntime options has an unknown key "maxConcurency"; the known ones are .*maxConcurrency/ },
  { options: { logger: { warn() {} } }, says: /option logger must be a logger: an object with debug, info, warn and error methods/ },
  { options: { eagerStart: 'yes' }, says: /option eagerStart must be true or false, got "yes"/ },
  { options: hostile, says: /ActorRuntime options could not be read: getter threw/ },
  { options: 5, says: /ActorRuntime options must be an object, got 5/ },
];

describe('bad settings where they are given', () => {
  for (const r of RUNTIME) {
    it(`new ActorRuntime() rejects ${r.options === hostile ? 'options whose getter throws' : echo(r.options, 60)} with a ConfigError that names the option`, () => {
      assert.throws(() => new ActorRuntime(r.options as ActorRuntimeOptions), (e: unknown) => (assert.match(loomError(e, 'LOOM_CONFIG').message, r.says), true));
    });
  }

  it('rejects a bad static config of an actor type at register, naming the type and the key', () => {
    class Slow extends Actor {
      static config = { timeout: -1 };
      async go() {}
    }
    class Typo extends Actor {
      static config = { timout: 5 };
      async go() {}
    }
    class Bad extends Actor {
      static config = { retryPolicy: { backoff: 'linear' } };
      async go() {}
    }
    const rt = new ActorRuntime({ store: new MemoryStore() });
    assert.throws(() => rt.register(Slow as never), (e: unknown) => (assert.match(loomError(e, 'LOOM_CONFIG').message, /^Slow\.config\.timeout must be a number of ms from 0 to 31536000000 .*got -1$/), true));
    assert.throws(() => rt.register(Typo as never), (e: unknown) => (assert.match(loomError(e, 'LOOM_CONFIG').message, /^Typo\.config has an unknown key "timout"; the known ones are timeout, /), true));
    assert.throws(() => rt.register(Bad as never), (e: unknown) => (assert.match(loomError(e, 'LOOM_CONFIG').message, /Bad\.config\.retryPolicy\.backoff must be 'fixed' or 'exponential', got "linear"/), true));
  });

  it('rejects bad register() overrides and initial states, naming them', () => {
    const rt = new ActorRuntime({ store: new MemoryStore() });
    assert.throws(() => rt.register(Good, { timeout: 'abc' as never }), (e: unknown) => (assert.match(loomError(e, 'LOOM_CONFIG').message, /Good\.config\.timeout .*got "abc"/), true));
    assert.throws(() => rt.register(Good, 'fast' as never), (e: unknown) => (assert.match(loomError(e, 'LOOM_CONFIG').message, /the config given to register\(Good\) must be an object, got "fast"/), true));
    class NullState extends Actor {
      static initialState = null;
      async go() {}
    }
    class BigState extends Actor {
      static initialState = { n: 1n };
      async go() {}
    }
    assert.throws(() => rt.register(NullState as never), (e: unknown) => (assert.match(loomError(e, 'LOOM_CONFIG').message, /NullState\.initialState must be a plain object, got null/), true));
    assert.throws(() => rt.register(BigState as never), (e: unknown) => (assert.match(loomError(e, 'LOOM_CONFIG').message, /initialState\.n is a bigint/), true));
  });

  it('rejects bad LoomClient options, naming them', () => {
    const store = new MemoryStore();
    assert.throws(() => new LoomClient({ store, maxPayloadBytes: NaN }), (e: unknown) => (assert.match(loomError(e, 'LOOM_CONFIG').message, /LoomClient option maxPayloadBytes must be a positive integer, got NaN/), true));
    assert.throws(() => new LoomClient({ store, idempotencyTtlSeconds: -5 }), (e: unknown) => (assert.match(loomError(e, 'LOOM_CONFIG').message, /idempotencyTtlSeconds must be a number of seconds >= 0, got -5/), true));
  });
});

class Stepper extends Actor {
  static config = { retryPolicy: { maxAttempts: 3, backoff: 'fixed' as const, initialDelayMs: 5 } };
  async badTimeout() {
    return this.step('s', () => 1, { timeoutMs: -5 });
  }
  async unknownOption() {
    return this.step('s', () => 1, { retries: 3 } as never);
  }
}

await onStores('bad step options', ['memory', 'sqlite'], (kind, start) => {
  it(`dead-letters at once a handler whose step gets bad options, naming the step and the option, beside good calls (${kind})`, async () => {
    const w = await start([Stepper, Good]);
    const outcome = await besideGoodCalls(w.rt, () => w.rt.call({ actorType: 'Stepper', actorId: 's', method: 'badTimeout' }));
    const err = deadLettered((outcome as PromiseRejectedResult).reason, 'LOOM_INVALID_MESSAGE');
    assert.match(err.message, /after 1 attempt\(s\): step "s": timeoutMs must be a number of ms from 0 to 31536000000 .*got -5/);
    const other = deadLettered(await rejection(w.rt.call({ actorType: 'Stepper', actorId: 's', method: 'unknownOption' })));
    assert.match(other.info.message, /step "s": unknown option "retries"; the options are retry and timeoutMs/);
  });
});
