// A worker process that registers one actor for discovery and then idles, heartbeating,
// until it is killed. Prints "ready" once registered.
import { Actor, ActorRuntime } from '../../src/index.js';
import { silentLogger } from '../../src/core/logger.js';
import { childStore } from '../support/store-child.js';

class Psp extends Actor {
  async charge(amount: number) {
    return { by: this.actorId, amount };
  }
}

const runtime = new ActorRuntime({ store: await childStore(), logger: silentLogger, pollIntervalMs: 50 });
runtime.register(Psp);
runtime.discovery.configure({ ttlMs: Number(process.env.LOOM_TTL_MS ?? 1500) });
await runtime.discovery.register({ actorId: process.env.LOOM_ACTOR_ID ?? 'psp-child', capabilities: ['stripe'], metadata: { pid: process.pid } });
console.log('ready');
setInterval(() => {}, 60_000);
