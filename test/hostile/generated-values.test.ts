// Generated values of every kind (bigints, symbols, sparse arrays, boxed values,
// class instances, null prototypes, deep nesting) through args, trace and headers,
// and thrown by a handler: each call succeeds or fails alone with a short
// LoomError, and the worker keeps serving.
import { it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Actor, LoomError } from '../../src/index.js';
import { Good, onStores } from './support.js';

const anything = fc.anything({
  maxDepth: 4,
  withBigInt: true,
  withBoxedValues: true,
  withDate: true,
  withMap: true,
  withSet: true,
  withNullPrototype: true,
  withObjectString: true,
  withSparseArray: true,
  withTypedArray: true,
});

/** What the next `Throw.it` call throws: set by the test right before the call. */
let toThrow: unknown;

class Throw extends Actor {
  static config = { retryPolicy: { maxAttempts: 2, backoff: 'fixed' as const, initialDelayMs: 1 } };
  async it() {
    throw toThrow;
  }
}

/** A settled call is fine either way, as long as a failure is a short LoomError. */
function fineOutcome(r: PromiseSettledResult<unknown>): void {
  if (r.status === 'fulfilled') return;
  const err = r.reason as unknown;
  assert.ok(err instanceof LoomError, `not a LoomError: ${String((err as Error)?.stack ?? err)}`);
  assert.match(err.code, /^LOOM_[A-Z_]+$/);
  assert.ok(Buffer.byteLength(err.message) < 2048, `${Buffer.byteLength(err.message)} bytes`);
}

await onStores('generated hostile values', ['memory'], (kind, start) => {
  it(`meets every generated argument, trace and header with a result or a short LoomError, and keeps serving (${kind})`, async () => {
    const w = await start([Good]);
    let n = 0;
    await fc.assert(
      fc.asyncProperty(anything, fc.constantFrom('args', 'trace', 'headers'), async (value, where) => {
        const msg = { actorType: 'Good', actorId: 'g', method: 'add', args: [0] as unknown[] };
        if (where === 'args') msg.args = [value];
        const extra = where === 'trace' ? { trace: value } : where === 'headers' ? { headers: value as Record<string, string> } : {};
        fineOutcome((await Promise.allSettled([w.rt.call({ ...msg, ...extra })]))[0]!);
        fineOutcome((await Promise.allSettled([w.rt.send({ ...msg, ...extra })]))[0]!);
        assert.equal(typeof (await w.rt.call<number>({ actorType: 'Good', actorId: `ok-${n++}`, method: 'add', args: [1] })), 'number');
      }),
      { numRuns: 150 },
    );
  });

  it(`dead-letters whatever a handler throws, never logging a store failure (${kind})`, async () => {
    const w = await start([Throw, Good]);
    await fc.assert(
      fc.asyncProperty(anything, async (value) => {
        toThrow = value;
        const [r] = await Promise.allSettled([w.rt.call({ actorType: 'Throw', actorId: 't', method: 'it' })]);
        assert.equal(r!.status, 'rejected');
        fineOutcome(r!);
        assert.equal((r as PromiseRejectedResult).reason.code, 'LOOM_DEAD_LETTERED');
      }),
      { numRuns: 100 },
    );
    assert.deepEqual(w.logged.filter((m) => /store failed/.test(m)), []);
  });
});
