import { Worker } from 'node:worker_threads';
import { availableParallelism } from 'node:os';
import type { GuestRequest, GuestResult } from './guest.js';
import type { ToWorker } from './worker.js';
import { setLongTimeout, type LongTimer } from '../core/timers.js';

/** Answers a guest's `loom.call` on the host side; rejects to fail the call. */
export type AsyncHostCall = (name: string, argJson: string) => Promise<string>;

/** A module as the pool ships it to workers. */
export interface PoolModule {
  /** Content hash: equal bytes share one compiled module per worker. */
  id: string;
  module: WebAssembly.Module;
}

interface Task {
  mod: PoolModule;
  req: GuestRequest;
  timeoutMs: number;
  hostCall: AsyncHostCall | undefined;
  resolve: (r: GuestResult) => void;
}

interface Slot {
  worker: Worker;
  ready: boolean;
  loaded: Set<string>;
  ctrl: Int32Array;
  data: Uint8Array;
  task?: Task;
  seq: number;
  timer?: LongTimer;
  startedAt: number;
}

const HOST_REPLY_BYTES = 1024 * 1024;
const encoder = new TextEncoder();

/**
 * Warm worker threads that run guest calls, one at a time each. A call past its
 * deadline is ended from outside: its worker is terminated and replaced, and the
 * call fails with `timeout`. A worker that dies for any other reason fails its
 * call with `resource_limit` and is replaced too. Idle workers do not keep the
 * process alive.
 */
export class WorkerPool {
  private readonly slots: Slot[] = [];
  private readonly queue: Task[] = [];
  private closed = false;
  private seq = 0;
  private referenced = false;

  constructor(
    readonly size: number = defaultPoolSize(),
    private readonly stackKiB = 512,
  ) {
    for (let i = 0; i < size; i++) this.slots.push(this.spawn());
  }

  /** Runs one guest call; never rejects: failures come back as a failed {@link GuestResult}. */
  run(mod: PoolModule, req: GuestRequest, timeoutMs: number, hostCall?: AsyncHostCall): Promise<GuestResult> {
    if (this.closed) return Promise.resolve({ ok: false, kind: 'trap', message: 'the worker pool is closed', logs: [] });
    return new Promise((resolve) => {
      this.queue.push({ mod, req, timeoutMs, hostCall, resolve });
      this.pump();
      this.updateRefs();
    });
  }

  /** Drops a module from every worker's cache. */
  unload(moduleId: string): void {
    for (const s of this.slots) {
      if (s.loaded.delete(moduleId)) s.worker.postMessage({ t: 'unload', moduleId } satisfies ToWorker);
    }
  }

  /** Workers that are started (busy or not). */
  get started(): number {
    return this.slots.filter((s) => s.ready).length;
  }

  /** Workers that are started and idle. */
  get idle(): number {
    return this.slots.filter((s) => s.ready && !s.task).length;
  }

  /** Terminates every worker; queued calls fail. */
  async close(): Promise<void> {
    this.closed = true;
    for (const t of this.queue.splice(0)) t.resolve({ ok: false, kind: 'trap', message: 'the worker pool was closed', logs: [] });
    await Promise.all(this.slots.map((s) => this.retire(s, 'the worker pool was closed')));
  }

  private pump(): void {
    for (const slot of this.slots) {
      if (this.queue.length === 0) return;
      if (!slot.ready || slot.task) continue;
      this.dispatch(slot, this.queue.shift()!);
    }
  }

  private dispatch(slot: Slot, task: Task): void {
    slot.task = task;
    slot.seq = ++this.seq;
    slot.startedAt = performance.now();
    const msg: ToWorker = { t: 'run', seq: slot.seq, moduleId: task.mod.id, req: task.req };
    if (!slot.loaded.has(task.mod.id)) {
      msg.module = task.mod.module;
      slot.loaded.add(task.mod.id);
    }
    slot.timer = setLongTimeout(() => this.kill(slot, 'timeout', `the call ran past its deadline of ${task.timeoutMs} ms; its worker was terminated`), task.timeoutMs);
    slot.worker.postMessage(msg);
  }

  private finish(slot: Slot, result: GuestResult): void {
    const task = slot.task;
    if (!task) return;
    slot.timer?.clear();
    slot.task = undefined;
    result.elapsedMs = performance.now() - slot.startedAt;
    task.resolve(result);
    this.pump();
    this.updateRefs();
  }

  private kill(slot: Slot, kind: 'timeout' | 'resource_limit', message: string): void {
    const task = slot.task;
    slot.task = undefined;
    slot.timer?.clear();
    void this.retire(slot, message);
    const i = this.slots.indexOf(slot);
    if (i >= 0 && !this.closed) this.slots[i] = this.spawn();
    task?.resolve({ ok: false, kind, message, logs: [], elapsedMs: performance.now() - slot.startedAt });
    this.updateRefs();
  }

  /** Workers keep the process alive only while there is work: a pending call must not be dropped at exit. */
  private updateRefs(): void {
    const busy = this.queue.length > 0 || this.slots.some((s) => s.task);
    if (busy === this.referenced) return;
    this.referenced = busy;
    for (const s of this.slots) {
      if (busy) s.worker.ref();
      else s.worker.unref();
    }
  }

  private async retire(slot: Slot, why: string): Promise<void> {
    slot.ready = false;
    slot.worker.removeAllListeners();
    slot.worker.on('error', () => {});
    const task = slot.task;
    slot.task = undefined;
    slot.timer?.clear();
    task?.resolve({ ok: false, kind: 'trap', message: why, logs: [] });
    // Wake a thread blocked on a host call so terminate() is not left waiting on it.
    Atomics.store(slot.ctrl, 0, 2);
    Atomics.notify(slot.ctrl, 0);
    await slot.worker.terminate().catch(() => 0);
  }

  private spawn(): Slot {
    const shared = new SharedArrayBuffer(8 + HOST_REPLY_BYTES);
    const worker = startWorker({ shared }, this.stackKiB);
    const slot: Slot = { worker, ready: false, loaded: new Set(), ctrl: new Int32Array(shared, 0, 2), data: new Uint8Array(shared, 8), seq: 0, startedAt: 0 };
    worker.on('message', (m: { t: string; seq?: number; result?: GuestResult; name?: string; argJson?: string }) => {
      if (m.t === 'ready') {
        slot.ready = true;
        this.pump();
      } else if (m.t === 'done' && m.seq === slot.seq) this.finish(slot, m.result!);
      else if (m.t === 'host' && m.seq === slot.seq) this.answerHost(slot, m.seq, m.name!, m.argJson!);
    });
    worker.on('error', (err: Error) => this.kill(slot, 'resource_limit', `the guest's worker died: ${err.message}`));
    worker.on('exit', () => {
      if (slot.ready || slot.task) this.kill(slot, 'resource_limit', "the guest's worker exited unexpectedly");
    });
    // After the listeners: adding a message listener references the worker's port again.
    if (!this.referenced) worker.unref();
    return slot;
  }

  private answerHost(slot: Slot, seq: number, name: string, argJson: string): void {
    const call = slot.task?.hostCall;
    const reply = (status: 1 | 2 | 3, text: string): void => {
      if (slot.seq !== seq || !slot.task) return;
      let bytes = encoder.encode(text);
      if (bytes.length > slot.data.length) {
        status = 3;
        bytes = encoder.encode(`host function ${name} returned ${bytes.length} bytes, over the ${slot.data.length} a host call can carry`);
      }
      slot.data.set(bytes);
      Atomics.store(slot.ctrl, 1, bytes.length);
      Atomics.store(slot.ctrl, 0, status);
      Atomics.notify(slot.ctrl, 0);
    };
    if (!call) {
      reply(3, `no host functions are granted to this guest (it called ${name})`);
      return;
    }
    call(name, argJson).then(
      (out) => reply(1, out),
      (err: unknown) => reply(isTerminal(err) ? 3 : 2, err instanceof Error ? err.message : String(err)),
    );
  }
}

function isTerminal(err: unknown): boolean {
  return err instanceof Error && ((err as { unrecoverable?: boolean }).unrecoverable === true || err.name === 'TerminalError' || err.name === 'StepFailedError');
}

function startWorker(workerData: unknown, stackKiB: number): Worker {
  const here = import.meta.url;
  const resourceLimits = { stackSizeMb: stackKiB / 1024, maxOldGenerationSizeMb: 64, maxYoungGenerationSizeMb: 16 };
  if (here.endsWith('.ts')) {
    // Running from source (tests under tsx): the worker registers tsx itself before loading the .ts entry.
    const url = new URL('./worker.ts', here).href;
    const code = `import('tsx/esm/api').then((m) => { m.register(); return import(${JSON.stringify(url)}); })`;
    return new Worker(code, { eval: true, workerData, resourceLimits });
  }
  return new Worker(new URL('./worker.js', here), { workerData, resourceLimits });
}

/** Two workers at least, four at most, one per core between. */
export function defaultPoolSize(): number {
  return Math.max(2, Math.min(4, availableParallelism()));
}

const shared = new Map<number, WorkerPool>();

/** The process-wide pool for a stack size, started on first use. */
export function sharedPool(stackKiB: number): WorkerPool {
  let pool = shared.get(stackKiB);
  if (!pool) shared.set(stackKiB, (pool = new WorkerPool(defaultPoolSize(), stackKiB)));
  return pool;
}
