import { ActionNotAllowedError, InvalidFilterError, NotFoundError, StaleStateError } from './errors.js';
import { displayStatus, type AdminQueries } from './queries.js';
import type { ActorStateView, InvocationView } from './types.js';
import { InvalidMessageError, toErrorInfo } from '../core/errors.js';
import { toJson } from '../core/envelope.js';
import { newId } from '../core/ids.js';
import { CANCELLED_CODE, type AdminWriteOutcome } from '../ports/admin.js';
import { promiseOwner, type InvocationRecord, type NewInvocation, type Store } from '../ports/store.js';

/**
 * The operator's actions. Each is one atomic, conditional write of the store
 * (see `StoreAdmin`): refused with a coded error and nothing changed when the
 * invocation is not in a status that allows it.
 */
export class AdminActions {
  constructor(
    private readonly storeOf: () => Store,
    private readonly q: AdminQueries,
  ) {}

  private get store(): Store {
    return this.storeOf();
  }

  async cancel(id: string, reason = 'cancelled by an operator'): Promise<InvocationView> {
    const error = { name: 'CancelledError', code: CANCELLED_CODE, message: reason, terminal: true };
    await this.expect('cancel', id, await this.q.admin.cancel(id, error), 'only a pending invocation (queued, backing off, sleeping or suspended) can be cancelled');
    return this.view(id);
  }

  async retryNow(id: string, options: { wakeSleep?: boolean } = {}): Promise<InvocationView> {
    await this.expect('retry', id, await this.q.admin.retryNow(id, options), 'only a pending invocation can be retried now; a dead letter is redriven (loom dead-letters redrive)');
    return this.view(id);
  }

  async redrive(id: string): Promise<InvocationView> {
    const rec = await this.store.redrive(id);
    if (!rec) {
      const cur = await this.store.getInvocation(id);
      if (!cur) throw notFound(id);
      throw new ActionNotAllowedError(`cannot redrive invocation ${id}: it is ${cur.status}, not dead-lettered`, cur.status);
    }
    return this.view(id);
  }

  async purge(id: string): Promise<void> {
    await this.expect('purge', id, await this.q.admin.purge(id), 'only a finished invocation can be purged; cancel it first');
  }

  async restart(id: string, fromStep: number): Promise<InvocationView> {
    const rec = await this.store.getInvocation(id);
    if (!rec) throw notFound(id);
    if (!Number.isInteger(fromStep) || fromStep < 0) throw new InvalidFilterError(`the step to restart from must be a whole number >= 0, got ${String(fromStep)}`);
    const journal = fromStep === 0 ? [] : await this.store.loadJournal(id);
    const prefix = journal.filter((e) => e.seq < fromStep);
    if (prefix.length < fromStep) {
      throw new ActionNotAllowedError(
        `cannot restart invocation ${id} from step ${fromStep}: its journal has ${journal.length} entries${rec.status === 'completed' || rec.status === 'failed' ? ` (the journal of a ${rec.status} invocation is dropped when it ends)` : ''}; restart from a step up to ${journal.length}`,
        rec.status,
      );
    }
    const open = prefix.find((e) => e.status !== 'done');
    if (open) throw new ActionNotAllowedError(`cannot restart invocation ${id} from step ${fromStep}: entry ${open.seq} (${open.kind} ${open.name}) had not finished; restart from step ${open.seq} or earlier`, rec.status);
    const copy: NewInvocation = { id: newId(), actorType: rec.actorType, actorId: rec.actorId, method: rec.method, argsJson: rec.argsJson, partition: rec.partition, ttlMs: rec.ttlMs };
    if (rec.meta) copy.meta = rec.meta;
    const outcome = await this.q.admin.enqueueWithJournal(copy, prefix);
    if (outcome !== 'ok') throw new ActionNotAllowedError(`restarting invocation ${id} failed: ${outcome}`, rec.status);
    return this.view(copy.id);
  }

  async editState(actorType: string, actorId: string, state: unknown, expectedVersion: number): Promise<ActorStateView> {
    if (!Number.isInteger(expectedVersion) || expectedVersion < 0) throw new InvalidFilterError(`expectedVersion must be the version read with getState (a whole number >= 0), got ${String(expectedVersion)}`);
    if (typeof state !== 'object' || state === null || Array.isArray(state)) throw new InvalidMessageError(`the state of ${actorType}/${actorId} must be a JSON object, got ${Array.isArray(state) ? 'an array' : state === null ? 'null' : typeof state}`);
    const json = toJson(state, `the new state of ${actorType}/${actorId}`, 'state');
    const res = await this.q.admin.setState(actorType, actorId, json, expectedVersion);
    if (res.outcome === 'conflict') {
      throw new StaleStateError(`the state of ${actorType}/${actorId} is at version ${res.version}, not ${expectedVersion}: the actor committed since it was read. Read it again and reapply the edit.`, res.version);
    }
    return { actorType, actorId, state: JSON.parse(json) as unknown, version: res.version };
  }

  async settlePromise(id: string, outcome: { value: unknown } | { reason: unknown }): Promise<boolean> {
    const owner = typeof id === 'string' && id.startsWith('promise:') ? promiseOwner(id) : undefined;
    if (!owner) throw new InvalidMessageError(`"${String(id)}" is not a durable promise id; use the id a handler got from this.promiseId(name) (it looks like promise:<invocation>#<name>)`);
    const rec = await this.store.getInvocation(owner);
    if (!rec) throw new NotFoundError(`promise ${id} belongs to invocation ${owner}, which the store does not know (mistyped, or finished and swept)`);
    if ('value' in outcome) return this.store.resolvePromise({ id, valueJson: toJson(outcome.value === undefined ? null : outcome.value, `the value for promise ${id}`) });
    return this.store.resolvePromise({ id, error: { ...toErrorInfo(outcome.reason), terminal: true } });
  }

  private async view(id: string): Promise<InvocationView> {
    const rec: InvocationRecord | undefined = await this.store.getInvocation(id);
    if (!rec) throw notFound(id);
    return (await this.q.views([rec]))[0]!;
  }

  private async expect(action: string, id: string, outcome: AdminWriteOutcome, hint: string): Promise<void> {
    if (outcome === 'ok') return;
    if (outcome === 'not-found') throw notFound(id);
    const cur = await this.store.getInvocation(id);
    const status = cur ? displayStatus(cur) : 'gone';
    throw new ActionNotAllowedError(`cannot ${action} invocation ${id}: it is ${status}; ${hint}`, status);
  }
}

function notFound(id: string): NotFoundError {
  return new NotFoundError(`no invocation ${id} in the store (mistyped, or finished and swept after its TTL); list them with loom invocations list`);
}
