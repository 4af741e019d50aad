// Process management and message driving for the cluster tests and bench:
// worker processes (spawn, SIGKILL, SIGSTOP/SIGCONT, SIGTERM), the producer
// runtime (a send-only ActorRuntime on the same store), and polling helpers.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ActorRuntime, type Logger, type SendReceipt, type CallMessage } from '../../src/index.js';
import { Steps } from '../../bench/actors.js';
import { Counter, SlowCounter } from './actors.js';
import { createStore, createTransport, serviceUrls, urlEnv, sendOnly, type BackendName, type Urls } from './backends.js';

const HERE = dirname(fileURLToPath(import.meta.url));
export const ROOT = resolve(HERE, '..', '..');
const WORKER = join(HERE, 'worker.ts');

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** A fresh namespace: a PostgreSQL schema name, a RabbitMQ prefix and (with ':') a Redis prefix. */
export const newNamespace = (): string => `loom_cluster_${randomBytes(5).toString('hex')}`;

/** Every child this process started, killed on exit whatever happens. */
const children = new Set<ChildProcess>();
process.on('exit', () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
});

/** Records what a tracked child printed. */
export class WorkerProc {
  readonly lines: string[] = [];
  stderr = '';
  readonly pid: number;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private readonly listeners = new Set<(line: string) => void>();

  constructor(
    readonly label: string,
    readonly child: ChildProcess,
  ) {
    this.pid = child.pid ?? -1;
    let partial = '';
    child.stdout!.setEncoding('utf8');
    child.stdout!.on('data', (chunk: string) => {
      partial += chunk;
      const parts = partial.split('\n');
      partial = parts.pop() ?? '';
      for (const line of parts) {
        this.lines.push(line);
        for (const l of this.listeners) l(line);
      }
    });
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (chunk: string) => {
      this.stderr += chunk;
      if (this.stderr.length > 200_000) this.stderr = this.stderr.slice(-100_000);
    });
    this.exited = new Promise((r) => child.on('close', (code, signal) => r({ code, signal })));
  }

  get alive(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Resolves with the first line (already printed or to come) that matches. */
  waitFor(match: (line: string) => boolean, what: string, timeoutMs = 30_000): Promise<string> {
    const seen = this.lines.find(match);
    if (seen !== undefined) return Promise.resolve(seen);
    return new Promise((resolveLine, reject) => {
      const done = (fn: () => void) => {
        clearTimeout(timer);
        this.listeners.delete(listener);
        fn();
      };
      const listener = (line: string) => {
        if (match(line)) done(() => resolveLine(line));
      };
      const timer = setTimeout(() => done(() => reject(new Error(`${this.label} (pid ${this.pid}): no ${what} within ${timeoutMs} ms\n${this.describe()}`))), timeoutMs);
      this.listeners.add(listener);
      void this.exited.then(({ code, signal }) => {
        if (this.listeners.has(listener)) done(() => reject(new Error(`${this.label} (pid ${this.pid}) exited (code ${code}, signal ${signal}) before ${what}\n${this.describe()}`)));
      });
    });
  }

  describe(): string {
    return `  stdout tail: ${this.lines.slice(-10).join(' | ')}\n  stderr tail: ${this.stderr.slice(-3000)}`;
  }
}

/** The worker processes of one test, on one backend and namespace. */
export class Cluster {
  readonly all: WorkerProc[] = [];
  private readonly env: Record<string, string>;

  constructor(
    readonly backend: BackendName,
    readonly ns: string,
    opts: { urls?: Partial<Urls>; env?: Record<string, string> } = {},
  ) {
    this.env = { ...urlEnv(serviceUrls(opts.urls)), ...opts.env };
  }

  /**
   * Starts a worker and resolves once it printed `ready`, or rejects when it exits first.
   * `readyWithinMs` only bounds a worker that hangs: on a loaded machine a start (tsx,
   * connections, queue declarations, leases) can take far longer than usual, so callers
   * pass what is left of their test's own budget.
   */
  async spawn(role = 'worker', readyWithinMs = 120_000): Promise<WorkerProc> {
    const w = this.start(role);
    await w.waitFor((l) => l.startsWith('ready '), 'ready line', readyWithinMs);
    return w;
  }

  /** Starts a worker without waiting for it. */
  start(role = 'worker'): WorkerProc {
    const child = spawn(process.execPath, ['--import', 'tsx', WORKER, this.backend, this.ns, role], {
      cwd: ROOT,
      env: { ...process.env, ...this.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.add(child);
    child.on('close', () => children.delete(child));
    const w = new WorkerProc(`${role}#${this.all.length}`, child);
    this.all.push(w);
    return w;
  }

  live(): WorkerProc[] {
    return this.all.filter((w) => w.alive);
  }

  /** SIGKILL, and wait for the process to be gone. */
  async kill9(w: WorkerProc): Promise<void> {
    w.child.kill('SIGKILL');
    await w.exited;
  }

  /** SIGTERM every live worker (SIGCONT first for stopped ones); SIGKILL what is left after `graceMs`. */
  async shutdown(graceMs = 8_000): Promise<void> {
    const live = this.live();
    for (const w of live) {
      w.child.kill('SIGCONT');
      w.child.kill('SIGTERM');
    }
    const timer = setTimeout(() => {
      for (const w of live) if (w.alive) w.child.kill('SIGKILL');
    }, graceMs);
    await Promise.all(live.map((w) => w.exited));
    clearTimeout(timer);
  }

  /** Every line of every worker that matches, with its worker. */
  grep(match: (line: string) => boolean): { w: WorkerProc; line: string }[] {
    return this.all.flatMap((w) => w.lines.filter(match).map((line) => ({ w, line })));
  }

  describe(): string {
    return this.all.map((w) => `${w.label} pid ${w.pid} ${w.alive ? 'alive' : `exited ${String(w.child.exitCode ?? w.child.signalCode)}`}\n${w.describe()}`).join('\n');
  }
}

export const quietLogger: Logger = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };

/** A logger that keeps what it was told, for diagnostics. */
export function keepingLogger(label: string): Logger & { lines: string[] } {
  const lines: string[] = [];
  const keep = (m: string) => {
    lines.push(`${label}: ${m}`);
    if (lines.length > 500) lines.shift();
  };
  return { lines, debug: () => {}, info: () => {}, warn: keep, error: keep };
}

/**
 * The test's own runtime: on the same store (and transport) as the workers,
 * registering the same types, but send-only: it never joins the members nor
 * takes a lease (see `sendOnly`), so every partition stays with the workers.
 */
export async function startProducer(backend: BackendName, ns: string, opts: { urls?: Partial<Urls>; logger?: Logger } = {}): Promise<ActorRuntime> {
  const u = serviceUrls(opts.urls);
  const logger = opts.logger ?? quietLogger;
  const store = sendOnly(await createStore(backend, ns, logger, u));
  const transport = await createTransport(backend, ns, logger, u);
  const rt = new ActorRuntime({
    store,
    ...(transport ? { transport } : {}),
    partitions: 64,
    workerId: `producer:${process.pid}`,
    leaseTtlMs: 1500,
    pollIntervalMs: 1000,
    sweepIntervalMs: 3_600_000,
    logger,
  });
  rt.register(Counter).register(SlowCounter).register(Steps);
  await rt.start();
  if (rt.partitions.length !== 0) throw new Error(`the producer took ${rt.partitions.length} partitions; it must own none`);
  return rt;
}

/**
 * Sends with the same idempotency key until the store accepts it (a failed
 * send enqueued nothing, or enqueued it and the retry is answered as a duplicate).
 */
export async function sendRetrying(rt: ActorRuntime, msg: CallMessage, stats: { retries: number }, deadlineMs = 120_000): Promise<SendReceipt> {
  const until = Date.now() + deadlineMs;
  for (;;) {
    try {
      return await rt.send(msg);
    } catch (err) {
      if (Date.now() > until) throw err;
      stats.retries++;
      await sleep(100);
    }
  }
}

export interface SendPlan {
  n: number;
  message: (i: number) => CallMessage;
  /** Sends in flight at once. */
  concurrency: number;
  /** Messages per second at most (paces the run); default unpaced. */
  ratePerSec?: number;
}

export interface SendOutcome {
  receipts: SendReceipt[];
  retries: number;
  duplicates: number;
  ms: number;
}

/** Sends `n` messages, `concurrency` at a time, optionally paced, retrying failed sends under the same key. */
export async function sendAll(rt: ActorRuntime, plan: SendPlan, progress?: { sent: number }): Promise<SendOutcome> {
  const receipts = new Array<SendReceipt>(plan.n);
  const stats = { retries: 0 };
  const t0 = Date.now();
  let next = 0;
  const lane = async () => {
    for (let i = next++; i < plan.n; i = next++) {
      if (plan.ratePerSec) {
        const due = t0 + (i * 1000) / plan.ratePerSec;
        if (due > Date.now()) await sleep(due - Date.now());
      }
      receipts[i] = await sendRetrying(rt, plan.message(i), stats);
      if (progress) progress.sent++;
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(plan.concurrency, plan.n)) }, lane));
  return { receipts, retries: stats.retries, duplicates: receipts.filter((r) => r.duplicate).length, ms: Date.now() - t0 };
}

/**
 * Polls `pending()` until it reads 0 after `sent()` is true. Fails when the
 * count has not moved for `stallMs` (a hang) or `timeoutMs` is over.
 */
export async function waitDrained(
  pending: () => Promise<number>,
  opts: { sent: () => boolean; timeoutMs: number; stallMs: number; what: string; diagnose: () => string; everyMs?: number },
): Promise<void> {
  const end = Date.now() + opts.timeoutMs;
  let last = -1;
  let lastChange = Date.now();
  let lastError: string;
  for (;;) {
    let n = -1;
    // Read before the count: a count of 0 means drained only if every send had been accepted when it was taken.
    const allSent = opts.sent();
    try {
      n = await pending();
      lastError = '';
    } catch (err) {
      lastError = (err as Error).message; // the backend may be restarting: keep polling
    }
    if (n === 0 && allSent) return;
    if (n !== last) {
      last = n;
      lastChange = Date.now();
    }
    if (Date.now() - lastChange > opts.stallMs) {
      throw new Error(`${opts.what}: ${n} invocation(s) still pending, no progress for ${opts.stallMs} ms${lastError ? ` (last read error: ${lastError})` : ''}\n${opts.diagnose()}`);
    }
    if (Date.now() > end) throw new Error(`${opts.what}: ${n} still pending after ${opts.timeoutMs} ms\n${opts.diagnose()}`);
    await sleep(opts.everyMs ?? 100);
  }
}

/** Runs `fn` over `items`, `concurrency` at a time. */
export async function mapLimit<T, R>(items: readonly T[], concurrency: number, fn: (x: T, i: number) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.max(1, Math.min(concurrency, items.length)) }, async () => {
      for (let i = next++; i < items.length; i = next++) out[i] = await fn(items[i]!, i);
    }),
  );
  return out;
}

/** Percentile by nearest rank. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length))) - 1]!;
}

/** The id a worker holds leases under: its workerId option, `<role>:<pid>` (see worker.ts). */
export const workerId = (w: WorkerProc): string => `${w.label.split('#')[0]}:${w.pid}`;

/** Waits until the live leases are held by exactly these workers, `PARTITIONS / n` each (± 1). */
export async function waitBalanced(rt: ActorRuntime, owners: string[], timeoutMs = 30_000): Promise<void> {
  const PARTITIONS = 64;
  const end = Date.now() + timeoutMs;
  for (;;) {
    const now = await rt.store.now();
    const held = (await rt.store.leases.list()).filter((l) => l.expiresAt > now);
    const by = new Map<string, number>();
    for (const l of held) by.set(l.owner, (by.get(l.owner) ?? 0) + 1);
    const base = Math.floor(PARTITIONS / owners.length);
    const ok =
      held.length === PARTITIONS &&
      by.size === owners.length &&
      owners.every((o) => {
        const n = by.get(o) ?? 0;
        return n === base || n === base + 1;
      });
    if (ok) return;
    if (Date.now() > end) throw new Error(`partitions not balanced over ${owners.join(', ')} within ${timeoutMs} ms: ${JSON.stringify(Object.fromEntries(by))}`);
    await sleep(100);
  }
}
