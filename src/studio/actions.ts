import type { ActorRuntime } from '../runtime/actor-runtime.js';
import type { Store } from '../ports/store.js';
import { promiseOwner } from '../ports/store.js';
import { toErrorInfo } from '../core/errors.js';
import type { ActionResponse, InvokeRequest, InvokeResponse } from './api-types.js';
import { StudioInputError, StudioNotFoundError } from './errors.js';

/** How long `call` from the form waits for the result before answering with the invocation id. */
const CALL_WAIT_MS = 30_000;

/**
 * Studio's actions. Each goes through the store's own fenced operations (or a
 * runtime's), never around them.
 */
export class StudioActions {
  constructor(private readonly store: Store, private readonly runtime: ActorRuntime | undefined) {}

  get canInvoke(): boolean {
    return this.runtime !== undefined;
  }

  async redrive(id: string): Promise<ActionResponse> {
    const rec = this.runtime ? await this.runtime.deadLetters.redrive(id).catch(() => undefined) : await this.store.redrive(id);
    if (!rec) {
      const known = await this.store.getInvocation(id);
      if (!known) throw new StudioNotFoundError(`no invocation ${id} in the store (mistyped, or finished and swept)`);
      throw new StudioInputError(`invocation ${id} is ${known.status}, not dead-lettered: only dead letters can be re-driven`);
    }
    return { ok: true, message: `re-driven: ${id} is pending again with a fresh retry budget`, invocationId: id };
  }

  async resolvePromise(id: string, outcome: { value?: unknown; error?: string }): Promise<ActionResponse> {
    const owner = id.startsWith('promise:') ? promiseOwner(id) : undefined;
    if (!owner) throw new StudioInputError(`"${id}" is not a durable promise id (promise:<invocation>#<name>)`);
    if (!(await this.store.getInvocation(owner))) throw new StudioNotFoundError(`promise ${id} belongs to invocation ${owner}, which the store does not know`);
    let first: boolean;
    if (this.runtime) {
      first = outcome.error !== undefined ? await this.runtime.rejectPromise(id, new Error(outcome.error)) : await this.runtime.resolvePromise(id, outcome.value ?? null);
    } else {
      first = await this.store.resolvePromise(outcome.error !== undefined
        ? { id, error: { name: 'Error', message: outcome.error, terminal: true } }
        : { id, valueJson: JSON.stringify(outcome.value ?? null) });
    }
    return first
      ? { ok: true, message: `${outcome.error !== undefined ? 'rejected' : 'resolved'} ${id}`, invocationId: owner }
      : { ok: false, message: `${id} was already settled; the first resolution stands`, invocationId: owner };
  }

  async invoke(req: InvokeRequest): Promise<InvokeResponse> {
    if (!this.runtime) throw new StudioInputError('this Studio has no runtime to send with; run it from `loom dev` or pass --module <worker module>');
    const msg = { actorType: req.actorType, actorId: req.actorId, method: req.method, args: req.args, ...(req.idempotencyKey ? { idempotencyKey: req.idempotencyKey } : {}) };
    const receipt = await this.runtime.send(msg);
    if (req.mode === 'send') return { invocationId: receipt.invocationId, duplicate: receipt.duplicate };
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'waiting'>((resolve) => { timer = setTimeout(() => resolve('waiting'), CALL_WAIT_MS); });
    try {
      const outcome = await Promise.race([this.runtime.result(receipt.invocationId).then((result) => ({ result })), timeout]);
      if (outcome === 'waiting') return { invocationId: receipt.invocationId, duplicate: receipt.duplicate };
      return { invocationId: receipt.invocationId, duplicate: receipt.duplicate, result: outcome.result ?? null };
    } catch (err) {
      return { invocationId: receipt.invocationId, duplicate: receipt.duplicate, error: toErrorInfo(err) };
    } finally {
      clearTimeout(timer);
    }
  }
}
