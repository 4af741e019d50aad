import type { LoomClient } from '../admin/client.js';
import type { InvocationView } from '../admin/types.js';
import { toErrorInfo } from '../core/errors.js';
import type { ActionResponse, ActorDetail, InvokeRequest, InvokeResponse } from './api-types.js';
import { StudioInputError } from './errors.js';

/** How long `call` from the form waits for the result before answering with the invocation id. */
const CALL_WAIT_MS = 30_000;

const done = (message: string, v: InvocationView): ActionResponse => ({ ok: true, message, invocationId: v.record.id });

/**
 * Studio's actions: each one call of the admin API, whose writes are the
 * store's own fenced, conditional operations, never a way around them.
 */
export class StudioActions {
  constructor(private readonly client: LoomClient) {}

  async cancel(id: string): Promise<ActionResponse> {
    return done(`cancelled ${id}: its caller sees LOOM_CANCELLED`, await this.client.cancel(id, 'cancelled from Loom Studio'));
  }

  async retryNow(id: string): Promise<ActionResponse> {
    return done(`${id} runs now`, await this.client.retryNow(id, { wakeSleep: true }));
  }

  async redrive(id: string): Promise<ActionResponse> {
    const message = `re-driven: ${id} is pending again with a fresh retry budget`;
    try {
      return done(message, await this.client.redrive(id));
    } catch (err) {
      // The redrive is the store's own operation and has happened; only describing the result needs the admin capability.
      if ((err as { code?: string }).code === 'LOOM_NO_ADMIN') return { ok: true, message, invocationId: id };
      throw err;
    }
  }

  async restart(id: string, fromStep: number): Promise<ActionResponse> {
    const v = await this.client.restart(id, fromStep);
    return done(`restarted as ${v.record.id}, replaying the first ${fromStep} journal entries`, v);
  }

  async editState(actorType: string, actorId: string, state: unknown, expectedVersion: number): Promise<ActorDetail> {
    const v = await this.client.editState(actorType, actorId, state, expectedVersion);
    return { actorType, actorId, version: v.version, state: v.state ?? null, exists: true, editable: true, pending: [] };
  }

  async settlePromise(id: string, outcome: { value?: unknown; error?: string }): Promise<ActionResponse> {
    const first = outcome.error !== undefined
      ? await this.client.rejectPromise(id, new Error(outcome.error))
      : await this.client.resolvePromise(id, outcome.value ?? null);
    return first
      ? { ok: true, message: `${outcome.error !== undefined ? 'rejected' : 'resolved'} ${id}` }
      : { ok: false, message: `${id} was already settled; the first resolution stands` };
  }

  async invoke(req: InvokeRequest): Promise<InvokeResponse> {
    const msg = { actorType: req.actorType, actorId: req.actorId, method: req.method, args: req.args, ...(req.idempotencyKey ? { idempotencyKey: req.idempotencyKey } : {}) };
    const receipt = await this.client.send(msg);
    if (req.mode === 'send') return { invocationId: receipt.invocationId, duplicate: receipt.duplicate };
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'waiting'>((resolve) => { timer = setTimeout(() => resolve('waiting'), CALL_WAIT_MS); });
    try {
      const outcome = await Promise.race([this.client.result(receipt.invocationId).then((result) => ({ result })), timeout]);
      if (outcome === 'waiting') return { invocationId: receipt.invocationId, duplicate: receipt.duplicate };
      return { invocationId: receipt.invocationId, duplicate: receipt.duplicate, result: outcome.result ?? null };
    } catch (err) {
      const info = toErrorInfo(err);
      delete info.stack;
      return { invocationId: receipt.invocationId, duplicate: receipt.duplicate, error: info };
    } finally {
      clearTimeout(timer);
    }
  }
}

/** Checks a restart step number from a request. */
export function stepNumber(v: unknown): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) throw new StudioInputError(`fromStep must be a whole number >= 0 (the journal entries to keep), got ${JSON.stringify(v)}`);
  return v;
}
