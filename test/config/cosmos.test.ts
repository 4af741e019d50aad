import { randomUUID } from 'node:crypto';
import { after, it } from 'node:test';
import assert from 'node:assert/strict';
import { Actor } from '../../src/index.js';
import { silentLogger } from '../../src/core/logger.js';
import { createRuntimeFromConfig, loadConfig } from '../../src/config/index.js';
import { cosmosEndpoint } from '../support/cosmos.js';

const server = await cosmosEndpoint();
after(() => server.close());

class Echo extends Actor {
  async echo(s: string) {
    return s;
  }
}

it('builds a Cosmos DB store from the config file, with the key as a secret reference', { timeout: 60_000 }, async (t) => {
  process.env.LOOM_TEST_COSMOS_KEY = server.key;
  const runtime = await createRuntimeFromConfig(
    { cosmos: { endpoint: server.endpoint, key: 'env://LOOM_TEST_COSMOS_KEY', database: 'loom-test', container: `cfg-${randomUUID().slice(0, 8)}` }, runtime: { partitions: 4 } },
    { actors: [Echo], logger: silentLogger },
  );
  t.after(() => runtime.stop());
  assert.equal(await runtime.call({ actorType: 'Echo', actorId: 'e', method: 'echo', args: ['hi'] }), 'hi');
  assert.equal(runtime.store.constructor.name, 'CosmosStore', 'the cosmos section alone selects the store');
});

it('names what a cosmos section is missing', async () => {
  await assert.rejects(loadConfig({ store: 'cosmos' }), /cosmos: .*give cosmos\.endpoint/s);
  await assert.rejects(loadConfig({ cosmos: { endpoint: 'https://a.documents.azure.com:443/' } }), /cosmos\.key: .*needs a key/s);
  await assert.rejects(loadConfig({ cosmos: { endpiont: 'x' } }), /endpiont.*did you mean "endpoint"/s);
});
