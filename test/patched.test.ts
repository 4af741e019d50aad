// `this.patched(name)`: a handler branches between old and new code deterministically.
// New work takes the new path and journals a marker, so every replay takes it too; an
// invocation journaled by code without the patch replays its old path and completes.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Actor, ActorRuntime, type ActorClass, type InvocationRecord, type Store } from '../src/index.js';
import { silentLogger } from '../src/core/logger.js';
import { MemoryStore } from '../src/adapters/memory/index.js';
import { createSimulation, replayJournal, replayJournals, type RecordedJournal } from '../src/testing/index.js';
import { forEachStore, type StoreMaker } from './support/stores.js';

/** What each actor's handler runs saw and did, by actor id. */
const answers = new Map<string, boolean[]>();
const effects = new Map<string, string[]>();
const push = <T>(m: Map<string, T[]>, k: string, v: T): void => void (m.get(k) ?? m.set(k, []).get(k)!).push(v);

/** The code before the patch. */
class CheckoutV1 extends Actor {
  static actorType = 'Checkout';
  async process(holdMs: number): Promise<string> {
    await this.step('reserve', () => push(effects, this.actorId, 'reserve'));
    await this.sleep(holdMs);
    await this.step('charge', () => push(effects, this.actorId, 'charge'));
    return 'unchecked';
  }
}

/** The same handler with a fraud check added behind a patch. */
class CheckoutV2 extends Actor {
  static actorType = 'Checkout';
  async process(holdMs: number): Promise<string> {
    await this.step('reserve', () => push(effects, this.actorId, 'reserve'));
    const checked = this.patched('fraud-check');
    push(answers, this.actorId, checked);
    if (checked) await this.step('fraudCheck', () => push(effects, this.actorId, 'fraudCheck'));
    await this.sleep(holdMs);
    await this.step('charge', () => push(effects, this.actorId, 'charge'));
    return checked ? 'checked' : 'unchecked';
  }
  /** The same name twice, and a name that cannot be stored. */
  async twice(): Promise<string> {
    const a = this.patched('p');
    await this.sleep(1);
    const b = this.patched('p');
    let refused = '';
    try {
      this.patched('');
    } catch (err) {
      refused = (err as Error).message;
    }
    return `${a} ${b} ${refused}`;
  }
}

/** The patch being removed: only the new path is left, and its marker is consumed or written. */
class CheckoutV3 extends Actor {
  static actorType = 'Checkout';
  async process(holdMs: number): Promise<string> {
    await this.step('reserve', () => push(effects, this.actorId, 'reserve'));
    this.deprecatePatch('fraud-check');
    await this.step('fraudCheck', () => push(effects, this.actorId, 'fraudCheck'));
    await this.sleep(holdMs);
    await this.step('charge', () => push(effects, this.actorId, 'charge'));
    return 'checked';
  }
}

/** Long enough that the first runtime is stopped (or the journal read) before the sleep ends. */
const HOLD_MS = 1500;

function runtimeOn(store: Store, cls: ActorClass): ActorRuntime {
  return new ActorRuntime({ store, logger: silentLogger, pollIntervalMs: 20, parkSleepsUpToMs: 0 }).register(cls);
}

async function until(rt: ActorRuntime, id: string, ok: (r: InvocationRecord | undefined) => boolean): Promise<InvocationRecord> {
  for (let i = 0; i < 1000; i++) {
    const rec = await rt.getInvocation(id);
    if (ok(rec)) return rec!;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`invocation ${id} never reached the expected status`);
}

const sleeping = (r: InvocationRecord | undefined): boolean => r?.status === 'pending' && r.started === true && r.notBefore !== undefined;

/** Starts `process` on a new actor and returns its recording once it sleeps. */
async function runUntilSleeping(rt: ActorRuntime, store: Store, actorId: string): Promise<RecordedJournal> {
  const { invocationId } = await rt.send({ actorType: 'Checkout', actorId, method: 'process', args: [HOLD_MS] });
  const invocation = await until(rt, invocationId, sleeping);
  return { invocation, journal: await store.loadJournal(invocationId) };
}

function recordingsDir(recordings: RecordedJournal[]): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'loom-patched-'));
  recordings.forEach((r, i) => writeFileSync(join(dir, `${i}.json`), JSON.stringify(r)));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

const ids = (kind: string, what: string): string => `${what}-${kind}-${Math.random().toString(36).slice(2, 8)}`;

function patchSuite(maker: StoreMaker): void {
  after(() => maker.cleanup());

  it(`new work takes the new path, journals the marker and replays it after each suspension (${maker.kind})`, { timeout: 60_000 }, async (t) => {
    const store = maker.make();
    const rt = runtimeOn(store, CheckoutV2);
    t.after(() => rt.stop(100));
    await rt.start();
    const id = ids(maker.kind, 'new');
    const recording = await runUntilSleeping(rt, store, id);
    assert.deepEqual(
      recording.journal.map((e) => `${e.seq} ${e.kind} ${e.name} ${e.status}`),
      ['0 step reserve done', '1 patch fraud-check done', '2 step fraudCheck done', '3 sleep sleep pending'],
      'the store keeps the marker where the patch was taken',
    );
    assert.equal(await rt.result(recording.invocation.id), 'checked');
    assert.deepEqual(answers.get(id), [true, true], 'the replay after the sleep took the new path again');
    assert.deepEqual(effects.get(id), ['reserve', 'fraudCheck', 'charge'], 'each step ran once');

    const rec = recordingsDir([recording]);
    t.after(rec.cleanup);
    const replayed = await replayJournals(rec.dir, [CheckoutV2]);
    assert.deepEqual(replayed.map((r) => r.ok), [true], JSON.stringify(replayed));
    const back = await replayJournals(rec.dir, [CheckoutV1]);
    assert.equal(back[0]!.ok, false, 'code without the patch cannot replay a journal that took it');
    assert.match(back[0]!.ok ? '' : back[0]!.message, /entry 1: recorded patch "fraud-check", the code now asks for sleep "sleep"/);
  });

  it(`an invocation journaled by old code resumes on the old path under patched code, with no divergence (${maker.kind})`, { timeout: 60_000 }, async (t) => {
    const ns = maker.newNamespace();
    const oldStore = maker.make(ns);
    const old = runtimeOn(oldStore, CheckoutV1);
    t.after(() => old.stop(100));
    await old.start();
    const id = ids(maker.kind, 'old');
    const recording = await runUntilSleeping(old, oldStore, id);
    await old.stop();
    assert.deepEqual(recording.journal.map((e) => e.kind), ['step', 'sleep']);

    const rec = recordingsDir([recording]);
    t.after(rec.cleanup);
    const replayed = await replayJournals(rec.dir, [CheckoutV2]);
    assert.deepEqual(replayed.map((r) => r.ok), [true], JSON.stringify(replayed));

    const patched = runtimeOn(maker.make(ns), CheckoutV2);
    t.after(() => patched.stop(100));
    await patched.start();
    assert.equal(await patched.result(recording.invocation.id), 'unchecked');
    const seen = answers.get(id) ?? [];
    assert.ok(seen.length >= 1 && seen.every((a) => a === false), `every replay of the old journal answered false, consuming nothing: ${seen}`);
    assert.deepEqual(effects.get(id), ['reserve', 'charge'], 'no fraud check ran for the old invocation');
    assert.equal(await patched.getInvocation(recording.invocation.id).then((r) => r?.status), 'completed');
  });
}

await forEachStore('this.patched(name)', patchSuite);

describe('this.patched(name) in a rolling deploy', () => {
  it('a worker still on the old code dead-letters a journal with the marker, and a redrive on the new code completes it', { timeout: 60_000 }, async (t) => {
    const store = new MemoryStore();
    const id = ids('memory', 'rolling');
    const patched = runtimeOn(store, CheckoutV2);
    t.after(() => patched.stop(100));
    await patched.start();
    const recording = await runUntilSleeping(patched, store, id);
    await patched.stop();

    const old = runtimeOn(store, CheckoutV1);
    t.after(() => old.stop(100));
    await old.start();
    await assert.rejects(old.result(recording.invocation.id), (err: Error & { code: string; info: { code?: string; message: string } }) => {
      assert.equal(err.code, 'LOOM_DEAD_LETTERED');
      assert.equal(err.info.code, 'LOOM_NON_DETERMINISM');
      assert.match(err.info.message, /recorded "patch "fraud-check"" but the code now asks for "sleep "sleep""/);
      return true;
    });
    await old.stop();

    const again = runtimeOn(store, CheckoutV2);
    t.after(() => again.stop(100));
    await again.start();
    await again.deadLetters.redrive(recording.invocation.id);
    assert.equal(await again.result(recording.invocation.id), 'checked');
    assert.deepEqual(effects.get(id), ['reserve', 'fraudCheck', 'charge'], 'each step ran once across the three runtimes');
  });
});

describe('this.patched(name) in one handler', () => {
  it('answers the same for the same name used twice, and refuses a name that cannot be stored', { timeout: 30_000 }, async (t) => {
    const sim = await createSimulation({ seed: 3, actors: [CheckoutV2], runtime: { parkSleepsUpToMs: 0 } });
    t.after(() => sim.dispose());
    const { invocationId } = await sim.send({ actorType: 'Checkout', actorId: 't', method: 'twice' });
    await sim.runUntilIdle();
    const rec = await sim.store.getInvocation(invocationId);
    assert.equal(rec?.status, 'completed', JSON.stringify(rec));
    const result = JSON.parse(rec!.resultJson!) as string;
    assert.match(result, /^true true patched\(name\): the patch name must be a non-empty string/);
  });

  it('deprecatePatch(name): replays journals with the marker and writes it for new work; an old journal diverges', { timeout: 60_000 }, async () => {
    const invocation = (id: string) => ({ id, actorType: 'Checkout', actorId: id, method: 'process', argsJson: '[1000]' });
    const withMarker: RecordedJournal = {
      invocation: invocation('with-marker'),
      journal: [
        { seq: 0, kind: 'step', name: 'reserve', status: 'done' },
        { seq: 1, kind: 'patch', name: 'fraud-check', status: 'done' },
        { seq: 2, kind: 'step', name: 'fraudCheck', status: 'done' },
        { seq: 3, kind: 'sleep', name: 'sleep', status: 'pending', valueJson: '0' },
      ],
    };
    const old: RecordedJournal = {
      invocation: invocation('old'),
      journal: [withMarker.journal[0]!, { ...withMarker.journal[3]!, seq: 1 }],
    };
    assert.deepEqual(await replayJournal(withMarker, [CheckoutV3]), { invocationId: 'with-marker', ok: true, replayed: 4 });
    assert.deepEqual(await replayJournal(withMarker, [CheckoutV2]), { invocationId: 'with-marker', ok: true, replayed: 4 });
    assert.deepEqual(await replayJournal(old, [CheckoutV2]), { invocationId: 'old', ok: true, replayed: 2 });
    const early = await replayJournal(old, [CheckoutV3]);
    assert.equal(early.ok, false, 'removing the old path while old invocations are in flight is caught by the replay gate');
    assert.match(early.ok ? '' : early.message, /entry 1: recorded sleep "sleep", the code now asks for step "fraudCheck"/);

    const sim = await createSimulation({ seed: 7, actors: [CheckoutV3], runtime: { parkSleepsUpToMs: 0 } });
    try {
      const { invocationId } = await sim.send({ actorType: 'Checkout', actorId: 'v3', method: 'process', args: [1000] });
      await sim.runUntil(async () => (await sim.store.getInvocation(invocationId))?.notBefore !== undefined);
      const journal = await sim.store.loadJournal(invocationId);
      assert.deepEqual(journal.map((e) => e.kind), ['step', 'patch', 'step', 'sleep'], 'new work still writes the marker');
      await sim.runUntilIdle();
      assert.equal((await sim.store.getInvocation(invocationId))?.status, 'completed');
    } finally {
      await sim.dispose();
    }
  });

  it('keeps the new path under a crash before and after every durable write (simulation)', { timeout: 120_000 }, async (t) => {
    const sim = await createSimulation({ seed: 5, actors: [CheckoutV2] });
    t.after(() => sim.dispose());
    let n = 0;
    const report = await sim.exploreCrashes(
      async (s) => {
        const actorId = `sim-${n++}`;
        assert.equal(await s.call({ actorType: 'Checkout', actorId, method: 'process', args: [1000] }), 'checked');
        assert.ok(!answers.get(actorId)?.includes(false), `a replay of ${actorId} left the new path: ${answers.get(actorId)}`);
      },
      async (s) => {
        assert.equal((await s.pending()).length, 0);
      },
    );
    assert.ok(report.writes >= 3, `the scenario made ${report.writes} durable writes`);
    console.log(`# patched: ${report.writes} durable writes, ${report.crashRuns} crash runs in ${report.elapsedMs} ms`);
  });
});
