// The arguments of the list APIs (dead letters, actors, invocations) are checked
// in the shared layer before any store sees them, so every backend answers a bad
// one the same way: LOOM_INVALID_FILTER naming the argument.
import { it } from 'node:test';
import assert from 'node:assert/strict';
import type { ActorRuntime } from '../../src/index.js';
import { Good, loomError, onStores, rejection } from './support.js';

const throwingFilter = Object.defineProperty({}, 'status', {
  enumerable: true,
  get() {
    throw new Error('filter getter threw');
  },
});

/** A list call with bad arguments, and what the message must say. */
const BAD: { label: string; run: (rt: ActorRuntime) => Promise<unknown>; says: RegExp }[] = [
  { label: "deadLetters.list({ limit: 'many' })", run: (rt) => rt.deadLetters.list({ limit: 'many' as never }), says: /^deadLetters\.list: limit must be a whole number from 1 to 1000, got "many"$/ },
  { label: 'deadLetters.list({ limit: 0 })', run: (rt) => rt.deadLetters.list({ limit: 0 }), says: /limit must be a whole number from 1 to 1000, got 0/ },
  { label: 'deadLetters.list({ limit: 2.5 })', run: (rt) => rt.deadLetters.list({ limit: 2.5 }), says: /got 2\.5/ },
  { label: 'deadLetters.list({ limit: 1e9 })', run: (rt) => rt.deadLetters.list({ limit: 1e9 }), says: /got 1000000000/ },
  { label: 'deadLetters.list({ actorType: 5 })', run: (rt) => rt.deadLetters.list({ actorType: 5 as never }), says: /actorType must be a non-empty string of at most 512 characters, got 5/ },
  { label: 'deadLetters.list({ type: "Good" })', run: (rt) => rt.deadLetters.list({ type: 'Good' } as never), says: /deadLetters\.list: unknown option "type"; the options are limit and actorType/ },
  { label: 'deadLetters.list(null)', run: (rt) => rt.deadLetters.list(null as never), says: /deadLetters\.list takes an object .*got null/ },
  { label: 'admin.listDeadLetters({ limit: 10n })', run: (rt) => rt.admin.listDeadLetters({ limit: 10n as never }), says: /listDeadLetters: limit .*got 10n/ },
  { label: 'admin.listActors({ limit: -1 })', run: (rt) => rt.admin.listActors({ limit: -1 }), says: /listActors: limit .*got -1/ },
  { label: "admin.listInvocations({ limit: 'x' })", run: (rt) => rt.admin.listInvocations({ limit: 'x' as never }), says: /limit must be a whole number from 1 to 1000, got "x"/ },
  { label: 'admin.listInvocations({ cursor: {} })', run: (rt) => rt.admin.listInvocations({ cursor: {} as never }), says: /the cursor \{\} is not one this API returned/ },
  { label: "admin.listInvocations({ order: 'sideways' })", run: (rt) => rt.admin.listInvocations({ order: 'sideways' as never }), says: /order must be 'newest' or 'oldest', got "sideways"/ },
  { label: 'admin.listInvocations({ page: 2 })', run: (rt) => rt.admin.listInvocations({ page: 2 } as never), says: /unknown query field "page"/ },
  { label: 'admin.listInvocations(null)', run: (rt) => rt.admin.listInvocations(null as never), says: /a query must be an object/ },
  { label: 'a filter with an unknown status', run: (rt) => rt.admin.listInvocations({ filter: { status: 'zombie' as never } }), says: /unknown status "zombie"/ },
  { label: 'a filter whose getter throws', run: (rt) => rt.admin.countInvocations(throwingFilter), says: /the filter could not be read \(filter getter threw\)/ },
  { label: 'a filter holding a bigint', run: (rt) => rt.admin.countInvocations({ minAttempt: 1n as never }), says: /filter\.minAttempt must be a whole number >= 0, got 1n/ },
];

await onStores('bad arguments to the list APIs', ['memory', 'sqlite', 'postgres', 'redis'], (kind, start) => {
  it(`rejects each bad list argument with LOOM_INVALID_FILTER naming it, and good lists still answer (${kind})`, async () => {
    const w = await start([Good]);
    await w.rt.call({ actorType: 'Good', actorId: 'g', method: 'add', args: [1] });
    for (const b of BAD) {
      const err = loomError(await rejection(b.run(w.rt)), 'LOOM_INVALID_FILTER');
      assert.match(err.message, b.says, b.label);
    }
    assert.deepEqual(await w.rt.deadLetters.list({ limit: 10, actorType: 'Good' }), []);
    assert.equal((await w.rt.admin.listActors({ actorType: 'Good' })).length, 1);
    assert.equal((await w.rt.admin.listInvocations({ filter: { actorType: 'Good' }, limit: 5 })).items.length, 1);
    assert.equal(w.logged.filter((m) => /store failed/.test(m)).length, 0);
  });
});
