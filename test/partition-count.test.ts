// Workers of one store must hash actor ids to the same partitions: the store
// records the count of the first, and a runtime or client with another refuses
// to start, naming both counts.
import { randomUUID } from 'node:crypto';
import { after, describe, it, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { Actor, ActorRuntime, ConfigError, LoomClient, type Store } from '../src/index.js';
import { silentLogger } from '../src/core/logger.js';
import { CosmosStore } from '../src/adapters/cosmos/index.js';
import { forEachStore } from './support/stores.js';
import { cosmosEndpoint } from './support/cosmos.js';

class Echo extends Actor {
  async echo(x: string) {
    return x;
  }
}

function runtime(t: TestContext, store: Store, partitions?: number): ActorRuntime {
  const rt = new ActorRuntime({ store, logger: silentLogger, pollIntervalMs: 20, leaseTtlMs: 600, ...(partitions === undefined ? {} : { partitions }) }).register(Echo);
  t.after(() => rt.stop(100));
  return rt;
}

function refused(stored: number, given: number, who: RegExp) {
  return (err: unknown): boolean => {
    assert.ok(err instanceof ConfigError, String(err));
    assert.equal(err.code, 'LOOM_CONFIG');
    assert.match(err.message, who);
    assert.match(err.message, new RegExp(`has partitions: ${given}\\b`));
    assert.match(err.message, new RegExp(`records partitions: ${stored}\\b`));
    assert.match(err.message, new RegExp(`Set partitions: ${stored}\\b`), 'says how to fix it');
    assert.match(err.message, /migrate/);
    return true;
  };
}

/** Two runtimes (and a client) on one store: `open()` gives another client of the same store. */
async function disagree(t: TestContext, open: () => Store): Promise<void> {
  const first = runtime(t, open(), 16);
  await first.start();
  assert.equal(await first.call({ actorType: 'Echo', actorId: 'e', method: 'echo', args: ['one'] }), 'one');

  const second = runtime(t, open(), 32);
  await assert.rejects(second.start(), refused(16, 32, /this runtime/));
  assert.deepEqual(second.partitions, [], 'the refused runtime took no partition');
  await assert.rejects(runtime(t, open()).start(), refused(16, 64, /this runtime/), 'the default count is checked too');

  const client = new LoomClient({ store: open(), partitions: 64, logger: silentLogger });
  t.after(() => client.close());
  await assert.rejects(client.send({ actorType: 'Echo', actorId: 'e', method: 'echo', args: ['x'] }), refused(16, 64, /this LoomClient/));

  const third = runtime(t, open(), 16);
  await third.start();
  assert.equal(await first.call({ actorType: 'Echo', actorId: 'e', method: 'echo', args: ['two'] }), 'two', 'the first worker runs on');
  assert.equal(first.partitions.length + third.partitions.length <= 16, true);
}

await forEachStore('partition count', (maker) => {
  after(() => maker.cleanup());
  it(`a runtime or client whose partitions differ from the store's refuses to start, naming both counts (${maker.kind})`, { timeout: 60_000 }, async (t) => {
    const ns = maker.newNamespace();
    await disagree(t, () => maker.make(ns));
  });
});

describe('partition count on Cosmos DB', () => {
  it('a runtime or client whose partitions differ from the store\'s refuses to start, naming both counts (cosmos)', { timeout: 60_000 }, async (t) => {
    const server = await cosmosEndpoint();
    const container = `pc-${randomUUID().slice(0, 8)}`;
    // The server closes after the runtimes and the client have stopped: a store that loses it first retries on timers.
    await t.test('on one container', (tt) => disagree(tt, () => new CosmosStore({ endpoint: server.endpoint, key: server.key }, { database: 'loom-test', container })));
    await server.close();
  });
});
