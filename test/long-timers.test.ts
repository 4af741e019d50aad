// A month-long sleep, delay or timeout is an ordinary use: while it waits it
// costs no CPU and no warnings, on every store, and it still ends when due.
import { randomUUID } from 'node:crypto';
import { after, describe, it, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { createHook } from 'node:async_hooks';
import { Actor, ActorRuntime, type Store } from '../src/index.js';
import { CosmosStore } from '../src/adapters/cosmos/index.js';
import { silentLogger } from '../src/core/logger.js';
import FakeTimers from '@sinonjs/fake-timers';
import { MemoryStore } from '../src/adapters/memory/index.js';
import { SqliteStore } from '../src/adapters/sqlite/index.js';
import { tempDir } from './support/runtime.js';
import { forEachStore } from './support/stores.js';
import { cosmosEndpoint } from './support/cosmos.js';

const DAY = 86_400_000;
const IDLE_MS = 2000;

/** Handlers the tests hold open until they let them go. */
const gates = new Map<string, () => void>();
const entered = new Set<string>();

class Reminder extends Actor<{ notes: string[] }> {
  static initialState = { notes: [] as string[] };

  async remind(what: string) {
    await this.sleep('30d');
    return `remember ${what}`;
  }

  async note(what: string) {
    this.state.notes.push(what);
    return this.state.notes.length;
  }

  /** Runs until the test opens its gate: its 40-day handler timeout is armed meanwhile. */
  async hold() {
    entered.add(this.actorId);
    await new Promise<void>((resolve) => gates.set(this.actorId, resolve));
    return 'released';
  }
}

/** TimeoutOverflowWarnings emitted while it listens. */
function overflowWarnings(): { readonly count: number; stop(): void } {
  let count = 0;
  const listen = (w: Error) => {
    if (w.name === 'TimeoutOverflowWarning') count++;
  };
  process.on('warning', listen);
  return {
    get count() {
      return count;
    },
    stop: () => void process.off('warning', listen),
  };
}

/** CPU time spent and timers created by this process over `ms` of waiting. */
async function idleCost(ms: number): Promise<{ cpuMs: number; timers: number }> {
  let timers = 0;
  const hook = createHook({
    init(_id, type) {
      if (type === 'Timeout') timers++;
    },
  }).enable();
  const cpu0 = process.cpuUsage();
  try {
    await new Promise((r) => setTimeout(r, ms));
  } finally {
    hook.disable();
  }
  const cpu = process.cpuUsage(cpu0);
  return { cpuMs: (cpu.user + cpu.system) / 1000, timers };
}

async function until(what: string, ok: () => boolean | Promise<boolean>, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await ok())) {
    if (Date.now() > end) throw new Error(`gave up waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** A 30-day sleep, a 30-day delay and a call with a 40-day timeout, on a runtime over `store`. */
async function waitLong(t: TestContext, store: Store, kind: string): Promise<void> {
  const warnings = overflowWarnings();
  t.after(() => warnings.stop());
  const runtime = new ActorRuntime({ store, logger: silentLogger, pollIntervalMs: 250, partitions: 8 });
  t.after(() => runtime.stop(100));
  runtime.register(Reminder);
  await runtime.start();
  const holder = `h-${kind}`;
  t.after(() => gates.get(holder)?.());

  const sleeping = await runtime.send({ actorType: 'Reminder', actorId: 'r1', method: 'remind', args: ['milk'] });
  const delayed = await runtime.send({ actorType: 'Reminder', actorId: 'r2', method: 'note', args: ['eggs'], delay: '30d' });
  const held = runtime.call<string>({ actorType: 'Reminder', actorId: holder, method: 'hold', timeout: 40 * DAY });
  await until('the sleep to suspend and the held handler to start', async () => {
    const rec = await runtime.getInvocation(sleeping.invocationId);
    return rec?.started === true && rec.notBefore !== undefined && entered.has(holder);
  });

  const cost = await idleCost(IDLE_MS);
  t.diagnostic(`${kind}: ${cost.cpuMs.toFixed(0)} ms CPU and ${cost.timers} timers in ${IDLE_MS} ms of waiting`);
  // A timer cut to 1 ms re-arms about a thousand times a second per wait; an idle worker's polls make a few.
  assert.ok(cost.timers < 200, `${cost.timers} timers created in ${IDLE_MS} ms of waiting`);
  assert.ok(cost.cpuMs < IDLE_MS * 0.3, `${cost.cpuMs.toFixed(0)} ms of CPU in ${IDLE_MS} ms of waiting`);
  assert.equal(warnings.count, 0, "a long timer overflowed Node's timer range");

  // An operator moves the stored due times to now: both run at once.
  await runtime.admin.retryNow(sleeping.invocationId, { wakeSleep: true });
  await runtime.admin.retryNow(delayed.invocationId);
  assert.equal(await runtime.result(sleeping.invocationId), 'remember milk');
  assert.equal(await runtime.result(delayed.invocationId), 1);
  gates.get(holder)!();
  assert.equal(await held, 'released', 'the 40-day timeout did not fire early');
  assert.equal(warnings.count, 0);
}

const title = (kind: string) => `a 30-day sleep, a 30-day delay and a 40-day timeout cost no CPU and no warning while they wait, and end when woken (${kind})`;

await forEachStore('long timers', (maker) => {
  after(() => maker.cleanup());
  it(title(maker.kind), { timeout: 60_000 }, (t) => waitLong(t, maker.make(), maker.kind));
});

describe('long timers on Cosmos DB', () => {
  it(title('cosmos'), { timeout: 60_000 }, async (t) => {
    const server = await cosmosEndpoint();
    const store = new CosmosStore({ endpoint: server.endpoint, key: server.key }, { database: 'loom-test', container: `lt-${randomUUID().slice(0, 8)}` });
    // The server closes after the runtime has stopped: a store that loses it first retries on timers.
    await t.test('on one container', (tt) => waitLong(tt, store, 'cosmos'));
    await server.close();
  });
});

/**
 * Runs `body` with `Date`, `performance` and `setTimeout` on a virtual clock that
 * also follows real time (so the runtime's start, which waits on real intervals,
 * goes on). Like Node, the fake timers cut a delay past 2^31 − 1 ms to 1 ms: a
 * wait that does not split it re-arms every virtual millisecond, and the budget
 * stops that storm with an error instead of a hang.
 */
async function onVirtualClock(body: (clock: ReturnType<typeof FakeTimers.install>) => Promise<void>): Promise<void> {
  const clock = FakeTimers.install({ now: Date.now(), toFake: ['Date', 'setTimeout', 'clearTimeout', 'performance'], shouldAdvanceTime: true });
  const fakeSetTimeout = globalThis.setTimeout;
  let armed = 0;
  globalThis.setTimeout = ((fn: () => void, ms?: number) => {
    if (++armed > 10_000) throw new Error(`${armed} timers armed: a long wait re-arms without end`);
    return fakeSetTimeout(fn, ms);
  }) as typeof setTimeout;
  try {
    await body(clock);
  } finally {
    globalThis.setTimeout = fakeSetTimeout;
    clock.uninstall();
  }
}

for (const kind of ['memory', 'sqlite'] as const) {
  it(`a 30-day sleep and a 30-day delayed send end by themselves once 30 days have passed on a virtual clock (${kind})`, { timeout: 60_000 }, async (t) => {
    const dir = tempDir();
    t.after(() => dir.cleanup());
    await onVirtualClock(async (clock) => {
      const store = kind === 'memory' ? new MemoryStore() : new SqliteStore({ path: dir.db });
      const runtime = new ActorRuntime({ store, logger: silentLogger, partitions: 4 }).register(Reminder);
      try {
        await runtime.start();
        const start = Date.now();
        const sleeping = await runtime.send({ actorType: 'Reminder', actorId: 'r1', method: 'remind', args: ['milk'] });
        const delayed = await runtime.send({ actorType: 'Reminder', actorId: 'r2', method: 'note', args: ['eggs'], delay: '30d' });
        await until('the sleep to suspend', async () => (await runtime.getInvocation(sleeping.invocationId))?.started === true);
        clock.tick(30 * DAY - 60_000);
        await new Promise((r) => setImmediate(r));
        assert.equal((await runtime.getInvocation(sleeping.invocationId))?.status, 'pending', 'the sleep ended early');
        assert.equal((await runtime.getInvocation(delayed.invocationId))?.status, 'pending', 'the delayed send ran early');
        clock.tick(60_000 + 1000);
        assert.equal(await runtime.result(sleeping.invocationId), 'remember milk');
        assert.equal(await runtime.result(delayed.invocationId), 1);
        const ended = (await runtime.getInvocation(sleeping.invocationId))!.updatedAt;
        assert.ok(ended - start >= 30 * DAY, `ended ${ended - start} ms after the send`);
      } finally {
        const stopping = runtime.stop(100);
        clock.tick(1000);
        await stopping;
      }
    });
  });
}
