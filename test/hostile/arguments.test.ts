// Arguments that are not plain data, ids a megabyte long, and bad arguments to
// the durable primitives each fail their own call with a clear, short LoomError.
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { Actor } from '../../src/index.js';
import { Good, besideGoodCalls, deadLettered, loomError, onStores, rejection } from './support.js';

function nested(depth: number): unknown {
  let v: unknown = 1;
  for (let i = 0; i < depth; i++) v = { a: v };
  return v;
}

const getterThrows = {
  ok: 1,
  inner: {
    get secret(): never {
      throw new Error('do not read me');
    },
  },
};
const trapThrows = new Proxy({}, {
  ownKeys() {
    throw new Error('ownKeys trap');
  },
});
const revoked = (() => {
  const r = Proxy.revocable({}, {});
  r.revoke();
  return r.proxy;
})();

/** Arguments, the code and what the message must say. */
const ARGS: { label: string; args: unknown[]; code: string; says: RegExp }[] = [
  { label: '100,000-deep JSON', args: [nested(100_000)], code: 'LOOM_INVALID_MESSAGE', says: /args\[0\]\.a\.a.*is nested more than 512 levels deep \(the limit\).*up to 512 levels deep/ },
  { label: 'a throwing getter', args: [getterThrows], code: 'LOOM_NOT_SERIALIZABLE', says: /args\[0\]\.inner\.secret is not plain data: reading it threw \(do not read me\)/ },
  { label: 'a proxy whose trap throws', args: [{ p: trapThrows }], code: 'LOOM_NOT_SERIALIZABLE', says: /args\[0\]\.p is not plain data: inspecting it threw \(ownKeys trap\)/ },
  { label: 'a revoked proxy', args: [[revoked]], code: 'LOOM_NOT_SERIALIZABLE', says: /args\[0\]\[0\] is not plain data: inspecting it threw/ },
];

class Primitives extends Actor {
  static config = { retryPolicy: { maxAttempts: 3, backoff: 'fixed' as const, initialDelayMs: 5 } };
  async stepNotAFunction() {
    return this.step('charge', 42 as never);
  }
  async sleepUntilNull() {
    await this.sleepUntil(null as never);
  }
  async sleepUntilNaN() {
    await this.sleepUntil(NaN);
  }
  async sleepUntilInvalidDate() {
    await this.sleepUntil(new Date('not a date'));
  }
  async callSymbol() {
    await this.call(Symbol('t') as never, 'x', 'y');
  }
  async sendNul() {
    this.send('Good', 'a\u0000b', 'add', 1);
  }
  async promiseEmpty() {
    await this.promise('');
  }
  async deepResult() {
    return nested(1000);
  }
}

const PRIMITIVES: { method: string; says: RegExp }[] = [
  { method: 'stepNotAFunction', says: /step "charge" needs a function as its second argument .*got 42/ },
  { method: 'sleepUntilNull', says: /sleepUntil\(date\) needs a valid Date or a number of ms since the epoch, got null/ },
  { method: 'sleepUntilNaN', says: /sleepUntil\(date\) needs a valid Date .*got NaN/ },
  { method: 'sleepUntilInvalidDate', says: /sleepUntil\(date\) needs a valid Date .*got an invalid Date/ },
  { method: 'callSymbol', says: /this\.call\(actorType, actorId, method, …\): actorType must be a non-empty string .*got Symbol\(t\)/ },
  { method: 'sendNul', says: /this\.send\(.*\): actorId must be .*without NUL characters/ },
  { method: 'promiseEmpty', says: /promise\(name\): the name must be a non-empty string .*got ""/ },
  { method: 'deepResult', says: /the result of Primitives\.deepResult cannot be stored: result(\.a)+…\(1030 chars\) is nested more than 512 levels deep/ },
];

await onStores('hostile arguments', ['memory', 'sqlite'], (kind, start) => {
  for (const a of ARGS) {
    it(`rejects arguments holding ${a.label} at the call, naming the path, beside good calls (${kind})`, async () => {
      const w = await start([Good]);
      const outcome = await besideGoodCalls(w.rt, () => w.rt.call({ actorType: 'Good', actorId: 'g', method: 'add', args: a.args }));
      assert.match(loomError((outcome as PromiseRejectedResult).reason, a.code).message, a.says);
    });
  }

  it(`keeps the error short when an id, type or method is a megabyte long (${kind})`, async () => {
    const w = await start([Good]);
    const mb = 'x'.repeat(1 << 20);
    for (const msg of [{ actorType: 'Good', actorId: mb, method: 'add' }, { actorType: mb, actorId: 'g', method: 'add' }, { actorType: 'Good', actorId: 'g', method: mb }]) {
      const outcome = await besideGoodCalls(w.rt, () => w.rt.call({ ...msg, args: [1] }));
      assert.match(loomError((outcome as PromiseRejectedResult).reason, 'LOOM_INVALID_MESSAGE').message, /at most 512 characters.*got "x{200}"…\(1048576 chars\)/);
    }
    loomError(await rejection(w.rt.call({ actorType: 'Nope'.repeat(300_000), actorId: 'g', method: 'add' })), 'LOOM_INVALID_MESSAGE');
  });

  for (const p of PRIMITIVES) {
    it(`dead-letters at once a handler that calls ${p.method}, with a message naming the primitive, beside good calls (${kind})`, async () => {
      const w = await start([Primitives, Good]);
      const outcome = await besideGoodCalls(w.rt, () => w.rt.call({ actorType: 'Primitives', actorId: 'p', method: p.method }));
      const err = deadLettered((outcome as PromiseRejectedResult).reason, 'LOOM_INVALID_MESSAGE');
      assert.match(err.info.message, p.says);
      assert.match(err.message, /after 1 attempt\(s\)/, 'not retried: a retry runs the same code');
    });
  }
});
