import { MemoryStore } from '../../src/adapters/memory/index.js';
import { adminScenarios } from './scenarios.js';
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { ActorRuntime } from '../../src/index.js';
import { silentLogger } from '../../src/core/logger.js';
import { Ops } from './actors.js';
adminScenarios('memory', async () => {
  const store = new MemoryStore();
  return { store: () => store, cleanup: async () => {} };
});


it('runtime.admin queries the runtime’s own store, started on first use, and knows its registered types', { timeout: 10_000 }, async () => {
  const runtime = new ActorRuntime({ store: new MemoryStore(), logger: silentLogger, partitions: 4 }).register(Ops);
  try {
    const page = await runtime.admin.listInvocations();
    assert.deepEqual(page.items, []);
    assert.equal(await runtime.call({ actorType: 'Ops', actorId: 'a', method: 'add', args: [3] }), 3);
    const [done] = (await runtime.admin.listInvocations({ filter: { actorType: 'Ops' } })).items;
    assert.equal(done?.status, 'completed');
    assert.deepEqual((await runtime.admin.getState('Ops', 'a')).state, { n: 3 });
    await assert.rejects(runtime.admin.cancel(done!.record.id), (e: { code?: string }) => e.code === 'LOOM_ACTION_NOT_ALLOWED');
  } finally {
    await runtime.stop();
  }
});
