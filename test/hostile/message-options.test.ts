// The options of one call or send (trace, headers, timeout, delay, idempotencyKey,
// retryPolicy) are checked at the call: a bad one fails that call alone, names the
// option and the path, and nothing reaches the store.
import { it } from 'node:test';
import assert from 'node:assert/strict';
import type { CallMessage } from '../../src/index.js';
import { Good, besideGoodCalls, loomError, onStores, rejection } from './support.js';

const cyclic: Record<string, unknown> = { a: 1 };
cyclic.self = cyclic;
const throwing = {
  get boom(): string {
    throw new Error('getter threw');
  },
};

/** A bad option, the code it must raise and what the message must say. */
const BAD: { label: string; extra: Partial<CallMessage>; code: string; says: RegExp }[] = [
  { label: 'a trace holding a bigint', extra: { trace: { span: { id: 1n } } }, code: 'LOOM_INVALID_MESSAGE', says: /option trace is not plain JSON: trace\.span\.id is a bigint/ },
  { label: 'a trace with a cycle', extra: { trace: cyclic }, code: 'LOOM_INVALID_MESSAGE', says: /option trace .*trace\.self contains a cycle/ },
  { label: 'a trace with a throwing getter', extra: { trace: throwing }, code: 'LOOM_INVALID_MESSAGE', says: /trace\.boom is not plain data: reading it threw \(getter threw\)/ },
  { label: 'headers holding a bigint', extra: { headers: { h: 1n } as never }, code: 'LOOM_INVALID_MESSAGE', says: /option headers\.h must be a string, got 1n/ },
  { label: 'headers with a cycle', extra: { headers: cyclic as never }, code: 'LOOM_INVALID_MESSAGE', says: /option headers\.a must be a string/ },
  { label: 'headers with a throwing getter', extra: { headers: throwing as never }, code: 'LOOM_INVALID_MESSAGE', says: /option headers\.boom is not plain data/ },
  { label: 'headers that are an array', extra: { headers: ['x'] as never }, code: 'LOOM_INVALID_MESSAGE', says: /option headers must be a plain object of strings/ },
  { label: 'a trace over the size limit', extra: { trace: 'x'.repeat(5000) }, code: 'LOOM_PAYLOAD_TOO_LARGE', says: /trace and headers of the message to Good\/g .*over the limit of 4096 bytes/ },
  { label: 'a timeout of -1', extra: { timeout: -1 }, code: 'LOOM_CONFIG', says: /option timeout must be a number of ms from 0 to 31536000000 .*got -1/ },
  { label: "a timeout of 'abc'", extra: { timeout: 'abc' as never }, code: 'LOOM_CONFIG', says: /option timeout .*got "abc"/ },
  { label: 'a timeout of NaN', extra: { timeout: NaN }, code: 'LOOM_CONFIG', says: /option timeout .*got NaN/ },
  { label: 'a delay that is a symbol', extra: { delay: Symbol('s') as never }, code: 'LOOM_INVALID_MESSAGE', says: /delay Symbol\(s\) is not a duration/ },
  { label: 'a delay that overflows', extra: { delay: `${'9'.repeat(400)}d` }, code: 'LOOM_INVALID_MESSAGE', says: /delay "9{200}"…\(401 chars\) is not a duration/ },
  { label: 'a delay longer than a year', extra: { delay: '1e20d' }, code: 'LOOM_INVALID_MESSAGE', says: /delay "1e20d" is not a duration|delay .* is longer than a year/ },
  { label: 'a delay of 400 days', extra: { delay: '400d' }, code: 'LOOM_INVALID_MESSAGE', says: /delay "400d" is longer than a year \(31536000000 ms\)/ },
  { label: 'a timeout of two years', extra: { timeout: 2 * 31_536_000_000 }, code: 'LOOM_CONFIG', says: /option timeout must be a number of ms from 0 to 31536000000 .*got 63072000000/ },
  { label: 'an idempotencyKey that is a number', extra: { idempotencyKey: 5 as never }, code: 'LOOM_INVALID_MESSAGE', says: /idempotencyKey must be a non-empty string .*got 5/ },
  { label: 'an idempotencyKey holding NUL', extra: { idempotencyKey: 'a\u0000b' }, code: 'LOOM_INVALID_MESSAGE', says: /idempotencyKey .*without NUL characters/ },
  { label: 'a retryPolicy with an unknown field', extra: { retryPolicy: { maxAttempt: 3 } as never }, code: 'LOOM_CONFIG', says: /retryPolicy has an unknown field "maxAttempt"/ },
  { label: 'a retryPolicy that is a string', extra: { retryPolicy: 'fast' as never }, code: 'LOOM_CONFIG', says: /retryPolicy must be an object .*got "fast"/ },
  { label: 'a retryPolicy with an infinite delay', extra: { retryPolicy: { initialDelayMs: Infinity } }, code: 'LOOM_CONFIG', says: /retryPolicy\.initialDelayMs must be a finite number/ },
];

await onStores('bad options on one call or send', ['memory', 'sqlite'], (kind, start) => {
  for (const b of BAD) {
    it(`rejects ${b.label} at the call, stores nothing, and serves good calls beside it (${kind})`, async () => {
      const w = await start([Good], { maxPayloadBytes: 4096 });
      const before = await w.rt.admin.countInvocations({ actorType: 'Good' });
      const outcome = await besideGoodCalls(w.rt, () => w.rt.call({ actorType: 'Good', actorId: 'g', method: 'add', args: [100], ...b.extra }));
      assert.equal(outcome.status, 'rejected');
      assert.match(loomError((outcome as PromiseRejectedResult).reason, b.code).message, b.says);
      loomError(await rejection(w.rt.send({ actorType: 'Good', actorId: 'g', method: 'add', args: [100], ...b.extra })), b.code);
      // Five good calls and the one after: nothing of the two bad messages was stored.
      assert.equal(await w.rt.admin.countInvocations({ actorType: 'Good' }), before + 6);
    });
  }

  it(`accepts a plain trace and string headers, and keeps them with the invocation (${kind})`, async () => {
    const w = await start([Good]);
    const { invocationId } = await w.rt.send({ actorType: 'Good', actorId: 'h', method: 'add', args: [1], trace: { traceparent: '00-abc-def-01' }, headers: { tenant: 't1' } });
    assert.deepEqual((await w.rt.getInvocation(invocationId))?.meta?.headers, { tenant: 't1' });
    assert.equal(await w.rt.result(invocationId), 1);
  });
});
