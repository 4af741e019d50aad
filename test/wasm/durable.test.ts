// runtime.registerWasm: a WebAssembly module as a durable actor on SQLite — state,
// idempotency, retries, dead letters, journaled host calls and composition stages.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { InvocationFailedError } from '../../src/index.js';
import { fastRetry, sqliteRuntime, tempDir } from '../support/runtime.js';
import { ensureBuilt, example, fixture } from './modules.js';

describe('a WebAssembly module registered with registerWasm is a durable actor', { timeout: 180_000 }, () => {
  const tmp = tempDir();
  const prices: unknown[] = [];
  const marks: string[] = [];
  const logs: string[] = [];
  const runtime = sqliteRuntime(tmp.db, { defaults: { retryPolicy: fastRetry } });
  before(async () => {
    await ensureBuilt();
    runtime
      .registerWasm('Calculator', example('calculator-actor'), { onLog: (line, at) => logs.push(`${at.actorId}: ${line}`) })
      .registerWasm('Spinner', fixture('hostile'), { limits: { timeoutMs: 100 }, config: { retryPolicy: { maxAttempts: 2, backoff: 'fixed', initialDelayMs: 5 } } })
      .registerWasm('Quoter', fixture('host-calls'), {
        hostFunctions: {
          price: (input) => {
            prices.push(input);
            return { amount: 42 };
          },
        },
      })
      .registerWasm('Pipeline', ['stage-a', 'stage-b', 'stage-c'].map(fixture), {
        hostFunctions: { mark: (m) => void marks.push(JSON.stringify(m)) },
      });
    await runtime.start();
  });
  after(async () => {
    await runtime.stop();
    tmp.cleanup();
  });

  test('calls return the guest output', async () => {
    assert.deepEqual(await runtime.call({ actorType: 'Calculator', actorId: 'c-1', method: 'add', args: [{ a: 5, b: 3 }] }), { result: 8 });
  });

  test('the guest state is the actor state, committed with each call', async () => {
    await runtime.call({ actorType: 'Calculator', actorId: 'acc-1', method: 'accumulate', args: [{ value: 10 }] });
    const out = await runtime.call({ actorType: 'Calculator', actorId: 'acc-1', method: 'accumulate', args: [{ value: 5 }] });
    assert.deepEqual(out, { total: 15 });
    assert.deepEqual(await runtime.getState('Calculator', 'acc-1'), { total: 15 });
    assert.ok(logs.includes('acc-1: total is now 15'), logs.join('\n'));
  });

  test('an idempotency key runs the guest once', async () => {
    const msg = { actorType: 'Calculator', actorId: 'acc-2', method: 'accumulate', args: [{ value: 7 }], idempotencyKey: 'deposit-1' };
    await runtime.call(msg);
    assert.deepEqual(await runtime.call(msg), { total: 7 });
    assert.deepEqual(await runtime.getState('Calculator', 'acc-2'), { total: 7 });
  });

  test('a trap is dead-lettered at once, without retries', async () => {
    const err = await runtime.call({ actorType: 'Calculator', actorId: 'c-2', method: 'divide', args: [{ a: 1, b: 0 }] }).then(() => undefined, (e: unknown) => e);
    assert.ok(err instanceof InvocationFailedError, String(err));
    assert.equal(err.code, 'LOOM_DEAD_LETTERED');
    assert.equal(err.info.code, 'LOOM_WASM_TRAP');
    const rec = await runtime.getInvocation(err.invocationId);
    assert.equal(rec?.status, 'dead');
    assert.equal(rec?.attempt, 1);
    const dead = await runtime.deadLetters.list({ actorType: 'Calculator' });
    assert.ok(dead.some((d) => d.id === err.invocationId));
  });

  test('a timeout is retried by the policy, then dead-lettered', async () => {
    const err = await runtime.call({ actorType: 'Spinner', actorId: 's-1', method: 'loop', args: [{}] }).then(() => undefined, (e: unknown) => e);
    assert.ok(err instanceof InvocationFailedError, String(err));
    assert.equal(err.info.code, 'LOOM_WASM_TIMEOUT');
    assert.equal((await runtime.getInvocation(err.invocationId))?.attempt, 2);
    // The actor's next message is served normally.
    assert.deepEqual(await runtime.call({ actorType: 'Spinner', actorId: 's-1', method: 'echo', args: [{ ok: 1 }] }), { ok: 1 });
  });

  test('host functions are granted by name and each call is journaled', async () => {
    const out = (await runtime.call({ actorType: 'Quoter', actorId: 'q-1', method: 'quote', args: [{ sku: 'A' }] })) as Record<string, unknown>;
    assert.deepEqual(out['price'], { amount: 42 });
    assert.equal(out['quotes'], 1);
    assert.equal(typeof out['at'], 'number');
    assert.ok((out['r'] as number) >= 0 && (out['r'] as number) < 1);
    assert.deepEqual(prices, [{ sku: 'A' }]);
    assert.deepEqual(await runtime.getState('Quoter', 'q-1'), { quotes: 1 });
  });

  test('a composition runs its stages in order, each once', async () => {
    const out = await runtime.call({ actorType: 'Pipeline', actorId: 'p-1', method: 'stage', args: [{ id: 'loan-1' }] });
    assert.deepEqual(out, { id: 'loan-1', a: true, b: true, c: true });
    assert.deepEqual(marks, ['a', 'b', 'c'].map((s) => JSON.stringify({ stage: s, id: 'loan-1' })));
  });

  test('registration refuses what cannot work', () => {
    assert.throws(() => runtime.registerWasm('Bad', fixture('undeclared')), /wasi_snapshot_preview1\.fd_write/);
    assert.throws(() => runtime.registerWasm('NoGrant', fixture('host-calls')), /loom\.call/);
    assert.throws(() => runtime.registerWasm('', example('calculator-actor')), /non-empty actor type/);
  });
});
