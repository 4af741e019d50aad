import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Actor } from '../src/index.js';
import { memoryRuntime, fastRetry } from './support/runtime.js';

class Echo extends Actor<{ n: number }> {
  static initialState = { n: 0 };
  static config = { retryPolicy: fastRetry };
  async echo(x: unknown) {
    this.state.n++;
    return x;
  }
  async throwString() {
    throw 'plain string';
  }
  async returnFunction() {
    return () => 1;
  }
}

describe('bad input', () => {
  it('rejects an unknown actor type with a code and the list of registered types', async () => {
    const rt = await memoryRuntime();
    rt.register(Echo);
    await assert.rejects(rt.call({ actorType: 'Nope', actorId: '1', method: 'echo' }), (err: Error & { code: string }) => {
      assert.equal(err.code, 'LOOM_UNKNOWN_ACTOR');
      assert.match(err.message, /"Nope".*registered: Echo/);
      return true;
    });
    await rt.stop();
  });

  it('rejects an unknown method, naming the handlers', async () => {
    const rt = await memoryRuntime();
    rt.register(Echo);
    await assert.rejects(rt.call({ actorType: 'Echo', actorId: '1', method: 'nope' }), (err: Error & { code: string }) => {
      assert.equal(err.code, 'LOOM_UNKNOWN_METHOD');
      assert.match(err.message, /handlers: echo/);
      return true;
    });
    await rt.stop();
  });

  it('rejects arguments that do not round-trip through JSON, naming the path', async () => {
    const rt = await memoryRuntime();
    rt.register(Echo);
    await assert.rejects(rt.call({ actorType: 'Echo', actorId: '1', method: 'echo', args: [{ when: 1n }] }), {
      code: 'LOOM_NOT_SERIALIZABLE',
      message: /args\[0\]\.when is a bigint/,
    });
    await assert.rejects(rt.call({ actorType: 'Echo', actorId: '1', method: 'echo', args: [new Map()] }), { code: 'LOOM_NOT_SERIALIZABLE' });
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    await assert.rejects(rt.call({ actorType: 'Echo', actorId: '1', method: 'echo', args: [cyclic] }), { message: /cycle/ });
    await rt.stop();
  });

  it('rejects a payload over the size limit with the sizes in the message', async () => {
    const rt = await memoryRuntime({ maxPayloadBytes: 1000 });
    rt.register(Echo);
    await assert.rejects(rt.call({ actorType: 'Echo', actorId: '1', method: 'echo', args: ['x'.repeat(2000)] }), {
      code: 'LOOM_PAYLOAD_TOO_LARGE',
      message: /over the limit of 1000 bytes/,
    });
    await rt.stop();
  });

  it('rejects malformed envelopes', async () => {
    const rt = await memoryRuntime();
    rt.register(Echo);
    await assert.rejects(rt.call({ actorType: 'Echo', actorId: '', method: 'echo' }), { code: 'LOOM_INVALID_MESSAGE' });
    await assert.rejects(rt.call({ actorType: 'Echo', actorId: '1', method: 'echo', args: 'x' as unknown as [] }), { code: 'LOOM_INVALID_MESSAGE' });
    await rt.stop();
  });

  it('turns a thrown non-Error into a clear error and keeps serving', async () => {
    const rt = await memoryRuntime();
    rt.register(Echo);
    await assert.rejects(rt.call({ actorType: 'Echo', actorId: '1', method: 'throwString' }), (err: Error & { code: string }) => {
      assert.equal(err.code, 'LOOM_DEAD_LETTERED');
      assert.match(err.message, /non-Error value: plain string/);
      return true;
    });
    assert.equal(await rt.call({ actorType: 'Echo', actorId: '1', method: 'echo', args: [42] }), 42);
    await rt.stop();
  });

  it('dead-letters a handler whose result is not JSON, without retrying it, and keeps serving', async () => {
    const attempts: string[] = [];
    const rt = await memoryRuntime({ onAttempt: (e) => attempts.push(e.outcome) });
    rt.register(Echo);
    await assert.rejects(rt.call({ actorType: 'Echo', actorId: '1', method: 'returnFunction' }), { message: /result of Echo.returnFunction cannot be stored: result is a function/ });
    assert.deepEqual(attempts, ['dead']);
    assert.equal(await rt.call({ actorType: 'Echo', actorId: '1', method: 'echo', args: ['ok'] }), 'ok');
    await rt.stop();
  });

  it('logs an onAttempt observer that throws, and keeps serving', async () => {
    const warnings: string[] = [];
    const logger = { debug: () => {}, info: () => {}, warn: (m: string) => warnings.push(m), error: (m: string) => warnings.push(m) };
    const rt = await memoryRuntime({
      logger,
      onAttempt: () => {
        throw new Error('observer broke');
      },
    });
    rt.register(Echo);
    assert.equal(await rt.call({ actorType: 'Echo', actorId: '1', method: 'echo', args: [1] }), 1);
    assert.equal(await rt.call({ actorType: 'Echo', actorId: '1', method: 'echo', args: [2] }), 2);
    assert.equal(warnings.length, 2);
    assert.match(warnings[0]!, /onAttempt observer threw on invocation .*: observer broke/);
    await rt.stop();
  });

  it('rejects bad configuration with the offending option named', async () => {
    const { ActorRuntime } = await import('../src/index.js');
    assert.throws(() => new ActorRuntime({ partitions: 0 }), { code: 'LOOM_CONFIG', message: /partitions/ });
    const rt = await memoryRuntime();
    class Bad extends Actor {
      static config = { retryPolicy: { maxAttempts: 0 } };
      async x() {}
    }
    assert.throws(() => rt.register(Bad), { code: 'LOOM_CONFIG', message: /maxAttempts/ });
    assert.throws(() => rt.register(class NotAnActor {} as never), { code: 'LOOM_CONFIG' });
    await rt.stop();
  });
});
