import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Actor, TerminalError, RetryableError } from '../src/index.js';
import { memoryRuntime, fastRetry } from './support/runtime.js';
import { MemoryStore } from '../src/adapters/memory/index.js';
import type { CommitResult, JournalEntry, NewInvocation, TurnWrite, WriteResult } from '../src/ports/store.js';

const effects: string[] = [];
const seen: unknown[] = [];

class Flow extends Actor<{ log: string[] }> {
  static initialState = { log: [] as string[] };
  static config = { retryPolicy: fastRetry };

  async napThenStep() {
    const t0 = this.now();
    await this.sleep(60);
    const t1 = this.now();
    return t1 - t0;
  }
  async waitForApproval() {
    const id = this.promiseId('approval');
    this.send('Flow', 'notifier', 'record', `approve ${id}`);
    const decision = await this.promise<{ ok: boolean }>('approval');
    return decision.ok ? 'approved' : 'rejected';
  }
  async record(line: string) {
    this.state.log.push(line);
    return this.state.log.length;
  }
  async askOther(x: number) {
    const doubled = await this.call<number>('Flow', 'other', 'double', x);
    return doubled + 1;
  }
  async double(x: number) {
    return x * 2;
  }
  async callFailing() {
    try {
      await this.call('Flow', 'other', 'refuse');
    } catch (err) {
      return `caught: ${(err as Error).message}`;
    }
    return 'no error';
  }
  async refuse() {
    throw new TerminalError('no way');
  }
  async sendThenFail() {
    this.send('Flow', 'notifier', 'record', 'from a failed turn');
    throw new TerminalError('failing after send');
  }
  async deterministic() {
    const values = { now: this.now(), random: this.random(), uuid: this.uuid() };
    seen.push(values);
    await this.step('effect', () => effects.push('deterministic'));
    await this.sleep(10);
    return values;
  }
}

let flaky = 0;
class Flaky extends Actor<{ ok: number }> {
  static initialState = { ok: 0 };
  static config = { retryPolicy: fastRetry };
  async sometimes(failures: number) {
    const step1 = await this.step('once', () => {
      effects.push('flaky-step');
      return 'done';
    });
    if (flaky++ < failures) throw new Error(`transient ${flaky}`);
    this.state.ok++;
    return step1;
  }
  async always() {
    throw new RetryableError('still broken', { retryAfterMs: 1 });
  }
  async terminal() {
    throw new TerminalError('card declined', { code: 'CARD_DECLINED' });
  }
  async slow() {
    await new Promise((r) => setTimeout(r, 200));
    return 'late';
  }
  async stepRetry() {
    let tries = 0;
    return this.step('retried', () => {
      if (++tries < 3) throw new Error('flaky network');
      return tries;
    }, { retry: { maxAttempts: 3, initialDelayMs: 1, backoff: 'fixed' } });
  }
}

describe('durable primitives', () => {
  it('sleeps durably and resumes the invocation after the timer', async () => {
    const rt = await memoryRuntime();
    rt.register(Flow);
    const elapsed = await rt.call<number>({ actorType: 'Flow', actorId: 'f', method: 'napThenStep' });
    assert.ok(elapsed >= 55, `slept only ${elapsed} ms`);
    await rt.stop();
  });

  it('suspends on a durable promise until it is resolved from outside', async () => {
    const rt = await memoryRuntime();
    rt.register(Flow);
    const receipt = await rt.send({ actorType: 'Flow', actorId: 'f', method: 'waitForApproval' });
    let line: string | undefined;
    for (let i = 0; i < 100 && !line; i++) {
      await new Promise((r) => setTimeout(r, 10));
      line = (await rt.getState<{ log: string[] }>('Flow', 'notifier'))?.log[0];
    }
    assert.ok(line, 'the notification sent before suspending was not delivered');
    const promiseId = line.replace('approve ', '');
    assert.equal((await rt.getInvocation(receipt.invocationId))?.waitingOn, promiseId);
    assert.equal(await rt.resolvePromise(promiseId, { ok: true }), true);
    assert.equal(await rt.resolvePromise(promiseId, { ok: false }), false, 'a second resolution must not win');
    assert.equal(await rt.result(receipt.invocationId), 'approved');
    await rt.stop();
  });

  it('calls another actor and gets its result, or its terminal error', async () => {
    const rt = await memoryRuntime();
    rt.register(Flow);
    assert.equal(await rt.call({ actorType: 'Flow', actorId: 'f', method: 'askOther', args: [20] }), 41);
    assert.equal(await rt.call({ actorType: 'Flow', actorId: 'f', method: 'callFailing' }), 'caught: no way');
    await rt.stop();
  });

  it('sends outbox messages only when the turn commits', async () => {
    const rt = await memoryRuntime();
    rt.register(Flow);
    await assert.rejects(rt.call({ actorType: 'Flow', actorId: 'f', method: 'sendThenFail' }), { message: /failing after send/ });
    await rt.call({ actorType: 'Flow', actorId: 'notifier', method: 'record', args: ['marker'] });
    assert.deepEqual((await rt.getState<{ log: string[] }>('Flow', 'notifier'))?.log, ['marker']);
    await rt.stop();
  });

  it('returns the same now(), random() and uuid() when an invocation replays after a suspension', async () => {
    // Every sleep leaves memory, so the handler replays (a parked sleep would carry on in place).
    const rt = await memoryRuntime({ parkSleepsUpToMs: 0 });
    rt.register(Flow);
    effects.length = 0;
    seen.length = 0;
    const v = await rt.call<{ now: number; random: number; uuid: string }>({ actorType: 'Flow', actorId: 'f', method: 'deterministic' });
    assert.equal(seen.length, 2, 'the handler should have run once and replayed once after its sleep');
    assert.deepEqual(seen[0], seen[1]);
    assert.equal(effects.filter((e) => e === 'deterministic').length, 1, 'the step re-ran on replay');
    assert.ok(v.random >= 0 && v.random < 1);
    assert.match(v.uuid, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-a[0-9a-f]{3}-[0-9a-f]{12}$/);
    assert.ok(Math.abs(v.now - Date.now()) < 5000);
    await rt.stop();
  });
});

/** Records every turn written, and the journal each step function saw in the store. */
class CountingStore extends MemoryStore {
  readonly turns: TurnWrite[] = [];
  override async commit(turns: TurnWrite[]): Promise<CommitResult[]> {
    this.turns.push(...turns);
    return super.commit(turns);
  }
  /** Per store write: how many enqueues and turns it carried. */
  readonly writes: string[] = [];
  override async write(enqueues: NewInvocation[], turns: TurnWrite[]): Promise<WriteResult> {
    this.turns.push(...turns);
    this.writes.push(`${enqueues.length}e+${turns.length}t`);
    return super.write(enqueues, turns);
  }
}
/** Fails every write that carries an enqueue while `down`. */
class FailingEnqueues extends CountingStore {
  down = true;
  override async write(enqueues: NewInvocation[], turns: TurnWrite[]): Promise<WriteResult> {
    if (this.down && enqueues.length > 0) throw new Error('connection refused');
    return super.write(enqueues, turns);
  }
}
const journalSeen: string[][] = [];
let journalStore: CountingStore | undefined;
class ThreeSteps extends Actor<{ n: number }> {
  static initialState = { n: 0 };
  async run(x: number) {
    const names = async () => (await journalStore!.loadJournal(this.invocationId)).map((e: JournalEntry) => e.name);
    const a = await this.step('a', async () => (journalSeen.push(await names()), x + 1));
    const b = await this.step('b', async () => (journalSeen.push(await names()), a + 1));
    const c = await this.step('c', async () => (journalSeen.push(await names()), b + 1));
    this.state.n++;
    return c;
  }
  /** Its first write comes well after its enqueue's round trip. */
  async late() {
    await new Promise((r) => setTimeout(r, 30));
    const a = await this.step('a', () => 1);
    await this.step('b', () => a + 1);
    return a;
  }
}

describe('step journaling', () => {
  it('makes each step result durable before the next step starts, and the last one with the completion', async () => {
    const store = new CountingStore();
    journalStore = store;
    journalSeen.length = 0;
    const rt = await memoryRuntime({ store });
    rt.register(ThreeSteps);
    assert.equal(await rt.call({ actorType: 'ThreeSteps', actorId: 't', method: 'run', args: [1] }), 4);
    assert.deepEqual(journalSeen, [[], ['a'], ['a', 'b']]);
    // Three turn writes: step a (before b runs), step b (before c runs), and the completion.
    assert.deepEqual(store.turns.map((t) => (t.transition?.status ?? 'journal') + ':' + (t.journal ?? []).map((e) => e.name).join(',')), [
      'journal:a',
      'journal:b',
      'completed:',
    ]);
    await rt.stop();
  });

  it('starts a call to an idle local actor at once and commits its enqueue and completion in one write', async () => {
    const store = new CountingStore();
    const rt = await memoryRuntime({ store });
    rt.register(Flow);
    await rt.start();
    store.writes.length = 0;
    assert.equal(await rt.call({ actorType: 'Flow', actorId: 'e', method: 'double', args: [21] }), 42);
    assert.deepEqual(store.writes, ['1e+1t']);
    const stored = await rt.getInvocation(store.turns.at(-1)!.invocationId);
    assert.deepEqual([stored?.status, stored?.resultJson], ['completed', '42'], 'stored with its outcome');
    await rt.stop();
  });

  it("sends an eager call's enqueue with its first step once the actor's state is read", { timeout: 20_000 }, async () => {
    class SlowReads extends CountingStore {
      /** While set, state reads wait for it: the test decides when a read ends, not a timer. */
      hold: Promise<void> | undefined;
      override async loadState(actorType: string, actorId: string) {
        await (this.hold ?? new Promise((r) => setTimeout(r, 20)));
        return super.loadState(actorType, actorId);
      }
    }
    const store = new SlowReads();
    journalStore = store;
    const rt = await memoryRuntime({ store });
    rt.register(ThreeSteps);
    await rt.start();
    store.writes.length = 0;
    assert.equal(await rt.call({ actorType: 'ThreeSteps', actorId: 'cold', method: 'run', args: [1] }), 4);
    // Without the hold: the enqueue alone while the state is read, then a, b and the completion.
    assert.deepEqual(store.writes, ['1e+1t', '0e+1t', '0e+1t']);
    // A send does not wait for the read: it resolves once its enqueue is stored, while the read is still held
    // (however slow the machine: were the send to wait for the read, it would never resolve and the test time out).
    store.writes.length = 0;
    let endRead = (): void => {};
    store.hold = new Promise<void>((r) => (endRead = r));
    const sent = await rt.send({ actorType: 'ThreeSteps', actorId: 'cold-2', method: 'run', args: [1] });
    assert.deepEqual(store.writes, ['1e+0t']);
    endRead();
    assert.equal(await rt.result(sent.invocationId), 4);
    await rt.stop();
  });

  it('rejects an eagerly started call whose enqueue fails, and stores nothing of its attempt', async () => {
    const store = new FailingEnqueues();
    const rt = await memoryRuntime({ store, pollIntervalMs: 20 });
    rt.register(ThreeSteps);
    await rt.start();
    journalStore = store;
    await assert.rejects(rt.call({ actorType: 'ThreeSteps', actorId: 'down', method: 'run', args: [1] }), (err: Error & { code: string }) => {
      assert.equal(err.code, 'LOOM_STORE');
      assert.match(err.message, /Nothing was enqueued.*may have started here/);
      return true;
    });
    store.down = false;
    // The attempt retries its write about 1 s later; the store rejects it, as the invocation does not exist.
    await new Promise((r) => setTimeout(r, 1300));
    assert.equal(await rt.getState('ThreeSteps', 'down'), undefined, 'no state from the failed call');
    assert.deepEqual(store.turns.filter((t) => t.transition?.status === 'completed'), [], 'no completion committed');
    assert.equal(await rt.call({ actorType: 'ThreeSteps', actorId: 'down', method: 'run', args: [10] }), 13, 'the worker serves the actor again');
    assert.deepEqual(await rt.getState('ThreeSteps', 'down'), { n: 1 });
    await rt.stop();
  });

  it('stops an eager attempt whose enqueue failed at its first write, keeping the partition', { timeout: 20_000 }, async () => {
    const store = new FailingEnqueues();
    const rt = await memoryRuntime({ store });
    rt.register(ThreeSteps);
    await rt.start();
    const owned = rt.partitions.length;
    await assert.rejects(rt.call({ actorType: 'ThreeSteps', actorId: 'late', method: 'late' }), { code: 'LOOM_STORE' });
    store.down = false;
    // Wait for the attempt's first write (not a fixed time: under load it comes late).
    const firstWrite = () => store.turns.filter((t) => t.journal?.some((e) => e.name === 'a'));
    while (firstWrite().length === 0) await new Promise((r) => setTimeout(r, 10));
    const rejected = firstWrite();
    assert.equal(rejected.length, 1, 'the attempt tried its first write once');
    assert.equal(await rt.getInvocation(rejected[0]!.invocationId), undefined, 'nothing of it was stored');
    assert.equal(rt.partitions.length, owned, 'a conflict on one invocation does not give up its partition');
    assert.equal(await rt.call({ actorType: 'ThreeSteps', actorId: 'late', method: 'late' }), 1);
    await rt.stop();
  });

  it('rejects an eager call cleanly when the runtime stops while its enqueue is in flight', async () => {
    class SlowWrites extends CountingStore {
      override async write(enqueues: NewInvocation[], turns: TurnWrite[]): Promise<WriteResult> {
        await new Promise((r) => setTimeout(r, 80));
        return super.write(enqueues, turns);
      }
    }
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      const store = new SlowWrites();
      const rt = await memoryRuntime({ store });
      rt.register(Flow);
      await rt.start();
      const call = rt.call({ actorType: 'Flow', actorId: 'stopping', method: 'double', args: [1] });
      await new Promise((r) => setTimeout(r, 10));
      await rt.stop(5);
      await assert.rejects(call, { code: 'LOOM_RUNTIME_STATE', message: /stopped before invocation .* finished/ });
      await new Promise((r) => setTimeout(r, 20));
      assert.deepEqual(unhandled, [], 'no unhandled rejection');
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });

  it('makes a message durable before it runs when it has an idempotency key, or when eagerStart is off', async () => {
    for (const [options, key] of [[{}, 'k1'], [{ eagerStart: false }, undefined]] as const) {
      const store = new CountingStore();
      const rt = await memoryRuntime({ store, ...options });
      rt.register(Flaky);
      await rt.start();
      store.writes.length = 0;
      await rt.call({ actorType: 'Flaky', actorId: 'e', method: 'terminal', ...(key ? { idempotencyKey: key } : {}) }).catch(() => {});
      assert.deepEqual(store.writes, ['1e+0t', '0e+1t'], `options ${JSON.stringify(options)}, key ${String(key)}`);
      await rt.stop();
    }
    await assert.rejects(memoryRuntime({ eagerStart: 'yes' as unknown as boolean }), { code: 'LOOM_CONFIG', message: /eagerStart must be true or false/ });
  });
});

describe('retries, failures and dead letters', () => {
  it('retries a failing handler and replays its completed steps instead of re-running them', async () => {
    const rt = await memoryRuntime();
    rt.register(Flaky);
    flaky = 0;
    effects.length = 0;
    assert.equal(await rt.call({ actorType: 'Flaky', actorId: 'x', method: 'sometimes', args: [2] }), 'done');
    assert.deepEqual(effects, ['flaky-step']);
    assert.deepEqual(await rt.getState('Flaky', 'x'), { ok: 1 });
    await rt.stop();
  });

  it('dead-letters after maxAttempts with the error, and redrives with a fresh budget', async () => {
    const outcomes: string[] = [];
    const rt = await memoryRuntime({ onAttempt: (e) => outcomes.push(e.outcome) });
    rt.register(Flaky);
    await assert.rejects(rt.call({ actorType: 'Flaky', actorId: 'x', method: 'always' }), (err: Error & { code: string }) => {
      assert.equal(err.code, 'LOOM_DEAD_LETTERED');
      assert.match(err.message, /dead-lettered after 3 attempt\(s\): still broken/);
      return true;
    });
    assert.deepEqual(outcomes, ['retry', 'retry', 'dead']);
    const dead = await rt.deadLetters.list({ actorType: 'Flaky' });
    assert.equal(dead.length, 1);
    assert.equal(dead[0]!.error?.message, 'still broken');
    const redriven = await rt.deadLetters.redrive(dead[0]!.id);
    assert.equal(redriven.status, 'pending');
    await assert.rejects(rt.result(dead[0]!.id), { code: 'LOOM_DEAD_LETTERED' });
    assert.equal(outcomes.length, 6);
    await assert.rejects(rt.deadLetters.redrive('no-such-id'), { code: 'LOOM_INVALID_MESSAGE' });
    await rt.stop();
  });

  it('does not retry a TerminalError and returns the stored failure to duplicates', async () => {
    const outcomes: string[] = [];
    const rt = await memoryRuntime({ onAttempt: (e) => outcomes.push(e.outcome) });
    rt.register(Flaky);
    const call = () => rt.call({ actorType: 'Flaky', actorId: 'x', method: 'terminal', idempotencyKey: 'pay-1' });
    await assert.rejects(call(), { code: 'CARD_DECLINED', message: /card declined/ });
    await assert.rejects(call(), { code: 'CARD_DECLINED' });
    assert.deepEqual(outcomes, ['failed']);
    await rt.stop();
  });

  it('times a handler out per attempt and retries it', async () => {
    const outcomes: string[] = [];
    const rt = await memoryRuntime({ onAttempt: (e) => outcomes.push(e.outcome) });
    rt.register(Flaky);
    await assert.rejects(rt.call({ actorType: 'Flaky', actorId: 'x', method: 'slow', timeout: 20, retryPolicy: { maxAttempts: 2 } }), {
      message: /ran longer than its timeout of 20 ms/,
    });
    assert.deepEqual(outcomes, ['retry', 'dead']);
    await rt.stop();
  });

  it('retries a step in-process under its own retry policy', async () => {
    const rt = await memoryRuntime();
    rt.register(Flaky);
    assert.equal(await rt.call({ actorType: 'Flaky', actorId: 'x', method: 'stepRetry' }), 3);
    await rt.stop();
  });
});

let flakyTries = 0;
class Sender extends Actor<{ hits: number }> {
  static initialState = { hits: 0 };
  static config = { retryPolicy: fastRetry };
  async go() {
    this.send('Sender', 'target', 'hit');
    await this.step('flaky', () => {
      if (++flakyTries === 1) throw new Error('transient');
    });
    return 'sent';
  }
  async hit() {
    this.state.hits++;
  }
  async declined() {
    try {
      await this.step('charge', () => {
        throw new TerminalError('card declined', { code: 'CARD_DECLINED' });
      });
    } catch (err) {
      await this.sleep(5);
      return `${(err as Error).name}/${(err as Error & { code: string }).code}`;
    }
    return 'charged';
  }
}

describe('sends and step failures across replays', () => {
  it('delivers a send made before a step even when the attempt is retried', async () => {
    const rt = await memoryRuntime();
    rt.register(Sender);
    flakyTries = 0;
    assert.equal(await rt.call({ actorType: 'Sender', actorId: 's', method: 'go' }), 'sent');
    await rt.call({ actorType: 'Sender', actorId: 'target', method: 'hit' });
    assert.deepEqual(await rt.getState('Sender', 'target'), { hits: 2 });
    await rt.stop();
  });

  it('replays a terminally failed step as the same StepFailedError', async () => {
    const rt = await memoryRuntime();
    rt.register(Sender);
    assert.equal(await rt.call({ actorType: 'Sender', actorId: 's', method: 'declined' }), 'StepFailedError/LOOM_STEP_FAILED');
    await rt.stop();
  });

  it('refuses to resolve a promise id that no handler handed out', async () => {
    const rt = await memoryRuntime();
    rt.register(Sender);
    await assert.rejects(rt.resolvePromise('typo', 1), { code: 'LOOM_INVALID_MESSAGE', message: /not a durable promise id/ });
    await assert.rejects(rt.resolvePromise('promise:nope#x', 1), { code: 'LOOM_INVALID_MESSAGE', message: /does not know/ });
    await rt.stop();
  });
});
