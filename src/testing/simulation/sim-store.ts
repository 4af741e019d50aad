import type { CommitResult, InvocationRecord, NewInvocation, Store, TurnWrite } from '../../ports/store.js';

/** One durable write as the simulated process made it: a store call that changes what is stored. */
export interface DurableWrite {
  /** 1-based, in the order the process made them. */
  index: number;
  method: string;
  /** What it wrote, in words: invocations, journal positions and step names. */
  describe: string;
}

/** Where a simulated process dies: just before durable write `at` reaches the store, or just after it was applied. */
export interface CrashPlan {
  at: number;
  when: 'before' | 'after';
}

const WRITES = new Set(['enqueue', 'commit', 'write', 'resolvePromise', 'redrive']);

/**
 * The store as one simulated process sees it. It counts durable writes, can
 * kill the process at one of them (from then on every call of this process
 * hangs, as a killed process's would never return), adds a seeded latency of a
 * few virtual milliseconds to each write so that the seed decides how concurrent
 * turns interleave, and reports every committed turn to `onCommitted`.
 */
export class SimStore {
  readonly writes: DurableWrite[] = [];
  dead = false;
  readonly store: Store;

  constructor(
    target: Store,
    private readonly random: () => number,
    private readonly plan: CrashPlan | undefined,
    private readonly onCrash: (w: DurableWrite) => void,
    private readonly onCommitted: (turn: TurnWrite) => void,
  ) {
    this.store = this.wrap(target, true) as Store;
  }

  private wrap(target: object, isStore: boolean): object {
    return new Proxy(target, {
      get: (t, prop, receiver) => {
        if (isStore && prop === 'immediate') return undefined; // every write goes through the wrapper
        if (isStore && prop === 'leases') return this.wrap(Reflect.get(t, prop, receiver) as object, false);
        const value = Reflect.get(t, prop, receiver) as unknown;
        if (typeof value !== 'function' || prop === 'constructor') return value;
        const name = String(prop);
        return (...args: unknown[]) => this.call(name, () => (value as (...a: unknown[]) => unknown).apply(t, args), args, isStore && WRITES.has(name));
      },
    });
  }

  private async call(name: string, run: () => unknown, args: unknown[], isWrite: boolean): Promise<unknown> {
    if (this.dead) return hang();
    if (!isWrite) {
      const result = await run();
      // Which ready actor runs first is the seed's choice (a full page keeps its order: the poller pages by it).
      if (name === 'pollPending' && Array.isArray(result) && result.length < Number(args[2])) return shuffleAcrossActors(result as InvocationRecord[], this.random);
      return result;
    }
    // A write takes 0-2 virtual ms, as the seed says: that decides how concurrent turns interleave.
    await new Promise((r) => setTimeout(r, Math.floor(this.random() * 3)));
    if (this.dead) return hang();
    const w: DurableWrite = { index: this.writes.length + 1, method: name, describe: describeWrite(name, args) };
    this.writes.push(w);
    const crash = this.plan && this.plan.at === w.index ? this.plan.when : undefined;
    if (crash === 'before') return this.die(w);
    const result = await run();
    this.observe(name, args, result);
    if (crash === 'after') return this.die(w);
    return result;
  }

  private die(w: DurableWrite): Promise<never> {
    this.dead = true;
    this.onCrash(w);
    return hang();
  }

  private observe(name: string, args: unknown[], result: unknown): void {
    let turns: TurnWrite[] = [];
    let results: CommitResult[] = [];
    if (name === 'commit') [turns, results] = [args[0] as TurnWrite[], result as CommitResult[]];
    if (name === 'write') [turns, results] = [args[1] as TurnWrite[], (result as { committed: CommitResult[] }).committed];
    turns.forEach((t, i) => {
      if (results[i]?.outcome === 'ok') this.onCommitted(t);
    });
  }
}

/** A promise that never settles: what a call made by a killed process amounts to. */
function hang(): Promise<never> {
  return new Promise<never>(() => {});
}

function describeWrite(name: string, args: unknown[]): string {
  const invs = (items: NewInvocation[]) => items.map((i) => `enqueue ${i.actorType}/${i.actorId}.${i.method}`);
  const turns = (ts: TurnWrite[]) =>
    ts.map((t) => {
      const steps = (t.journal ?? []).map((e) => `${e.kind} "${e.name}" at position ${e.seq}`).join(', ');
      const end = t.transition ? ` (${t.transition.status}${t.transition.status === 'pending' && t.transition.waitingOn ? `, waiting on ${t.transition.waitingOn}` : ''})` : '';
      return `turn of invocation ${t.invocationId}${steps ? `: ${steps}` : ''}${end}`;
    });
  if (name === 'enqueue') return invs(args[0] as NewInvocation[]).join('; ');
  if (name === 'commit') return turns(args[0] as TurnWrite[]).join('; ');
  if (name === 'write') return [...invs(args[0] as NewInvocation[]), ...turns(args[1] as TurnWrite[])].join('; ');
  if (name === 'resolvePromise') return `resolve promise ${(args[0] as { id: string }).id}`;
  return `${name} ${String(args[0])}`;
}

/** Pending invocations in an order the seed chooses, each actor's own messages kept in their order. */
export function shuffleAcrossActors(recs: InvocationRecord[], random: () => number): InvocationRecord[] {
  const byActor = new Map<string, InvocationRecord[]>();
  for (const r of recs) {
    const k = `${r.actorType}\u0000${r.actorId}`;
    byActor.set(k, [...(byActor.get(k) ?? []), r]);
  }
  const queues = [...byActor.values()];
  const out: InvocationRecord[] = [];
  while (queues.length) {
    const i = Math.floor(random() * queues.length);
    out.push(queues[i]!.shift()!);
    if (queues[i]!.length === 0) queues.splice(i, 1);
  }
  return out;
}
