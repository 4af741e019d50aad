// Entry of a pool worker thread: runs guests one call at a time. The host kills
// and replaces this thread when a call passes its deadline, so nothing here needs
// to (or could) interrupt a guest.
import { parentPort, workerData } from 'node:worker_threads';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { GuestAbort, runGuest, setDroppedMemoryHook, type GuestRequest } from './guest.js';

/** Messages from the pool to a worker. */
export type ToWorker =
  | { t: 'run'; seq: number; moduleId: string; module?: WebAssembly.Module; req: GuestRequest }
  | { t: 'unload'; moduleId: string };

const port = parentPort!;
const { shared } = workerData as { shared: SharedArrayBuffer };
const ctrl = new Int32Array(shared, 0, 2);
const data = new Uint8Array(shared, 8);
const modules = new Map<string, WebAssembly.Module>();
const decoder = new TextDecoder();

// A grown guest memory is garbage once its call ends, but V8 may hold many before it
// collects: this thread collects at once after dropping a large one, which keeps the
// host's RSS near one capped memory per worker.
const GC_AFTER_BYTES = 4 * 1024 * 1024;
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as (() => void) | undefined;
let pendingDropped = 0;
let dropped = false;
setDroppedMemoryHook((bytes) => {
  pendingDropped += bytes;
  dropped = true;
});

port.on('message', (msg: ToWorker) => {
  if (msg.t === 'unload') {
    modules.delete(msg.moduleId);
    return;
  }
  if (msg.module) modules.set(msg.moduleId, msg.module);
  const module = modules.get(msg.moduleId);
  if (!module) {
    port.postMessage({ t: 'done', seq: msg.seq, result: { ok: false, kind: 'bad_module', message: `module ${msg.moduleId} was not loaded in this worker`, logs: [] } });
    return;
  }
  const result = runGuest(module, msg.req, (name, argJson) => {
    // A host call leaves the thread blocked until the host writes the answer into shared memory.
    Atomics.store(ctrl, 0, 0);
    port.postMessage({ t: 'host', seq: msg.seq, name, argJson });
    Atomics.wait(ctrl, 0, 0);
    const status = Atomics.load(ctrl, 0);
    const text = decoder.decode(data.slice(0, ctrl[1]));
    if (status === 1) return text;
    throw new GuestAbort('host', text, status === 3);
  });
  port.postMessage({ t: 'done', seq: msg.seq, result });
  if (dropped && pendingDropped >= GC_AFTER_BYTES && gc) {
    pendingDropped = 0;
    gc();
  }
  dropped = false;
});
port.postMessage({ t: 'ready' });
