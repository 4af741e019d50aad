// Generated hostile values through call and send, beside good calls, on every store
// (fixed seed here; scripts/soak-hostile.ts runs random ones).
import { after, it } from 'node:test';
import { ActorRuntime } from '../../src/index.js';
import { silentLogger } from '../../src/core/logger.js';
import { forEachStore } from '../support/stores.js';
import { Hostile, hostileProperty } from './property.js';

const SEED = 20261203;

await forEachStore('hostile property', (maker) => {
  after(() => maker.cleanup());
  it(`on ${maker.kind}: the worker stays up, good calls apply once, bad ones fail alone with a short LoomError`, async (t) => {
    const runtime = new ActorRuntime({ store: maker.make(), logger: silentLogger, pollIntervalMs: 20 });
    t.after(() => runtime.stop(200));
    runtime.register(Hostile);
    await hostileProperty({ runtime, seed: SEED, numRuns: 60 });
  });
});
