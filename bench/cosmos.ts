// Cosmos DB figures against the in-process protocol server (@vercel/cosmosdb-server), or a real
// account when LOOM_COSMOS_ENDPOINT and LOOM_COSMOS_KEY are set. The useful figure is the number
// of Cosmos DB operations (and request units, where reported) per invocation: the server keeps
// everything in this process's memory, so its calls/s say nothing about a real account's latency.
//   npm run bench:cosmos [-- --n 500]
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { Actor, ActorRuntime } from '../src/index.js';
import { silentLogger } from '../src/core/logger.js';
import { CosmosStore } from '../src/adapters/cosmos/index.js';
import { cosmosEndpoint } from '../test/support/cosmos.js';

class Steps extends Actor<{ n: number }> {
  static initialState = { n: 0 };
  async run(i: number) {
    const a = await this.step('a', () => i);
    const b = await this.step('b', () => a + 1);
    const c = await this.step('c', () => b + 1);
    this.state.n += 1;
    return c;
  }
}

class Counter extends Actor<{ n: number }> {
  static initialState = { n: 0 };
  async inc() {
    this.state.n += 1;
    return this.state.n;
  }
}

const { values } = parseArgs({ options: { n: { type: 'string', default: '1000' } } });
const n = Number(values.n);
const server = await cosmosEndpoint();
try {
  for (const [workload, actors, method] of [['W1 (3 steps, 50 in flight)', 50, 'run'], ['W2 (increments, 100 actors)', 100, 'inc']] as const) {
    const store = new CosmosStore({ endpoint: server.endpoint, key: server.key }, { database: 'loom-bench', container: `b-${randomUUID().slice(0, 8)}` });
    const runtime = new ActorRuntime({ store, logger: silentLogger, partitions: 16, eagerStart: true });
    runtime.register(Steps).register(Counter);
    await runtime.start();
    const type = method === 'run' ? 'Steps' : 'Counter';
    const before = { ...store.usage };
    const started = performance.now();
    let next = 0;
    await Promise.all(Array.from({ length: 50 }, async () => {
      while (next < n) {
        const i = next++;
        await runtime.call({ actorType: type, actorId: `a${i % actors}`, method, args: method === 'run' ? [i] : [] });
      }
    }));
    const seconds = (performance.now() - started) / 1000;
    const used = { operations: store.usage.operations - before.operations, requestUnits: store.usage.requestUnits - before.requestUnits };
    await runtime.stop();
    console.log(JSON.stringify({
      backend: server.real ? 'cosmos (account)' : 'cosmos (protocol server)',
      workload,
      n,
      callsPerSecond: Math.round(n / seconds),
      operationsPerInvocation: +(used.operations / n).toFixed(2),
      requestUnitsPerInvocation: server.real ? +(used.requestUnits / n).toFixed(2) : 'not reported by the protocol server',
    }));
  }
} finally {
  await server.close();
}
