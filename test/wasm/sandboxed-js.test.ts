// registerSandboxedJs: untrusted JavaScript in QuickJS as a durable actor, with
// memory, stack and deadline limits, and nothing of the host in reach.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { InvocationFailedError } from '../../src/index.js';
import { memoryRuntime } from '../support/runtime.js';
import type { ActorRuntime } from '../../src/index.js';

const SOURCE = `
function add(input, state) {
  state.calls = (state.calls || 0) + 1;
  loom.log('adding');
  return { result: input.a + input.b, calls: state.calls };
}
function probe() {
  return { process: typeof process, require: typeof require, fetch: typeof fetch, now: loom.now(), r: loom.random() };
}
function spin() { for (;;) {} }
function hog() { const a = []; for (;;) a.push(new Array(100000).fill(1)); }
function dive() { const f = (n) => f(n + 1) + 1; return f(0); }
function boom() { throw new TypeError('nope'); }
`;

const failure = async (rt: ActorRuntime, method: string): Promise<InvocationFailedError> => {
  const err = await rt.call({ actorType: 'Script', actorId: `s-${method}`, method, args: [{}] }).then(() => undefined, (e: unknown) => e);
  assert.ok(err instanceof InvocationFailedError, `${method}: ${String(err)}`);
  return err;
};

describe('a sandboxed JavaScript actor', { timeout: 120_000 }, () => {
  let rt: ActorRuntime;
  before(async () => {
    rt = await memoryRuntime({ defaults: { retryPolicy: { maxAttempts: 1 } } });
    rt.registerSandboxedJs('Script', SOURCE, { timeoutMs: 200, memoryBytes: 8 * 1024 * 1024, stackBytes: 128 * 1024 });
    await rt.start();
  });
  after(() => rt.stop());

  test('runs handlers over the durable state', async () => {
    await rt.call({ actorType: 'Script', actorId: 'a-1', method: 'add', args: [{ a: 1, b: 2 }] });
    assert.deepEqual(await rt.call({ actorType: 'Script', actorId: 'a-1', method: 'add', args: [{ a: 5, b: 3 }] }), { result: 8, calls: 2 });
    assert.deepEqual(await rt.getState('Script', 'a-1'), { calls: 2 });
  });

  test('sees nothing of the host; time and randomness come from the journal', async () => {
    const out = (await rt.call({ actorType: 'Script', actorId: 'p-1', method: 'probe', args: [{}] })) as Record<string, unknown>;
    assert.equal(out['process'], 'undefined');
    assert.equal(out['require'], 'undefined');
    assert.equal(out['fetch'], 'undefined');
    assert.equal(typeof out['now'], 'number');
  });

  test('an endless loop is interrupted at its deadline', async () => {
    assert.equal((await failure(rt, 'spin')).info.code, 'LOOM_WASM_TIMEOUT');
  });

  test('memory, stack and thrown errors fail with stable codes and go to the dead letters', async () => {
    const hog = await failure(rt, 'hog');
    assert.equal(hog.info.code, 'LOOM_WASM_RESOURCE_LIMIT');
    assert.equal(hog.code, 'LOOM_DEAD_LETTERED');
    assert.equal((await failure(rt, 'dive')).info.code, 'LOOM_WASM_RESOURCE_LIMIT');
    const boom = await failure(rt, 'boom');
    assert.equal(boom.info.code, 'LOOM_WASM_TRAP');
    assert.match(boom.info.message, /TypeError: nope/);
  });

  test('the actor keeps serving after hostile calls', async () => {
    assert.deepEqual(await rt.call({ actorType: 'Script', actorId: 'a-2', method: 'add', args: [{ a: 2, b: 2 }] }), { result: 4, calls: 1 });
  });

  test('refuses a stack over 256 KiB and a script without handlers', () => {
    assert.throws(() => rt.registerSandboxedJs('Big', SOURCE, { stackBytes: 1024 * 1024 }), /stackBytes is at most 262144/);
    assert.throws(() => rt.registerSandboxedJs('Empty', 'const x = 1;'), /declares no top-level function/);
  });
});
