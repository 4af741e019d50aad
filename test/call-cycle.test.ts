// A handler's call that could never run (to its own actor, or around a cycle
// A → B → A) fails at once with LOOM_CALL_CYCLE instead of hanging for ever.
import { after, it } from 'node:test';
import assert from 'node:assert/strict';
import { Actor, ActorRuntime, CallCycleError, InvocationFailedError, type Store } from '../src/index.js';
import { silentLogger } from '../src/core/logger.js';
import { partitionOf } from '../src/core/ids.js';
import { callChainFor } from '../src/core/call-chain.js';
import type { ActorRegistry } from '../src/core/registry.js';
import { forEachStore, type StoreKind } from './support/stores.js';

const PARTITIONS = 8;

class Loop extends Actor<{ after: number }> {
  static initialState = { after: 0 };
  async selfCall() {
    return this.call<string>('Loop', this.actorId, 'ping');
  }
  async ping() {
    return 'pong';
  }
  async callOther(id: string) {
    return this.call<string>('Loop', id, 'ping');
  }
  async sendSelf() {
    this.send('Loop', this.actorId, 'ping');
    return 'sent';
  }
  /** Catches the refusal and goes on through a sleep, so that the rest replays over the journal the refusal left. */
  async catchSelfCall() {
    let code = 'none';
    try {
      await this.call('Loop', this.actorId, 'ping');
    } catch (err) {
      code = (err as CallCycleError).code;
    }
    await this.step('after', () => 1);
    await this.sleep(5);
    const other = await this.call<string>('Loop', `${this.actorId}-other`, 'ping');
    this.state.after++;
    return `${code} ${other}`;
  }
}

class Alpha extends Actor {
  async start(betaId: string) {
    return this.call<string>('Beta', betaId, 'back', this.actorId);
  }
  async done() {
    return 'done';
  }
}

class Beta extends Actor {
  async back(alphaId: string) {
    return this.call<string>('Alpha', alphaId, 'done');
  }
}

/** Re-entrant by design: a suspended invocation gives its slot back. */
class Wide extends Actor {
  static config = { concurrency: 2 };
  async selfCall() {
    return this.call<string>('Wide', this.actorId, 'ping');
  }
  async ping() {
    return 'pong';
  }
}

function runtimeOn(store: Store): ActorRuntime {
  return new ActorRuntime({ store, logger: silentLogger, pollIntervalMs: 20, leaseTtlMs: 600, partitions: PARTITIONS })
    .register(Loop)
    .register(Alpha)
    .register(Beta)
    .register(Wide);
}

/** Asserts a call failed because of a call cycle, and returns the stored error's message. */
async function cycleFailure(call: Promise<unknown>): Promise<string> {
  let message = '';
  await assert.rejects(call, (err: unknown) => {
    assert.ok(err instanceof InvocationFailedError, String(err));
    assert.equal(err.code, 'LOOM_CALL_CYCLE');
    assert.equal(err.deadLettered, false, 'a cycle fails for good; a retry would meet it again');
    assert.equal(err.info.name, 'CallCycleError');
    message = err.info.message;
    return true;
  });
  assert.match(message, /this\.send/, 'the message suggests send');
  assert.match(message, /concurrency/, 'the message suggests a concurrent type');
  return message;
}

const kinds: StoreKind[] = ['memory', 'sqlite', 'redis'];

await forEachStore('call cycles', (maker) => {
  after(() => maker.cleanup());

  it(`a call to its own actor fails at once with LOOM_CALL_CYCLE, and the actor stays usable (${maker.kind})`, { timeout: 30_000 }, async (t) => {
    const runtime = runtimeOn(maker.make());
    t.after(() => runtime.stop(100));
    await runtime.start();
    const message = await cycleFailure(runtime.call({ actorType: 'Loop', actorId: 'me', method: 'selfCall' }));
    assert.match(message, /Loop\/me calls itself \(Loop\/me → Loop\/me\)/);
    assert.equal(await runtime.call({ actorType: 'Loop', actorId: 'me', method: 'ping' }), 'pong', 'nothing holds the actor');
    assert.equal(await runtime.call({ actorType: 'Loop', actorId: 'me', method: 'callOther', args: ['you'] }), 'pong', 'another id of the same type is no cycle');
    assert.equal(await runtime.call({ actorType: 'Loop', actorId: 'me', method: 'sendSelf' }), 'sent', 'a send to itself waits for nothing');
    assert.equal(await runtime.call({ actorType: 'Wide', actorId: 'w', method: 'selfCall' }), 'pong', 'a type with concurrency above 1 serves its own call');
  });

  it(`a handler that catches the refusal goes on, and replays past it (${maker.kind})`, { timeout: 30_000 }, async (t) => {
    const runtime = runtimeOn(maker.make());
    t.after(() => runtime.stop(100));
    await runtime.start();
    assert.equal(await runtime.call({ actorType: 'Loop', actorId: 'catcher', method: 'catchSelfCall' }), 'LOOM_CALL_CYCLE pong');
    assert.deepEqual(await runtime.getState('Loop', 'catcher'), { after: 1 });
  });

  it(`a cycle A → B → A fails at B's call with the cycle in its message, between two runtimes on one store (${maker.kind})`, { timeout: 60_000 }, async (t) => {
    const ns = maker.newNamespace();
    const first = runtimeOn(maker.make(ns));
    const second = runtimeOn(maker.make(ns));
    t.after(() => Promise.all([first.stop(100), second.stop(100)]));
    await first.start();
    await second.start();
    // Wait for the split, then pick ids whose partitions the two runtimes hold: B runs from the stored record.
    const end = Date.now() + 20_000;
    while (first.partitions.length === 0 || second.partitions.length === 0 || first.partitions.length + second.partitions.length !== PARTITIONS) {
      if (Date.now() > end) throw new Error(`no split: ${first.partitions} / ${second.partitions}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    const held = (rt: ActorRuntime, type: string, prefix: string) => {
      for (let i = 0; ; i++) if (rt.partitions.includes(partitionOf(type, `${prefix}${i}`, PARTITIONS))) return `${prefix}${i}`;
    };
    const a = held(first, 'Alpha', 'a');
    const b = held(second, 'Beta', 'b');
    const message = await cycleFailure(first.call({ actorType: 'Alpha', actorId: a, method: 'start', args: [b] }));
    assert.ok(message.includes(`(Alpha/${a} → Beta/${b} → Alpha/${a})`), message);
    assert.equal(await second.call({ actorType: 'Alpha', actorId: a, method: 'done' }), 'done', 'nothing holds A afterwards');
  });
}, kinds);

it('a cycle error caps what it echoes: a long chain is elided and long ids are clipped', () => {
  const registry = { has: () => false } as unknown as ActorRegistry;
  const long = 'x'.repeat(100_000);
  const chain: [string, string][] = [['Loop', long], ...Array.from({ length: 40 }, (_, i): [string, string] => ['Loop', `n${i}`])];
  const caller = { actorType: 'Loop', actorId: 'last', meta: { callChain: chain } } as never;
  assert.throws(() => callChainFor(caller, 'Loop', 'n20', 'ping', registry), (err: unknown) => {
    assert.ok(err instanceof CallCycleError);
    assert.ok(err.message.length < 2048, `${err.message.length} characters`);
    assert.match(err.message, /… \d+ more …/);
    return true;
  });
  // The oldest callers fall off a chain past its bound, and a very long id is kept as a digest.
  const kept = callChainFor({ actorType: 'Loop', actorId: long, meta: { callChain: chain.slice(1) } } as never, 'Other', 'o', 'ping', registry);
  assert.equal(kept.length, 32);
  assert.ok(kept.at(-1)![1].startsWith('sha256:'));
  assert.ok(JSON.stringify(kept).length < 4096);
});
