import { AsyncLocalStorage } from 'node:async_hooks';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Clock as InstalledClock } from '@sinonjs/fake-timers';
import { ActorRuntime, type ActorRuntimeOptions, type CallMessage, type SendReceipt } from '../../runtime/actor-runtime.js';
import { parseDuration, type Duration } from '../../core/envelope.js';
import { useIdSource } from '../../core/ids.js';
import { outcomeOf } from '../../core/outcome.js';
import { silentLogger } from '../../core/logger.js';
import type { ActorClass } from '../../core/registry.js';
import { unlessFailed, type InvocationRecord, type JournalEntry, type NewInvocation, type Store, type TurnWrite } from '../../ports/store.js';
import { MemoryStore } from '../../adapters/memory/index.js';
import { simulated, type HandlerScope, type StepRule } from './actors.js';
import { installClock, uninstallClock } from './clock.js';
import { userFrame, watchNondeterminism, type Violation } from './determinism.js';
import { chooseSeed, seededIds, seededRandom } from './prng.js';
import { SimStore, type CrashPlan, type DurableWrite } from './sim-store.js';
import { SimulationFailure } from './failure.js';
import { checkLoomInvariants, type RunRecord } from './invariants.js';

/** Options of {@link createSimulation}. */
export interface SimulationOptions {
  /** Fixes the schedule, ids, latencies and randomness. Default: `LOOM_SEED`, else a random seed (printed on failure). */
  seed?: number;
  actors: ActorClass[];
  /** The real store the real engine runs on. Default 'memory'. */
  store?: 'memory' | 'sqlite';
  /** Partitions; default 4. */
  partitions?: number;
  /** Virtual time at the start, epoch ms. Default 2026-01-01T00:00:00Z. */
  startAt?: number;
  /** Called when a handler asks for a durable operation, with the user's source line that asked. */
  onOp?: (op: string, where: string | undefined) => void;
  /** Called when a handler starts an attempt. */
  onHandlerStart?: () => void;
  /** Other runtime options (`defaults`, `eagerStart`, ...); the store, clock and logger are the simulation's. */
  runtime?: Omit<ActorRuntimeOptions, 'store' | 'stateAdapter' | 'dbPath' | 'onAttempt' | 'workerId'>;
}

/** What one line of a simulation's trace says. */
export interface TraceLine {
  /** Virtual ms since the start. */
  at: number;
  text: string;
}

/** A scenario: what the outside world does to the actors (calls, sends, promise resolutions). */
export type Scenario = (sim: Simulation) => Promise<void>;
/** Checks that hold after the scenario, however it was interrupted; throw (e.g. an assertion) when one does not. */
export type Invariants = (sim: Simulation) => void | Promise<void>;

/** What {@link Simulation.exploreCrashes} did. */
export interface ExplorationReport {
  seed: number;
  /** Durable writes of the scenario run without a crash. */
  writes: number;
  /** Runs with a crash (2 per write: just before and just after it), all passing. */
  crashRuns: number;
  /** Wall-clock ms the exploration took. */
  elapsedMs: number;
}

const DEFAULT_START = Date.UTC(2026, 0, 1);
/** Long, so that a virtual day costs few renewals; a restart waits it out in virtual time. */
const LEASE_TTL_MS = 3_600_000;
/** How far a simulation may run its virtual clock in one runUntil: a century, far past any real wait. */
const MAX_VIRTUAL_SPAN_MS = 100 * 365 * 86_400_000;

/** A simulated process: its runtime, and the store view through which it can be killed. */
interface Generation {
  runtime: ActorRuntime;
  store: SimStore;
}

/**
 * The real engine under a virtual clock and a seeded scheduler, in this process,
 * with no service. Create one per test, `dispose()` it after (in a `finally`).
 */
export class Simulation {
  readonly seed: number;
  private clock!: InstalledClock;
  private base!: Store;
  private cleanupBase: () => void = () => {};
  private gen!: Generation;
  private generations = 0;
  private startedAt = 0;
  private random!: () => number;
  private restoreGlobals: () => void = () => {};
  private readonly scope = new AsyncLocalStorage<HandlerScope>();
  private readonly rules = new Map<string, StepRule>();
  private actors: ActorClass[] = [];
  private stepLimit = Infinity;
  private run!: RunRecord;
  /** What happened, in virtual time: attempts, steps, crashes and restarts. */
  trace: TraceLine[] = [];
  /** Reads of the clock or of randomness by handlers outside the journal. */
  violations: Violation[] = [];

  /** @internal use {@link createSimulation} */
  constructor(private readonly options: SimulationOptions) {
    this.seed = chooseSeed(options.seed);
  }

  /** @internal */
  async open(plan?: CrashPlan): Promise<this> {
    this.random = seededRandom(this.seed);
    this.startedAt = this.options.startAt ?? DEFAULT_START;
    this.clock = await installClock(this.startedAt);
    useIdSource(seededIds(seededRandom(this.seed ^ 0x5eed)));
    this.restoreGlobals = watchNondeterminism(this.scope, seededRandom(this.seed ^ 0xabc), (v) => {
      this.violations.push(v);
      this.log(`NON-DETERMINISM: ${v.what} in ${v.handler.actorType}/${v.handler.actorId}.${v.handler.method} at ${v.where}`);
    });
    this.trace = [];
    this.violations = [];
    this.run = { stepKeys: new Map(), journaled: new Set(), terminal: new Map(), crash: undefined, rerunAfterJournal: [] };
    this.actors = this.options.actors.map((cls) => simulated(cls, {
      scope: this.scope,
      rule: (name) => this.rules.get(name),
      limit: () => this.stepLimit,
      stepRan: (name, key, scope) => this.stepRan(name, key, scope),
      opCalled: (op, _scope, stack) => this.options.onOp?.(op, userFrame(stack)),
      handlerStarted: () => this.options.onHandlerStart?.(),
    }));
    if (this.options.store === 'sqlite') {
      const dir = mkdtempSync(join(tmpdir(), 'loom-sim-'));
      const { SqliteStore } = await import('../../adapters/sqlite/index.js');
      this.base = new SqliteStore({ path: join(dir, 'sim.db') });
      this.cleanupBase = () => rmSync(dir, { recursive: true, force: true });
    } else {
      this.base = new MemoryStore();
    }
    this.generations = 0;
    this.gen = await this.startGeneration(plan);
    return this;
  }

  private async startGeneration(plan?: CrashPlan): Promise<Generation> {
    const n = ++this.generations;
    const store = new SimStore(this.base, this.random, plan, (w) => this.crashed(w), (t) => this.committed(t));
    const runtime = new ActorRuntime({
      logger: silentLogger,
      partitions: this.options.partitions ?? 4,
      pollIntervalMs: 60_000,
      leaseTtlMs: LEASE_TTL_MS,
      sweepIntervalMs: 3_600_000,
      idleTimeoutMs: 3_600_000,
      // Every sleep leaves memory and replays, as it would after a crash: that is the replay to check.
      parkSleepsUpToMs: 0,
      ...this.options.runtime,
      store: store.store,
      workerId: `sim-process-${n}`,
      onAttempt: (e) => this.log(`${e.actorType}/${e.actorId}.${e.method} attempt ${e.attempt}: ${e.outcome}${e.error ? ` (${e.error.code ?? e.error.name}: ${e.error.message})` : ''}`),
    });
    for (const cls of this.actors) runtime.register(cls);
    this.gen = { runtime, store };
    const started = runtime.start();
    await this.until(() => settled(started));
    await started;
    if (n > 1) this.log(`process ${n} started on the same store`);
    return this.gen;
  }

  /** The runtime of the current simulated process. */
  get runtime(): ActorRuntime {
    return this.gen.runtime;
  }

  /** The real store underneath (what survives a crash). */
  get store(): Store {
    return this.base;
  }

  /** Virtual time now, epoch ms. */
  now(): number {
    return this.clock.now;
  }

  private log(text: string): void {
    this.trace.push({ at: this.clock.now - this.startedAt, text });
  }

  /**
   * Calls a handler and runs virtual time until it answers. The answer is read
   * from the store (a waiter's timers would tick through every virtual ms).
   */
  async call<T = unknown>(msg: CallMessage): Promise<T> {
    const { invocationId } = await this.send(msg);
    let rec: InvocationRecord | undefined;
    await this.until(() => rec !== undefined && rec.status !== 'pending', async () => {
      rec = await this.base.getInvocation(invocationId);
    });
    return outcomeOf<T>(rec!);
  }

  /** Sends a message; resolves once it is durable. */
  send(msg: CallMessage): Promise<SendReceipt> {
    return this.settle(this.gen.runtime.send(msg));
  }

  resolvePromise(id: string, value?: unknown): Promise<boolean> {
    return this.settle(this.gen.runtime.resolvePromise(id, value));
  }

  rejectPromise(id: string, reason: unknown): Promise<boolean> {
    return this.settle(this.gen.runtime.rejectPromise(id, reason));
  }

  /** Moves virtual time forward, running every timer due on the way. */
  async advance(duration: Duration): Promise<void> {
    await this.jump(parseDuration(duration, 'advance'));
  }

  /**
   * Runs until no invocation is left to run: each is finished, dead-lettered, or
   * waiting on a durable promise the test has to resolve. Sleeps, delays and
   * backoffs on the way complete in virtual time.
   */
  async runUntilIdle(opts: { maxTime?: Duration } = {}): Promise<void> {
    const limit = this.clock.now + parseDuration(opts.maxTime ?? '365d', 'maxTime', MAX_VIRTUAL_SPAN_MS);
    for (;;) {
      await this.clock.tickAsync(10);
      const pending = await this.pending();
      if (this.gen.store.dead || pending.every((p) => p.waitingOn?.startsWith('promise:'))) return;
      if (this.clock.now > limit) {
        throw new SimulationFailure(this, `still not idle after ${opts.maxTime ?? '365d'} of virtual time; waiting: ${pending.map(describe).join('; ')}`);
      }
      await this.step(pending);
    }
  }

  /**
   * One move of virtual time: a few ms while something can run now, else a jump
   * to the next time an invocation is due (timers on the way still fire).
   */
  private async step(pending?: InvocationRecord[]): Promise<void> {
    const list = pending ?? (await this.pending());
    const now = this.clock.now;
    if (list.some((p) => !p.waitingOn && (p.notBefore ?? 0) <= now)) {
      // Work in flight moves on through microtasks and timers: go to the next timer, whenever it is.
      await this.clock.nextAsync();
      if (this.clock.now === now) await this.clock.tickAsync(1);
      return;
    }
    const due = list.filter((p) => !p.waitingOn && p.notBefore !== undefined).map((p) => p.notBefore!);
    await this.jump(due.length ? Math.max(10, Math.min(...due) - now) : 1000);
  }

  /**
   * Moves virtual time across a stretch where nothing is due but the runtime's
   * own timers (polls, lease renewals, clock syncs). Those fire in order, in
   * chunks of at most a minute of virtual time, each chunk synchronously and
   * then settled: firing each timer as its own task would cost a real
   * macrotask apiece, and a virtual day holds thousands of them.
   */
  private async jump(ms: number): Promise<void> {
    if (ms <= 1000) {
      await this.clock.tickAsync(ms);
      return;
    }
    for (let left = ms; left > 0; ) {
      const chunk = Math.min(left, 60_000);
      this.clock.tick(chunk);
      left -= chunk;
      await this.clock.tickAsync(0);
      await this.clock.tickAsync(0);
    }
  }

  /** Runs virtual time until `done()` resolves true; fails past `maxTime` of virtual time. */
  async runUntil(done: () => Promise<boolean>, opts: { maxTime?: Duration } = {}): Promise<void> {
    const limit = this.clock.now + parseDuration(opts.maxTime ?? '365d', 'maxTime', MAX_VIRTUAL_SPAN_MS);
    while (!(await done())) {
      if (this.clock.now > limit) throw new SimulationFailure(this, `the condition did not hold within ${opts.maxTime ?? '365d'} of virtual time`);
      await this.step();
    }
  }

  /**
   * Puts an invocation and its journal (and its actor's state) into the store,
   * as a crashed worker would have left them; the runtime finds and resumes it.
   */
  async load(x: { invocation: NewInvocation; journal: JournalEntry[]; stateJson?: string }): Promise<void> {
    const owner = `sim-process-${this.generations}`;
    const lease = await this.base.leases.acquire(x.invocation.partition, owner, LEASE_TTL_MS);
    if (!lease) throw new SimulationFailure(this, `partition ${x.invocation.partition} is not this simulation's`);
    const i = x.invocation;
    const turn: TurnWrite = { partition: i.partition, epoch: lease.epoch, invocationId: i.id, journal: x.journal };
    if (x.stateJson !== undefined) turn.state = { actorType: i.actorType, actorId: i.actorId, stateJson: x.stateJson, expectedVersion: 0 };
    const [committed] = unlessFailed((await this.base.write!([i], [turn])).committed);
    if (committed?.outcome !== 'ok') throw new SimulationFailure(this, `could not load invocation ${i.id}: ${committed?.outcome}`);
  }

  /** Stops a handler, with a terminal error, at any step past journal position `n - 1` (nothing past a recording runs). */
  stopStepsBeyond(n: number): this {
    this.stepLimit = n;
    return this;
  }

  /** Every unfinished invocation in the store. */
  async pending(): Promise<InvocationRecord[]> {
    const parts = Array.from({ length: this.options.partitions ?? 4 }, (_, i) => i);
    return this.base.pollPending(parts, 0, 100_000);
  }

  /** The step `name` throws `times` times (a retryable error, or `error()`), then runs as usual. */
  stepFails(name: string, opts: { times: number; error?: () => Error }): this {
    this.rules.set(name, { ...this.rule(name), failures: opts.times, ...(opts.error ? { error: opts.error } : {}) });
    return this;
  }

  /** The step `name` returns what `stub` returns instead of running its function; `latency` in virtual time. */
  stubStep(name: string, stub: (key: string) => unknown, opts: { latency?: Duration } = {}): this {
    this.rules.set(name, { ...this.rule(name), stub, latencyMs: opts.latency === undefined ? 0 : parseDuration(opts.latency, 'latency') });
    return this;
  }

  private rule(name: string): StepRule {
    return this.rules.get(name) ?? { failures: 0, latencyMs: 0 };
  }

  /** Kills the current process (memory lost, store kept) and starts another on the same store. */
  async restart(): Promise<void> {
    this.gen.store.dead = true;
    this.log(`process ${this.generations} killed`);
    this.gen = await this.startGeneration();
    await this.advance(LEASE_TTL_MS + 1000); // the dead process's leases expire; the new one takes the partitions
  }

  /**
   * Runs `scenario` once to count its durable writes, then once per write with
   * the process killed just before it reaches the store and once with it killed
   * just after; each time a new process recovers on the same store, the scenario
   * runs again (a client retrying with the same idempotency keys), the
   * simulation runs until idle, and Loom's invariants and `invariants` are
   * checked. Throws a {@link SimulationFailure} naming the seed and the crash point.
   */
  async exploreCrashes(scenario: Scenario, invariants: Invariants = () => {}, opts: { rerun?: boolean } = {}): Promise<ExplorationReport> {
    const real = realNow();
    await this.reset();
    await this.scenarioRun(scenario, invariants, opts.rerun ?? true);
    const writes = this.gen.store.writes.length;
    let runs = 0;
    for (let at = 1; at <= writes; at++) {
      for (const when of ['before', 'after'] as const) {
        await this.reset({ at, when });
        await this.scenarioRun(scenario, invariants, opts.rerun ?? true);
        runs++;
      }
    }
    return { seed: this.seed, writes, crashRuns: runs, elapsedMs: Math.round(realNow() - real) };
  }

  private async scenarioRun(scenario: Scenario, invariants: Invariants, rerun: boolean): Promise<void> {
    const first = scenario(this);
    first.catch(() => {}); // after a crash it never settles, or settles with the dead process's error
    await this.until(() => settled(first) || this.run.crash !== undefined).catch(() => {});
    if (!this.run.crash) {
      await first;
      await this.runUntilIdle();
    }
    if (this.run.crash) {
      await this.restart();
      if (rerun) await this.settle(scenario(this));
      await this.runUntilIdle();
    }
    await checkLoomInvariants(this, this.run);
    try {
      await invariants(this);
    } catch (err) {
      throw new SimulationFailure(this, `an invariant failed: ${(err as Error).message}`, err);
    }
    if (this.violations.length) {
      const v = this.violations[0]!;
      throw new SimulationFailure(this, `${v.what} read in ${v.handler.actorType}/${v.handler.actorId}.${v.handler.method} at ${v.where}, outside the journal: it differs on replay (use this.now() / this.random())`);
    }
  }

  /**
   * Runs `scenario` twice from scratch with this seed and compares the traces:
   * a difference means something outside the seed's control (the wall clock,
   * unseeded randomness, I/O) decides what the actors do.
   */
  async assertDeterministic(scenario: Scenario): Promise<void> {
    const traces: string[][] = [];
    for (let i = 0; i < 2; i++) {
      await this.reset();
      await this.settle(scenario(this));
      await this.runUntilIdle();
      traces.push(this.trace.map((l) => `+${l.at}ms ${l.text}`));
    }
    const [a, b] = traces as [string[], string[]];
    const at = a.findIndex((line, i) => line !== b[i]);
    if (at >= 0 || a.length !== b.length) {
      const i = at >= 0 ? at : Math.min(a.length, b.length);
      throw new SimulationFailure(this, `two runs of seed ${this.seed} differ at trace line ${i + 1}:\n  first:  ${a[i] ?? '(end)'}\n  second: ${b[i] ?? '(end)'}`);
    }
    if (this.violations.length) {
      const v = this.violations[0]!;
      throw new SimulationFailure(this, `${v.what} read in ${v.handler.actorType}/${v.handler.actorId}.${v.handler.method} at ${v.where}, outside the journal`);
    }
  }

  /** @internal what the crash-exploration run recorded so far */
  get record(): RunRecord {
    return this.run;
  }

  private async reset(plan?: CrashPlan): Promise<void> {
    await this.close();
    await this.open(plan);
  }

  private crashed(w: DurableWrite): void {
    this.run.crash = w;
    this.log(`CRASH at durable write ${w.index} (${w.method}): ${w.describe}`);
  }

  private committed(turn: TurnWrite): void {
    for (const e of turn.journal ?? []) if (e.kind === 'step' && e.status === 'done') this.run.journaled.add(`${turn.invocationId}:${e.seq}`);
    const t = turn.transition;
    if (t && t.status !== 'pending') this.run.terminal.set(turn.invocationId, (this.run.terminal.get(turn.invocationId) ?? 0) + 1);
  }

  private stepRan(name: string, key: string, scope: HandlerScope | undefined): void {
    this.log(`step "${name}" ran${scope ? ` in ${scope.actorType}/${scope.actorId}.${scope.method}` : ''} (key ${key})`);
    const [invocation, position] = key.split(':');
    if (this.run.journaled.has(`${invocation}:${position}`)) this.run.rerunAfterJournal.push(`"${name}" (key ${key})`);
    const keys = this.run.stepKeys.get(key) ?? [];
    keys.push(name);
    this.run.stepKeys.set(key, keys);
  }

  /**
   * Runs virtual time until `done()` (bounded, so that a stuck scenario fails
   * instead of hanging). Stops with an error when the process that started it
   * is killed: its caller, like a killed client, never gets an answer.
   */
  private async until(done: () => boolean, refresh?: () => Promise<void>): Promise<void> {
    const gen = this.gen;
    for (let i = 0; ; i++) {
      await refresh?.();
      if (done()) return;
      if (gen.store.dead) throw new ProcessKilled();
      if (i > 100_000) throw new SimulationFailure(this, 'the scenario did not finish within the simulation\'s step budget');
      await this.clock.tickAsync(1);
      await refresh?.();
      if (!done() && !gen.store.dead) await this.step();
    }
  }

  private async settle<T>(p: Promise<T>): Promise<T> {
    await this.until(() => settled(p));
    return p;
  }

  /** Stops everything and puts the real clock back. Safe to call twice. */
  async dispose(): Promise<void> {
    await this.close();
  }

  private async close(): Promise<void> {
    if (!this.clock) return;
    if (this.gen) this.gen.store.dead = true; // its timers may still fire: they hang instead of touching the next run
    try {
      await this.base.close();
    } catch {
      // the store of a simulated process that was killed: nothing to hand back
    }
    useIdSource(undefined);
    this.restoreGlobals();
    uninstallClock(this.clock);
    this.cleanupBase();
    this.clock = undefined as unknown as InstalledClock;
  }
}

/** What a call made by a process that was killed meanwhile rejects with. */
class ProcessKilled extends Error {
  override readonly name = 'ProcessKilled';
  constructor() {
    super('the simulated process was killed before this call returned');
  }
}

const states = new WeakMap<Promise<unknown>, boolean>();
function settled(p: Promise<unknown>): boolean {
  if (!states.has(p)) {
    states.set(p, false);
    p.then(() => states.set(p, true), () => states.set(p, true));
  }
  return states.get(p)!;
}

function describe(r: InvocationRecord): string {
  return `${r.actorType}/${r.actorId}.${r.method} (${r.started ? 'started' : 'not started'}, attempt ${r.attempt}${r.waitingOn ? `, waiting on ${r.waitingOn}` : ''}${r.notBefore ? `, not before ${new Date(r.notBefore).toISOString()}` : ''})`;
}

/** The wall clock, unaffected by the virtual one. */
const hr = process.hrtime.bigint;
function realNow(): number {
  return Number(hr()) / 1e6;
}

/**
 * Creates a simulation: the real engine on a real (in-process) store, under a
 * virtual clock and a seeded scheduler.
 *
 * @example
 * const sim = await createSimulation({ seed: 42, actors: [Orders, Payments] });
 * try {
 *   await sim.send({ actorType: 'Orders', actorId: 'o1', method: 'place', args: [order] });
 *   await sim.runUntilIdle();
 * } finally {
 *   await sim.dispose();
 * }
 */
export async function createSimulation(options: SimulationOptions): Promise<Simulation> {
  const sim = new Simulation(options);
  try {
    return await sim.open();
  } catch (err) {
    await sim.dispose();
    throw err;
  }
}
