// Shared wiring of the hostile-input tests: a runtime per store that records its
// log, and the checks every such test makes (a LoomError with a stable code and a
// short message; the worker still serving good calls beside the bad one).
import { after } from 'node:test';
import assert from 'node:assert/strict';
import { Actor, ActorRuntime, LoomError, type ActorClass, type ActorRuntimeOptions, type InvocationFailedError } from '../../src/index.js';
import { forEachStore, type StoreKind } from '../support/stores.js';

/** A started runtime on one store, with the warnings and errors it logged. */
export interface Worker {
  rt: ActorRuntime;
  /** `warn` and `error` lines, in order. */
  logged: string[];
  stop(): Promise<void>;
}

export type StartWorker = (classes: ActorClass[], options?: ActorRuntimeOptions) => Promise<Worker>;

/**
 * Declares `suite` once per store kind; `body` gets a `start` that opens a
 * runtime on a fresh namespace of that store. Every runtime started is stopped
 * after the suite even when a test fails before its own stop.
 */
export async function onStores(suite: string, kinds: StoreKind[], body: (kind: StoreKind, start: StartWorker) => void): Promise<void> {
  await forEachStore(
    suite,
    (maker) => {
      const started: Worker[] = [];
      after(async () => {
        await Promise.allSettled(started.map((w) => w.stop()));
        await maker.cleanup();
      });
      const start: StartWorker = async (classes, options = {}) => {
        const logged: string[] = [];
        const log = (m: string) => void logged.push(m);
        const rt = new ActorRuntime({ store: maker.make(), pollIntervalMs: 20, logger: { debug() {}, info() {}, warn: log, error: log }, ...options });
        for (const cls of classes) rt.register(cls);
        await rt.start();
        const w: Worker = { rt, logged, stop: () => rt.stop(200) };
        started.push(w);
        return w;
      };
      body(maker.kind, start);
    },
    kinds,
  );
}

/** Asserts a LoomError with `code` whose message is under 2 KB of UTF-8; returns it. */
export function loomError(err: unknown, code: string): LoomError {
  assert.ok(err instanceof LoomError, `expected a LoomError, got ${String((err as Error)?.stack ?? err)}`);
  assert.equal(err.code, code, err.message);
  assert.ok(Buffer.byteLength(err.message) < 2048, `the message is ${Buffer.byteLength(err.message)} bytes: ${err.message.slice(0, 300)}…`);
  return err;
}

/** Asserts the call was dead-lettered (`LOOM_DEAD_LETTERED`) with a stored error of `storedCode`, if given; returns the stored error. */
export function deadLettered(err: unknown, storedCode?: string): InvocationFailedError {
  loomError(err, 'LOOM_DEAD_LETTERED');
  const e = err as InvocationFailedError;
  assert.equal(e.deadLettered, true);
  if (storedCode !== undefined) assert.equal(e.info.code, storedCode, e.info.message);
  for (const k of ['name', 'message'] as const) assert.equal(typeof e.info[k], 'string', `info.${k} is a string`);
  assert.ok(e.info.message.length <= 1200, `the stored message is ${e.info.message.length} characters`);
  return e;
}

/** Rejection of `p`, failing the test if it resolves. */
export async function rejection(p: Promise<unknown>): Promise<unknown> {
  try {
    const v = await p;
    assert.fail(`expected a rejection, got ${JSON.stringify(v)}`);
  } catch (err) {
    if (err instanceof assert.AssertionError) throw err;
    return err;
  }
}

/** A well-behaved actor to call beside the hostile ones: its counter proves every good call completed once. */
export class Good extends Actor<{ n: number }> {
  static initialState = { n: 0 };
  async add(by: number) {
    this.state.n += by;
    return this.state.n;
  }
}

/** Runs `bad` with good calls to `Good` beside it (other ids and, with `sameId`, the same id), and checks they all completed. */
export async function besideGoodCalls<T>(rt: ActorRuntime, bad: () => Promise<T>, id = 'g'): Promise<PromiseSettledResult<T>> {
  const before = (await rt.getState<{ n: number }>('Good', id))?.n ?? 0;
  const goods = Array.from({ length: 5 }, (_, i) => rt.call<number>({ actorType: 'Good', actorId: i % 2 ? id : `${id}-${i}`, method: 'add', args: [1] }));
  const [outcome, ...rest] = await Promise.allSettled([bad(), ...goods]);
  for (const r of rest) assert.equal(r.status, 'fulfilled', r.status === 'rejected' ? String(r.reason) : '');
  assert.equal((await rt.getState<{ n: number }>('Good', id))?.n, before + 2, 'both good calls to the shared id were applied once');
  assert.equal(await rt.call({ actorType: 'Good', actorId: id, method: 'add', args: [0] }), before + 2, 'the worker still serves calls after the bad one');
  return outcome!;
}

/** True when the worker logged a store failure (what a poison message used to look like). */
export function blamedTheStore(w: Worker): boolean {
  return w.logged.some((m) => /store failed/.test(m));
}
