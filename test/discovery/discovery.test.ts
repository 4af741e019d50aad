// Discovery on every store: register, find, unregister, calls by capability, and
// expiry of a worker's entries after kill -9.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { Actor, ActorRuntime } from '../../src/index.js';
import { silentLogger } from '../../src/core/logger.js';
import { NoProviderError } from '../../src/discovery/index.js';
import { forEachStore, type StoreMaker } from '../support/stores.js';

class Psp extends Actor<{ charges: number }> {
  static initialState = { charges: 0 };
  async charge(amount: number) {
    this.state.charges++;
    return { by: this.actorId, amount };
  }
  async slowCharge(amount: number) {
    await new Promise((r) => setTimeout(r, 150));
    return { by: this.actorId, amount };
  }
}

const REGISTRANT = fileURLToPath(new URL('./registrant.ts', import.meta.url));

async function until<T>(fn: () => Promise<T | undefined>, what: string, ms = 20_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const makers: StoreMaker[] = [];
await forEachStore('discovery', (m) => void makers.push(m));

// The backends run side by side: each test mostly waits for TTLs.
describe('discovery', { concurrency: true }, () => {
  for (const maker of makers) describe(`discovery on ${maker.kind}`, { timeout: 180_000 }, () => {
    let runtime: ActorRuntime;
    let ns: string;
    before(async () => {
      ns = maker.newNamespace();
      runtime = new ActorRuntime({ store: maker.make(ns), logger: silentLogger, pollIntervalMs: 20 });
      runtime.register(Psp);
      runtime.discovery.configure({ ttlMs: 3000 });
      await runtime.start();
    });
    after(async () => {
      await runtime?.stop();
      await maker.cleanup();
    });

    it('registers as in the README and finds by capability and metadata', async () => {
      const tag = randomUUID().slice(0, 6);
      const discovery = runtime.discovery;
      await discovery.register({ actorId: `psp-east-${tag}`, capabilities: [`stripe-${tag}`, `paypal-${tag}`], metadata: { region: 'us-east-1' } });
      await discovery.register({ actorId: `psp-west-${tag}`, capabilities: [`stripe-${tag}`], metadata: { region: 'us-west-2' } });
      const processors = await discovery.find({ capability: `stripe-${tag}` });
      assert.deepEqual(processors.map((p) => [p.actorType, p.actorId]), [['Psp', `psp-east-${tag}`], ['Psp', `psp-west-${tag}`]]);
      assert.deepEqual((await discovery.find({ capability: `stripe-${tag}`, metadata: { region: 'us-west-2' } })).map((p) => p.actorId), [`psp-west-${tag}`]);
      assert.deepEqual((await discovery.find({ capability: `paypal-${tag}` })).map((p) => p.metadata), [{ region: 'us-east-1' }]);
      // Heartbeats keep them past the TTL.
      await new Promise((r) => setTimeout(r, 4000));
      assert.equal((await discovery.find({ capability: `stripe-${tag}` })).length, 2);
      assert.equal(await discovery.unregister({ actorId: `psp-east-${tag}` }), true);
      assert.deepEqual((await discovery.find({ capability: `stripe-${tag}` })).map((p) => p.actorId), [`psp-west-${tag}`]);
    });

    it('calls by capability, spreading least-loaded calls, and names the capability when nothing offers it', async () => {
      const tag = randomUUID().slice(0, 6);
      const ids = [`psp-a-${tag}`, `psp-b-${tag}`, `psp-c-${tag}`];
      for (const actorId of ids) await runtime.discovery.register({ actorId, capabilities: [`card-${tag}`] });
      const one = await runtime.call<{ by: string; amount: number }>({ capability: `card-${tag}`, method: 'charge', args: [5] });
      assert.ok(ids.includes(one.by));
      // Handlers that take 150 ms (one at a time per actor) keep the calls in flight while all 30 are placed.
      const many = await Promise.all(Array.from({ length: 30 }, () => runtime.call<{ by: string }>({ capability: `card-${tag}`, method: 'slowCharge', args: [1], pick: 'least-loaded' })));
      const per = ids.map((id) => many.filter((r) => r.by === id).length);
      assert.ok(Math.max(...per) - Math.min(...per) <= 2, `least-loaded spreads 30 concurrent calls evenly: ${per.join(', ')}`);
      await assert.rejects(runtime.call({ capability: `nobody-${tag}`, method: 'charge', args: [1] }), (err: unknown) => {
        assert.ok(err instanceof NoProviderError);
        assert.equal(err.code, 'LOOM_NO_PROVIDER');
        assert.match(err.message, new RegExp(`nobody-${tag}`));
        return true;
      });
    });

    it('refuses a bad registration with a clear error', async () => {
      await assert.rejects(runtime.discovery.register({ actorId: 'psp-x', capabilities: [] }), /capabilities must be a non-empty array/);
      await assert.rejects(runtime.discovery.register({ actorId: 'psp-x', capabilities: ['a'], metadata: { n: 1n } as never }), /metadata must be plain JSON/);
      await assert.rejects(runtime.discovery.find({ capability: '' }), /non-empty string/);
    });

    if (maker.kind !== 'memory') {
      it("expires a worker's entries after kill -9", async () => {
        const actorId = `psp-child-${randomUUID().slice(0, 6)}`;
        const child = spawn(process.execPath, ['--import', 'tsx', REGISTRANT], {
          env: { ...process.env, LOOM_CHILD_STORE: maker.childSpec(ns), LOOM_ACTOR_ID: actorId, LOOM_TTL_MS: '3000' },
          stdio: ['ignore', 'pipe', 'inherit'],
        });
        const exited = new Promise((r) => child.on('close', r));
        try {
          // A child's start (tsx compiling the sources) can take long on a loaded machine.
          await until(async () => ((await runtime.discovery.find({ capability: 'stripe' })).some((e) => e.actorId === actorId) ? true : undefined), 'the child registration', 90_000);
          // Alive and heartbeating, it stays past several TTLs.
          await new Promise((r) => setTimeout(r, 4000));
          const live = await runtime.discovery.find({ capability: 'stripe' });
          assert.ok(live.some((e) => e.actorId === actorId), 'still registered while the child lives');
          child.kill('SIGKILL');
          await exited;
          const t0 = Date.now();
          await until(async () => ((await runtime.discovery.find({ capability: 'stripe' })).some((e) => e.actorId === actorId) ? undefined : true), 'the entry to expire', 10_000);
          assert.ok(Date.now() - t0 <= 6000, `expired ${Date.now() - t0} ms after the kill; the TTL is 3000 ms`);
          const r = await runtime.call<{ by: string }>({ capability: 'stripe', method: 'charge', args: [1] }).catch((e: unknown) => e);
          assert.ok(r instanceof NoProviderError, String(r));
        } finally {
          if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
        }
      });
    }
  });
});
