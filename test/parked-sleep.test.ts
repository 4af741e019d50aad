// Short sleeps wait in memory (`parkSleepsUpToMs`): the sleep is durable as before, the
// handler run goes on in place when it ends, and anything that drops the run (a restart,
// a cancellation) falls back to the journal.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Actor, ActorRuntime, ConfigError } from '../src/index.js';
import { memoryRuntime, sqliteRuntime, tempDir } from './support/runtime.js';

const runs = new Map<string, number>();
const effects = new Map<string, number>();
const bump = (m: Map<string, number>, k: string): number => {
  const n = (m.get(k) ?? 0) + 1;
  m.set(k, n);
  return n;
};

class Napper extends Actor<{ naps: number }> {
  static initialState = { naps: 0 };
  /** Counts how often the handler starts from the top, and how often its step runs. */
  async nap(ms: number, times: number): Promise<number> {
    bump(runs, this.actorId);
    let sum = 0;
    for (let i = 0; i < times; i++) {
      sum += await this.step(`s${i}`, () => bump(effects, this.actorId));
      this.state.naps++;
      await this.sleep(ms);
    }
    return sum;
  }
}

class Slow extends Actor<{ n: number }> {
  static initialState = { n: 0 };
  static config = { timeout: 300, retryPolicy: { maxAttempts: 1 } };
  /** Each stretch between sleeps is within the timeout, the whole run is not. */
  async naps(): Promise<string> {
    for (let i = 0; i < 4; i++) await this.sleep(150);
    return 'rested';
  }
  /** Goes past its timeout after a parked sleep. */
  async stall(): Promise<string> {
    await this.sleep(20);
    await new Promise((r) => setTimeout(r, 600));
    return 'late';
  }
}

class WideNapper extends Napper {
  static config = { concurrency: 2 };
}

describe('parked sleeps', () => {
  it('go on in place: the handler runs once and its steps once', async () => {
    const rt = await memoryRuntime();
    rt.register(Napper);
    runs.clear();
    effects.clear();
    const receipt = await rt.send({ actorType: 'Napper', actorId: 'a', method: 'nap', args: [5, 20] });
    assert.equal(await rt.result(receipt.invocationId), 210);
    assert.equal(runs.get('a'), 1, 'the handler replayed although every sleep was short');
    assert.equal(effects.get('a'), 20);
    assert.deepEqual(await rt.getState('Napper', 'a'), { naps: 20 });
    await rt.stop();
  });

  it('replay as before when longer than parkSleepsUpToMs, when it is 0, or when the type runs several at once', async () => {
    runs.clear();
    effects.clear();
    const cases: [string, ActorRuntime, string][] = [
      ['longer', await memoryRuntime({ parkSleepsUpToMs: 10 }), 'Napper'],
      ['off', await memoryRuntime({ parkSleepsUpToMs: 0 }), 'Napper'],
      ['wide', await memoryRuntime(), 'WideNapper'],
    ];
    for (const [id, rt, type] of cases) {
      rt.register(Napper).register(WideNapper);
      assert.equal(await rt.call({ actorType: type, actorId: id, method: 'nap', args: [30, 2] }), 3);
      assert.equal(runs.get(id), 3, `${id}: the handler should have started once and replayed after each sleep`);
      assert.equal(effects.get(id), 2, `${id}: a step ran again on replay`);
      assert.deepEqual(await rt.getState(type, id), { naps: 2 });
      await rt.stop();
    }
  });

  it('are durable: a worker stopped during one leaves the next to resume it from the journal', async () => {
    const { db, cleanup } = tempDir();
    try {
      runs.clear();
      effects.clear();
      const first = sqliteRuntime(db);
      first.register(Napper);
      await first.start();
      const receipt = await first.send({ actorType: 'Napper', actorId: 'd', method: 'nap', args: [1500, 1] });
      // The sleep's turn is durable once the store shows the wake-up time.
      let rec = await first.getInvocation(receipt.invocationId);
      while (rec?.notBefore === undefined) {
        await new Promise((r) => setTimeout(r, 10));
        rec = await first.getInvocation(receipt.invocationId);
      }
      await first.stop();
      assert.equal(runs.get('d'), 1);
      const second = sqliteRuntime(db);
      second.register(Napper);
      await second.start();
      assert.equal(await second.result(receipt.invocationId), 1);
      assert.equal(runs.get('d'), 2, 'the second worker should have replayed the journal');
      assert.equal(effects.get('d'), 1, 'the step before the sleep ran again');
      assert.deepEqual(await second.getState('Napper', 'd'), { naps: 1 });
      await second.stop();
    } finally {
      cleanup();
    }
  });

  it('do not go on once an operator cancelled the invocation', async () => {
    runs.clear();
    effects.clear();
    const rt = await memoryRuntime();
    rt.register(Napper);
    const receipt = await rt.send({ actorType: 'Napper', actorId: 'c', method: 'nap', args: [300, 2] });
    let rec = await rt.getInvocation(receipt.invocationId);
    while (rec?.notBefore === undefined) {
      await new Promise((r) => setTimeout(r, 10));
      rec = await rt.getInvocation(receipt.invocationId);
    }
    await rt.admin.cancel(receipt.invocationId, 'test');
    await assert.rejects(rt.result(receipt.invocationId), /failed: test/);
    // Past the sleep's end: the parked run must not have taken its second step.
    await new Promise((r) => setTimeout(r, 400));
    assert.equal(effects.get('c'), 1);
    assert.equal((await rt.getState<{ naps: number }>('Napper', 'c'))?.naps ?? 0, 0);
    await rt.stop();
  });

  it('give each stretch of the run its own handler timeout, as a replay would', async () => {
    const rt = await memoryRuntime();
    rt.register(Slow);
    assert.equal(await rt.call({ actorType: 'Slow', actorId: 't', method: 'naps' }), 'rested');
    await assert.rejects(rt.call({ actorType: 'Slow', actorId: 't', method: 'stall' }), /ran longer than its timeout of 300 ms/);
    await rt.stop();
  });

  it('take a number of ms from 0 up as parkSleepsUpToMs', () => {
    for (const bad of [-1, Number.NaN, '10', Infinity]) {
      assert.throws(
        () => new ActorRuntime({ parkSleepsUpToMs: bad as number }),
        (e: unknown) => e instanceof ConfigError && /parkSleepsUpToMs must be a number of ms from 0/.test(e.message),
      );
    }
  });
});
