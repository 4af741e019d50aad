import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Actor } from '../src/index.js';
import { memoryRuntime, sqliteRuntime, tempDir } from './support/runtime.js';

let running = 0;
let maxOverlap = 0;
let executions = 0;

class Tally extends Actor<{ n: number }> {
  static initialState = { n: 0 };
  async add() {
    running++;
    maxOverlap = Math.max(maxOverlap, running);
    executions++;
    const before = this.state.n;
    // Yield so that an overlapping invocation, if there were one, would interleave here.
    await new Promise((r) => setImmediate(r));
    this.state.n = before + 1;
    running--;
    return this.state.n;
  }
}

for (const backend of ['memory', 'sqlite'] as const) {
  describe(`exclusive access per actor (${backend})`, () => {
    const open = async () => {
      const tmp = tempDir();
      const rt = backend === 'memory' ? await memoryRuntime() : sqliteRuntime(tmp.db);
      rt.register(Tally);
      await rt.start();
      return { rt, done: async () => { await rt.stop(); tmp.cleanup(); } };
    };

    it('runs 2,000 concurrent calls to one actor one at a time with no lost update', async () => {
      running = maxOverlap = executions = 0;
      const { rt, done } = await open();
      const results = await Promise.all(Array.from({ length: 2000 }, () => rt.call<number>({ actorType: 'Tally', actorId: 'one', method: 'add' })));
      assert.equal(maxOverlap, 1, 'two invocations of one actor overlapped');
      assert.deepEqual([...results].sort((a, b) => a - b), Array.from({ length: 2000 }, (_, i) => i + 1));
      assert.deepEqual(await rt.getState('Tally', 'one'), { n: 2000 });
      await done();
    });

    it('executes 1,000 concurrent calls with 100 distinct keys exactly 100 times, answering duplicates with the stored result', async () => {
      running = maxOverlap = executions = 0;
      const { rt, done } = await open();
      const calls = Array.from({ length: 1000 }, (_, i) =>
        rt.call<number>({ actorType: 'Tally', actorId: `k${i % 10}`, method: 'add', idempotencyKey: `key-${i % 100}` }).then((r) => [i % 100, r] as const),
      );
      const results = await Promise.all(calls);
      assert.equal(executions, 100);
      const byKey = new Map<number, Set<number>>();
      for (const [k, r] of results) byKey.set(k, (byKey.get(k) ?? new Set()).add(r));
      for (const [k, set] of byKey) assert.equal(set.size, 1, `key-${k} answered with different results: ${[...set].join(', ')}`);
      let total = 0;
      for (let a = 0; a < 10; a++) total += (await rt.getState<{ n: number }>('Tally', `k${a}`))!.n;
      assert.equal(total, 100);
      await done();
    });
  });
}
