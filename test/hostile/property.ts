// A property run that feeds generated hostile values through `call` and `send`
// beside a steady stream of good calls, on one runtime. Used by the CI test with a
// fixed seed and by scripts/soak-hostile.ts with random ones.
//
// What must hold for every generated case:
// - the process stays up (no uncaught exception or unhandled rejection);
// - every good call completes, and is applied exactly once;
// - a bad call fails alone, with a LoomError whose message is under 2 KB;
// - a call reported as not stored is never applied.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { Actor, LoomError, type ActorRuntime } from '../../src/index.js';

/** Markers applied so far, by the handlers of every runtime in this process. */
const applied = new Map<string, number>();
const record = (marker: string): void => void applied.set(marker, (applied.get(marker) ?? 0) + 1);

/** Errors that may mean the call ran (or may have): every other rejection must mean it did not. */
const MAY_HAVE_RUN = new Set(['LOOM_OUTCOME_UNKNOWN', 'LOOM_DEAD_LETTERED', 'LOOM_TIMEOUT', 'LOOM_INVOCATION_FAILED']);
const MESSAGE_LIMIT = 2048;
/** A case whose calls have not settled by then is a hang (the handler timeouts are far shorter). */
const CASE_LIMIT_MS = 30_000;

/** Values a handler throws or returns, by index: each one hostile to whoever inspects it. */
const THROWN: Array<() => unknown> = [
  () => ({ get toString() { throw new Error('toString getter'); }, get toJSON() { throw new Error('toJSON getter'); } }),
  () => Object.defineProperty(new Error('x'), 'message', { get() { throw new Error('message getter'); } }),
  () => Object.assign(new Error('x'), { message: 10n }),
  () => Object.assign(new Error('x'), { name: Symbol('n') }),
  () => new Proxy({}, { get() { throw new Error('trap'); }, ownKeys() { throw new Error('trap'); }, getPrototypeOf() { throw new Error('trap'); } }),
  () => Object.assign(new Error('big'), { code: 'X'.repeat(1_000_000) }),
  () => null,
  () => undefined,
  () => 42n,
  () => Symbol('thrown'),
];
const RETURNED: Array<() => unknown> = [
  () => ({ get then() { throw new Error('then getter'); } }),
  () => ({ then() { throw new Error('then throws'); } }),
  () => ({ then(_ok: unknown, fail: (e: unknown) => void) { fail(THROWN[0]!()); } }),
  () => 10n,
  () => ({ get x() { throw new Error('result getter'); } }),
];

export class Hostile extends Actor<{ n: number }> {
  static initialState = { n: 0 };
  static config = { retryPolicy: { maxAttempts: 2, backoff: 'fixed' as const, initialDelayMs: 5 } };
  async apply(marker: string, _extra?: unknown) {
    record(marker);
    this.state.n++;
    return marker;
  }
  async throws(kind: number) {
    throw THROWN[kind % THROWN.length]!();
  }
  returns(kind: number) {
    return RETURNED[kind % RETURNED.length]!();
  }
}

function deep(depth: number): unknown {
  let v: unknown = 1;
  for (let i = 0; i < depth; i++) v = [v];
  return v;
}
function cyclic(): unknown {
  const o: Record<string, unknown> = { a: 1 };
  o.self = o;
  return o;
}
const throwingGetter = (): unknown => Object.defineProperty({}, 'x', { enumerable: true, get() { throw new Error('getter'); } });
const throwingProxy = (): unknown => new Proxy({}, { ownKeys() { throw new Error('ownKeys trap'); }, get() { throw new Error('get trap'); } });

/** Strings hostile to a store: lone surrogates, NUL, huge, control characters. */
const hostileString = fc.oneof(
  fc.constantFrom('\uD800', 'a\uDC00b', '\u0000', 'x\u0000y', '\uFFFF', '\u2028', '🙂'.slice(0, 1), '', ' ', '\\', '"', "'; DROP TABLE x; --", '{}', '__proto__', 'constructor'),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.integer({ min: 1, max: 3 }).map((mb) => 'i'.repeat(mb * 1_000_000)),
);
const notAString = fc.oneof(fc.constantFrom<unknown>(null, 42, NaN, {}, [], true, Symbol('id'), 10n), fc.constant(undefined).map(() => throwingGetter()));

/** Values for a handler argument: some plain, most not. */
const hostileArg = fc.oneof(
  fc.jsonValue(),
  hostileString,
  fc.bigInt(),
  fc.constantFrom('cycle', 'deep', 'getter', 'proxy', 'fn', 'symbol', 'map', 'date', 'nan', 'toJSON').map((k): unknown => {
    switch (k) {
      case 'cycle': return cyclic();
      case 'deep': return deep(100_000);
      case 'getter': return throwingGetter();
      case 'proxy': return throwingProxy();
      case 'fn': return () => 1;
      case 'symbol': return Symbol('s');
      case 'map': return new Map([[1, 2]]);
      case 'date': return new Date(0);
      case 'nan': return [NaN, Infinity, undefined];
      default: return { toJSON() { throw new Error('toJSON'); } };
    }
  }),
);
const badOption = fc.constantFrom<unknown>(-1, NaN, 'abc', -Infinity, {}, [], true, '1 fortnight', 10n);

export type Case =
  | { kind: 'arg'; value: unknown; via: 'call' | 'send' }
  | { kind: 'actorId' | 'idempotencyKey'; value: unknown; via: 'call' | 'send' }
  | { kind: 'headers' | 'trace'; value: unknown; via: 'call' | 'send' }
  | { kind: 'option'; name: 'timeout' | 'delay' | 'retryPolicy'; value: unknown; via: 'call' | 'send' }
  | { kind: 'thrown' | 'returned'; index: number };

const via = fc.constantFrom<'call' | 'send'>('call', 'send');
export const hostileCase: fc.Arbitrary<Case> = fc.oneof(
  fc.record({ kind: fc.constant('arg' as const), value: hostileArg, via }),
  fc.record({ kind: fc.constantFrom('actorId' as const, 'idempotencyKey' as const), value: fc.oneof(hostileString, notAString), via }),
  fc.record({
    kind: fc.constantFrom('headers' as const, 'trace' as const),
    value: fc.oneof(
      fc.constantFrom<unknown>(10n, 'plain', 7, null).map((v) => ({ h: v })),
      fc.constant(null).map(() => ({ c: cyclic() })),
      fc.constant(null).map(() => throwingGetter()),
      fc.constant(null).map(() => throwingProxy()),
      hostileString.map((s) => ({ [s]: s })),
    ),
    via,
  }),
  fc.record({ kind: fc.constant('option' as const), name: fc.constantFrom('timeout' as const, 'delay' as const, 'retryPolicy' as const), value: badOption, via }),
  fc.record({ kind: fc.constantFrom('thrown' as const, 'returned' as const), index: fc.nat({ max: 99 }) }),
);

/** A short description of a case for failure messages, safe to print. */
export function describeCase(c: Case): string {
  const show = (v: unknown): string => {
    try {
      const s = typeof v === 'string' ? JSON.stringify(v) : typeof v === 'bigint' ? `${v}n` : typeof v;
      return s.length > 80 ? `${s.slice(0, 80)}…(${s.length})` : s;
    } catch {
      return typeof v;
    }
  };
  if ('index' in c) return `${c.kind} #${c.index}`;
  if (c.kind === 'option') return `${c.via} with ${c.name}=${show(c.value)}`;
  return `${c.via} with hostile ${c.kind} (${show(c.value)})`;
}

interface Outcome { ok: boolean; code?: string; message?: string; error?: unknown }

async function settle(p: Promise<unknown>): Promise<Outcome> {
  try {
    await p;
    return { ok: true };
  } catch (error) {
    return { ok: false, error, code: (error as { code?: string })?.code, message: (error as { message?: string })?.message };
  }
}

/** Sends the hostile case; returns its outcome and the marker its handler would record. */
async function fire(rt: ActorRuntime, c: Case): Promise<{ outcome: Outcome; marker?: string }> {
  const marker = `bad-${randomUUID()}`;
  if ('index' in c) {
    const method = c.kind === 'thrown' ? 'throws' : 'returns';
    return { outcome: await settle(rt.call({ actorType: 'Hostile', actorId: `b-${marker}`, method, args: [c.index] })) };
  }
  const msg: Record<string, unknown> = { actorType: 'Hostile', actorId: `b-${marker}`, method: 'apply', args: [marker] };
  if (c.kind === 'arg') msg.args = [marker, c.value];
  else if (c.kind === 'option') msg[c.name] = c.value;
  else msg[c.kind] = c.value;
  const run = (): Promise<unknown> => (c.via === 'call' ? rt.call(msg as never) : rt.send(msg as never));
  // A throw before the promise exists is a failure too: call it inside settle.
  return { outcome: await settle(Promise.resolve().then(run)), marker };
}

export interface PropertyOptions {
  runtime: ActorRuntime;
  seed: number;
  numRuns: number;
  /** Good calls fired beside each hostile one. */
  goodPerRun?: number;
  /** Actor ids the good calls spread over. */
  goodActors?: number;
}

/**
 * Runs the property on `runtime` (Hostile must be registered), throwing an
 * assertion error that names the seed and the case when it does not hold.
 */
export async function hostileProperty(opts: PropertyOptions): Promise<{ good: number; bad: number; rejected: number }> {
  const { runtime: rt, goodPerRun = 6, goodActors = 4 } = opts;
  const crashes: unknown[] = [];
  const onCrash = (e: unknown): void => void crashes.push(e);
  process.on('uncaughtException', onCrash);
  process.on('unhandledRejection', onCrash);
  const notStored: string[] = [];
  const sent: Array<{ marker: string; c: Case }> = [];
  let good = 0;
  let bad = 0;
  let rejected = 0;
  try {
    await fc.assert(
      fc.asyncProperty(hostileCase, async (c) => {
        const markers = Array.from({ length: goodPerRun }, () => `good-${randomUUID()}`);
        const goods = markers.map((m, i) =>
          settle(rt.call({ actorType: 'Hostile', actorId: `g${i % goodActors}`, method: 'apply', args: [m], idempotencyKey: m })),
        );
        const label = describeCase(c);
        let timer: NodeJS.Timeout | undefined;
        const stuck = new Promise<never>((_, fail) => {
          timer = setTimeout(() => fail(new assert.AssertionError({ message: `${label}: calls did not settle within ${CASE_LIMIT_MS} ms` })), CASE_LIMIT_MS);
        });
        const [hostile, ...results] = await Promise.race([Promise.all([fire(rt, c), ...goods]), stuck]).finally(() => clearTimeout(timer));
        good += goodPerRun;
        bad++;
        results.forEach((r, i) => {
          assert.ok(r.ok, `a good call beside ${label} failed: ${r.code} ${r.message?.slice(0, 300)}`);
          assert.equal(applied.get(markers[i]!), 1, `a good call beside ${label} was applied ${applied.get(markers[i]!) ?? 0} times`);
        });
        const o = hostile.outcome;
        if (!o.ok) {
          rejected++;
          assert.ok(o.error instanceof LoomError, `${label} rejected with a non-Loom error: ${String((o.error as Error)?.name)} ${String(o.message).slice(0, 200)}`);
          assert.ok((o.message ?? '').length < MESSAGE_LIMIT, `${label}: error message is ${o.message?.length} chars (limit ${MESSAGE_LIMIT})`);
          if (hostile.marker && !MAY_HAVE_RUN.has(o.code ?? '')) notStored.push(hostile.marker);
        } else if (hostile.marker) {
          sent.push({ marker: hostile.marker, c });
        }
        assert.deepEqual(crashes, [], `${label} crashed the process`);
      }),
      { seed: opts.seed, numRuns: opts.numRuns, endOnFailure: true },
    );
    // Work reported as not stored must stay unapplied, even after the pollers had time to find it.
    await new Promise((r) => setTimeout(r, 300));
    for (const m of notStored) assert.equal(applied.get(m) ?? 0, 0, `a call reported as not stored was applied (${m})`);
    for (const { marker, c } of sent) {
      if (c.kind === 'option' && c.name === 'delay') continue;
      if ('via' in c && c.via === 'call') assert.equal(applied.get(marker), 1, `${describeCase(c)} succeeded but was applied ${applied.get(marker) ?? 0} times`);
    }
    assert.deepEqual(crashes, []);
  } finally {
    process.off('uncaughtException', onCrash);
    process.off('unhandledRejection', onCrash);
  }
  return { good, bad, rejected };
}
