import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Actor, type InvocationRecord } from '../src/index.js';
import { sqliteRuntime, tempDir } from './support/runtime.js';
import type { ActorRuntime } from '../src/index.js';

const ran: string[] = [];

class OrderV1 extends Actor<{ steps: number }> {
  static actorType = 'Order';
  static initialState = { steps: 0 };
  async place() {
    await this.step('reserve', () => ran.push('reserve'));
    await this.sleep(150);
    await this.step('charge', () => ran.push('charge'));
    this.state.steps = 2;
    return 'placed';
  }
}

class OrderV2 extends Actor<{ steps: number }> {
  static actorType = 'Order';
  static initialState = { steps: 0 };
  async place() {
    await this.step('validate', () => ran.push('validate'));
    await this.sleep(150);
    return 'placed';
  }
}

async function until(rt: ActorRuntime, id: string, ok: (r: InvocationRecord | undefined) => boolean): Promise<InvocationRecord> {
  for (let i = 0; i < 300; i++) {
    const rec = await rt.getInvocation(id);
    if (ok(rec)) return rec!;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`invocation ${id} never reached the expected status`);
}

describe('replay after a restart', () => {
  it('resumes a sleeping invocation in a new runtime without re-running its completed step', async () => {
    const tmp = tempDir();
    ran.length = 0;
    const first = sqliteRuntime(tmp.db).register(OrderV1);
    const { invocationId } = await first.send({ actorType: 'Order', actorId: 'o1', method: 'place' });
    await until(first, invocationId, (r) => r?.started === true && r.notBefore !== undefined);
    await first.stop();
    assert.deepEqual(ran, ['reserve']);

    const second = sqliteRuntime(tmp.db).register(OrderV1);
    assert.equal(await second.result(invocationId), 'placed');
    assert.deepEqual(ran, ['reserve', 'charge']);
    assert.deepEqual(await second.getState('Order', 'o1'), { steps: 2 });
    await second.stop();
    tmp.cleanup();
  });

  it('dead-letters an invocation whose code diverged from its journal, with a NonDeterminismError naming both steps', async () => {
    const tmp = tempDir();
    ran.length = 0;
    const first = sqliteRuntime(tmp.db).register(OrderV1);
    const { invocationId } = await first.send({ actorType: 'Order', actorId: 'o2', method: 'place' });
    await until(first, invocationId, (r) => r?.started === true && r.notBefore !== undefined);
    await first.stop();

    const second = sqliteRuntime(tmp.db).register(OrderV2);
    await assert.rejects(second.result(invocationId), (err: Error & { code: string; info: { code?: string; message: string } }) => {
      assert.equal(err.code, 'LOOM_DEAD_LETTERED');
      assert.equal(err.info.code, 'LOOM_NON_DETERMINISM');
      assert.match(err.info.message, new RegExp(`Order/o2 invocation ${invocationId} diverged at journal position 0`));
      assert.match(err.info.message, /recorded "step "reserve"" but the code now asks for "step "validate""/);
      return true;
    });
    assert.deepEqual(ran, ['reserve'], 'the diverging code must not run its side effect');
    const dead = await second.deadLetters.list();
    assert.equal(dead[0]?.id, invocationId);
    await second.stop();
    tmp.cleanup();
  });
});
