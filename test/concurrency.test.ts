// `concurrency` and `messageOrdering` per actor id, on the memory and SQLite stores:
// up to n invocations of one actor id at once, version-checked state writes (a
// turn that loses the race re-runs from the top on the new state, as the same
// attempt), and 'fifo' commits in arrival order whatever the concurrency.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Actor, ActorRuntime, ConfigError, type AttemptEvent } from '../src/index.js';
import { memoryRuntime, sqliteRuntime, tempDir } from './support/runtime.js';
import { prng } from './support/prng.js';
import { randomUUID } from 'node:crypto';
import { silentLogger } from '../src/core/logger.js';
import { RedisStore } from '../src/adapters/redis/index.js';
import { PostgresStore } from '../src/adapters/postgres/index.js';
import { dropPrefix, openAdmin, redisUrl } from './support/redis.js';
import { serviceSkips } from './support/service-skips.js';
import { adminPool, postgresUrl } from './support/postgres.js';

/** Lets handlers in until `n` are inside at once; counts the most seen inside together. */
class Gate {
  inside = 0;
  most = 0;
  private waiters: (() => void)[] = [];
  constructor(private readonly n: number) {}
  async enter(): Promise<void> {
    this.inside++;
    this.most = Math.max(this.most, this.inside);
    if (this.inside >= this.n) for (const w of this.waiters.splice(0)) w();
    else await new Promise<void>((r) => this.waiters.push(r));
  }
  leave(): void {
    this.inside--;
  }
}
let gate = new Gate(1);
const rand = prng(7);
const pause = () => new Promise<void>((r) => setTimeout(r, Math.floor(rand() * 4)));

class Wide extends Actor<{ n: number; log: number[] }> {
  static initialState = { n: 0, log: [] as number[] };
  static actorType = 'Wide';
  async gated() {
    await this.step('enter', () => gate.enter());
    gate.leave();
    return 'ok';
  }
  async add(i: number) {
    await this.step('work', pause); // the state read below may be stale by the time the turn commits
    this.state.n += 1;
    this.state.log.push(i);
    return this.state.n;
  }
}

class Ordered extends Wide {
  static override actorType = 'Ordered';
}

class Narrow extends Wide {
  static override actorType = 'Narrow';
}

type Make = () => Promise<{ rt: (o: object) => Promise<ActorRuntime>; cleanup: () => unknown }>;
const quiet = { logger: silentLogger, pollIntervalMs: 20 };
const backends: [string, Make][] = [
  ['memory', async () => ({ rt: (o) => memoryRuntime(o), cleanup: () => {} })],
  ['sqlite', async () => {
    const dir = tempDir();
    return { rt: async (o) => sqliteRuntime(dir.db, o), cleanup: dir.cleanup };
  }],
  // The stores that check the version in a Lua script and in SQL, on the real services.
  ['redis', async () => {
    const prefix = `loom-conc-${randomUUID().slice(0, 8)}:`;
    return {
      rt: async (o) => new ActorRuntime({ store: new RedisStore(redisUrl, { prefix, logger: silentLogger }), ...quiet, ...o }),
      cleanup: async () => {
        const { admin } = await openAdmin();
        await dropPrefix(admin, prefix);
        admin.disconnect();
      },
    };
  }],
  ['postgres', async () => {
    const schema = `loom_conc_${randomUUID().slice(0, 8)}`;
    return {
      rt: async (o) => new ActorRuntime({ store: new PostgresStore(postgresUrl, { schema, logger: silentLogger }), ...quiet, ...o }),
      cleanup: async () => {
        const admin = adminPool();
        await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
        await admin.end();
      },
    };
  }],
];

const skipFor = await serviceSkips();

for (const [name, make] of backends) {
  describe(`concurrency and messageOrdering on ${name}`, { skip: skipFor(name) }, () => {
    it('runs up to `concurrency` invocations of one actor id at once, never more', { timeout: 30_000 }, async (t) => {
      const b = await make();
      t.after(b.cleanup);
      const rt = await b.rt({});
      t.after(() => rt.stop());
      rt.register(Wide, { concurrency: 4 }).register(Narrow);
      // A first turn, so that the gated ones below write no state (and never race).
      await rt.call({ actorType: 'Wide', actorId: 'w1', method: 'add', args: [0] });
      await rt.call({ actorType: 'Narrow', actorId: 'n1', method: 'add', args: [0] });
      gate = new Gate(4);
      const calls = Array.from({ length: 8 }, () => rt.call({ actorType: 'Wide', actorId: 'w1', method: 'gated' }));
      assert.deepEqual(await Promise.all(calls), Array(8).fill('ok'));
      assert.equal(gate.most, 4, 'four at once, and no more');
      gate = new Gate(1);
      await Promise.all(Array.from({ length: 4 }, () => rt.call({ actorType: 'Narrow', actorId: 'n1', method: 'gated' })));
      assert.equal(gate.most, 1, 'the default stays one at a time');
    });

    it('loses no update: a turn whose state changed meanwhile re-runs on the new state, as the same attempt', { timeout: 30_000 }, async (t) => {
      const b = await make();
      t.after(b.cleanup);
      const events: AttemptEvent[] = [];
      const rt = await b.rt({ onAttempt: (e: AttemptEvent) => events.push(e) });
      t.after(() => rt.stop());
      rt.register(Wide, { concurrency: 4 });
      const n = 40;
      await Promise.all(Array.from({ length: n }, (_, i) => rt.call({ actorType: 'Wide', actorId: 'w2', method: 'add', args: [i] })));
      const st = await rt.getState<{ n: number; log: number[] }>('Wide', 'w2');
      assert.equal(st?.n, n);
      assert.deepEqual([...st!.log].sort((x, y) => x - y), Array.from({ length: n }, (_, i) => i), 'each applied once');
      const completed = events.filter((e) => e.outcome === 'completed');
      assert.equal(completed.length, n);
      assert.ok(completed.every((e) => e.attempt === 0), 'a lost race is not a failed attempt');
      assert.ok(events.some((e) => e.outcome === 'abandoned'), 'some turns lost the race and re-ran (else the test shows nothing)');
    });

    it("'fifo' commits in arrival order whatever the concurrency", { timeout: 30_000 }, async (t) => {
      const b = await make();
      t.after(b.cleanup);
      const rt = await b.rt({});
      t.after(() => rt.stop());
      rt.register(Ordered, { concurrency: 4, messageOrdering: 'fifo' });
      const n = 30;
      const sent = [];
      for (let i = 0; i < n; i++) sent.push(await rt.send({ actorType: 'Ordered', actorId: 'o1', method: 'add', args: [i] }));
      await Promise.all(sent.map((s) => rt.result(s.invocationId)));
      const st = await rt.getState<{ n: number; log: number[] }>('Ordered', 'o1');
      assert.deepEqual(st?.log, Array.from({ length: n }, (_, i) => i));
    });
  });
}

describe('concurrency and messageOrdering: bad values', () => {
  it('rejects them at register and in the runtime defaults, by name', () => {
    const rt = new ActorRuntime({ dbPath: ':memory:' });
    for (const bad of [0, -1, 1.5, 1001, '4']) {
      assert.throws(() => rt.register(Wide, { concurrency: bad as number }), (e: unknown) => e instanceof ConfigError && /Wide\.config\.concurrency must be an integer from 1 to 1000/.test(e.message));
    }
    assert.throws(() => rt.register(Wide, { messageOrdering: 'lifo' as 'fifo' }), /Wide\.config\.messageOrdering must be 'fifo' or 'standard', got "lifo"/);
    assert.throws(() => new ActorRuntime({ defaults: { concurrency: 0 } }), /ActorRuntime option defaults\.concurrency must be an integer from 1 to 1000, got 0/);
  });
});
