// Read-only shared handlers (`static shared = ['getBalance']`): runtime.call runs
// them at once, while the actor is busy or suspended, on its last committed state,
// and they cannot change it or do anything durable.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Actor, ActorRuntime, ConfigError, InvalidMessageError, RuntimeStateError } from '../src/index.js';
import { memoryRuntime, sqliteRuntime, tempDir } from './support/runtime.js';
import { randomUUID } from 'node:crypto';
import { silentLogger } from '../src/core/logger.js';
import { RedisStore } from '../src/adapters/redis/index.js';
import { PostgresStore } from '../src/adapters/postgres/index.js';
import { dropPrefix, openAdmin, redisUrl } from './support/redis.js';
import { adminPool, postgresUrl, unreachable } from './support/postgres.js';

let release: () => void = () => {};
let entered: () => void = () => {};

class Account extends Actor<{ balance: number; history: number[] }> {
  static initialState = { balance: 0, history: [] as number[] };
  static shared = ['getBalance', 'sneakyWrite', 'sneakyStep', 'lookup'];

  async deposit(amount: number) {
    this.state.balance += amount;
    this.state.history.push(amount);
    return this.state.balance;
  }
  /** Changes the state in memory, then waits: the change is not committed while it waits. */
  async depositSlowly(amount: number) {
    this.state.balance += amount;
    await this.step('wait', () => new Promise<void>((r) => ((release = r), entered())));
    return this.state.balance;
  }
  async depositAfterApproval(amount: number) {
    await this.promise('approval');
    this.state.balance += amount;
    return this.state.balance;
  }
  async record(key: string) {
    await this.storeIdempotency(key, { seen: key });
  }
  async getBalance() {
    return this.state.balance;
  }
  async sneakyWrite() {
    this.state.history.push(99);
    return 'wrote';
  }
  async sneakyStep() {
    return this.step('x', () => 1);
  }
  async lookup(key: string) {
    return (await this.checkIdempotency(key)) ? this.cachedResult : null;
  }
}

const quiet = { logger: silentLogger, pollIntervalMs: 20 };
const backends: [string, () => Promise<{ rt: ActorRuntime; cleanup: () => unknown }>][] = [
  ['memory', async () => ({ rt: await memoryRuntime(), cleanup: () => {} })],
  ['sqlite', async () => {
    const dir = tempDir();
    return { rt: sqliteRuntime(dir.db), cleanup: dir.cleanup };
  }],
  ['redis', async () => {
    const prefix = `loom-shared-${randomUUID().slice(0, 8)}:`;
    return {
      rt: new ActorRuntime({ store: new RedisStore(redisUrl, { prefix, logger: silentLogger }), ...quiet }),
      cleanup: async () => {
        const { admin } = await openAdmin();
        await dropPrefix(admin, prefix);
        admin.disconnect();
      },
    };
  }],
  ['postgres', async () => {
    const schema = `loom_shared_${randomUUID().slice(0, 8)}`;
    return {
      rt: new ActorRuntime({ store: new PostgresStore(postgresUrl, { schema, logger: silentLogger }), ...quiet }),
      cleanup: async () => {
        const admin = adminPool();
        await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
        await admin.end();
      },
    };
  }],
];

const down: Record<string, string | undefined> = {
  redis: await (async () => {
    const { admin, unreachable: why } = await openAdmin();
    admin.disconnect();
    return why;
  })(),
  postgres: await (async () => {
    const admin = adminPool();
    const why = await unreachable(admin);
    await admin.end();
    return why;
  })(),
};
const skipFor = (name: string): string | false => {
  const why = down[name];
  if (!why) return false;
  if (process.env.CI === 'true') throw new Error(why);
  return why;
};

for (const [name, make] of backends) {
  describe(`shared handlers on ${name}`, { skip: skipFor(name) }, () => {
    const open = async (t: { after(fn: () => unknown): void }) => {
      const b = await make();
      const rt = b.rt;
      t.after(async () => (await rt.stop(), await b.cleanup()));
      rt.register(Account);
      return rt;
    };
    const acct = (rt: ActorRuntime, method: string, ...args: unknown[]) => rt.call({ actorType: 'Account', actorId: 'a1', method, args });

    it('answer while the actor is busy, from the last committed state', { timeout: 30_000 }, async (t) => {
      const rt = await open(t);
      await acct(rt, 'deposit', 10);
      const inside = new Promise<void>((r) => (entered = r));
      const slow = acct(rt, 'depositSlowly', 5);
      await inside;
      assert.equal(await acct(rt, 'getBalance'), 10, 'the uncommitted +5 is not seen');
      release();
      assert.equal(await slow, 15);
      assert.equal(await acct(rt, 'getBalance'), 15);
    });

    it('answer while the actor is suspended on a durable promise', { timeout: 30_000 }, async (t) => {
      const rt = await open(t);
      await acct(rt, 'deposit', 7);
      const sent = await rt.send({ actorType: 'Account', actorId: 'a1', method: 'depositAfterApproval', args: [3] });
      // Wait until it has suspended: its turn committed and it holds the actor.
      while (!(await rt.getInvocation(sent.invocationId))?.waitingOn) await new Promise((r) => setTimeout(r, 5));
      assert.equal(await acct(rt, 'getBalance'), 7);
      const rec = await rt.getInvocation(sent.invocationId);
      await rt.resolvePromise(rec!.waitingOn!, true);
      assert.equal(await rt.result(sent.invocationId), 10);
      assert.equal(await acct(rt, 'getBalance'), 10);
    });

    it('cannot change the state or do anything durable; checkIdempotency reads', { timeout: 30_000 }, async (t) => {
      const rt = await open(t);
      await acct(rt, 'deposit', 1);
      await assert.rejects(acct(rt, 'sneakyWrite'), (e: unknown) => e instanceof RuntimeStateError && /Account\/a1\.sneakyWrite tried to change this\.state/.test(e.message));
      await assert.rejects(acct(rt, 'sneakyStep'), (e: unknown) => e instanceof RuntimeStateError && /step\(\) is not available in Account\.sneakyStep/.test(e.message));
      assert.deepEqual(await rt.getState('Account', 'a1'), { balance: 1, history: [1] });
      await acct(rt, 'record', 'k1');
      assert.deepEqual(await acct(rt, 'lookup', 'k1'), { seen: 'k1' });
      assert.equal(await acct(rt, 'lookup', 'k2'), null);
    });

    it('are refused where they would be queued or journaled', { timeout: 30_000 }, async (t) => {
      const rt = await open(t);
      await assert.rejects(rt.send({ actorType: 'Account', actorId: 'a1', method: 'getBalance' }), (e: unknown) => e instanceof InvalidMessageError && /shared \(read-only\) handler/.test(e.message));
      await assert.rejects(rt.call({ actorType: 'Account', actorId: 'a1', method: 'getBalance', idempotencyKey: 'x' }), /idempotencyKey does not apply to it/);
      await assert.rejects(rt.call({ actorType: 'Account', actorId: 'a1', method: 'getBalance', delay: '1s' }), /delay does not apply to it/);
    });
  });
}

describe('static shared: bad declarations', () => {
  it('names what is wrong at register', () => {
    const rt = new ActorRuntime({ dbPath: ':memory:' });
    class Typo extends Actor { static shared = ['getBalanse']; async getBalance() { return 0; } }
    assert.throws(() => rt.register(Typo), (e: unknown) => e instanceof ConfigError && /Typo\.shared names "getBalanse", which is not a handler of Typo \(handlers: getBalance\)/.test(e.message));
    class NotList extends Actor { static shared = 'getBalance' as unknown as string[]; async getBalance() { return 0; } }
    assert.throws(() => rt.register(NotList), /NotList\.shared must be an array of handler names/);
  });
});
