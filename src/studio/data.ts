import type { LoomClient } from '../admin/client.js';
import type { InvocationDetail as AdminDetail, InvocationView } from '../admin/types.js';
import { displayStatus } from '../admin/queries.js';
import type { Store } from '../ports/store.js';
import { promiseOwner } from '../ports/store.js';
import type {
  ActorDetail, ActorRow, InvocationDetail, InvocationPage, InvocationQuery, TimelineEntry,
} from './api-types.js';
import { adminFilter } from './filters.js';
import { checkFilter, normalizeFilter } from '../admin/filter.js';
import { decodeCursor } from '../ports/admin.js';
import { rowOf, traceView } from './rows.js';

const parse = (json: string | undefined): unknown => (json === undefined ? undefined : JSON.parse(json));

/**
 * Studio's reads, one method per view, through the admin API (`LoomClient`).
 * Stores without the admin capability still show dead letters, invocations,
 * actors and partitions; the UI says what else needs it.
 */
export class StudioData {
  constructor(private readonly store: Store, readonly client: LoomClient) {}

  get hasAdmin(): boolean {
    return this.store.admin !== undefined;
  }

  async invocations(q: InvocationQuery): Promise<InvocationPage> {
    const filter = adminFilter(q); // refuses a bad filter on every store
    if (!this.hasAdmin) {
      if (q.tab !== 'dead' && q.status !== 'dead') return { items: [], unsupported: [`the store ${this.store.constructor.name} has no admin queries: only dead letters can be listed`] };
      const dead = await this.client.listDeadLetters({ limit: q.limit ?? 50, ...(q.actorType ? { actorType: q.actorType } : {}) });
      return { items: dead.map(rowOf) };
    }
    const page = await this.client.listInvocations({ filter, limit: q.limit ?? 50, ...(q.cursor ? { cursor: q.cursor } : {}) });
    return { items: page.items.map(rowOf), ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}) };
  }

  /**
   * One store query whose answer changes when the page would: the page's records
   * as stored, without the waiting reasons (which cost a query or two each).
   */
  async probeInvocations(q: InvocationQuery): Promise<string | undefined> {
    const admin = this.store.admin;
    if (!admin) return undefined;
    const f = adminFilter(q);
    const waiting = checkFilter(f);
    const filter = normalizeFilter(f);
    if (waiting) filter.statuses = (filter.statuses ?? ['pending']).filter((s) => s === 'pending');
    const after = q.cursor ? decodeCursor(q.cursor) : undefined;
    const recs = await admin.listInvocations({ filter, limit: q.limit ?? 50, newest: true, ...(after !== undefined ? { afterSeq: after } : {}) });
    return recs.map((r) => `${r.id}:${r.status}:${r.updatedAt}:${r.attempt}`).join(',');
  }

  /** How many invocations match: asked once per filter, not on every live refresh. */
  async count(q: InvocationQuery): Promise<number | undefined> {
    return this.hasAdmin ? this.client.countInvocations(adminFilter(q)) : undefined;
  }

  /** One invocation, its journal as a timeline, its caller and callees, its trace events. */
  async invocation(id: string): Promise<InvocationDetail | undefined> {
    const detail = await this.detail(id);
    if (!detail) return undefined;
    const rec = detail.record;
    const timeline = detail.journal.map((e): TimelineEntry => {
      const t: TimelineEntry = { position: e.position, kind: e.kind, name: e.name, status: e.status };
      if (e.valueJson !== undefined) {
        t.resultSize = e.resultBytes;
        t.value = parse(e.valueJson);
      }
      if (e.error) t.error = e.error;
      if (e.kind === 'call') t.ref = { invocationId: `${rec.id}:c${e.position}`, promiseId: `call:${rec.id}:c${e.position}` };
      if (e.kind === 'send') t.ref = { invocationId: `${rec.id}:s${e.position}` };
      if (e.kind === 'promise') t.ref = { promiseId: `promise:${rec.id}#${e.name}` };
      return t;
    });
    const traces = this.store.traces ? (await this.store.traces.readTraces({ invocationId: id, limit: 500 })).map(traceView) : [];
    const inv: InvocationDetail['invocation'] = { ...rowOf(detail), partition: rec.partition, args: parse(rec.argsJson) };
    if (rec.resultJson !== undefined) inv.result = parse(rec.resultJson);
    if (rec.notBefore !== undefined) inv.notBefore = rec.notBefore;
    if (rec.waitingOn !== undefined) inv.waitingOn = rec.waitingOn;
    if (rec.replyTo !== undefined) inv.replyTo = rec.replyTo;
    if (rec.meta !== undefined) inv.meta = rec.meta;
    if (rec.expiresAt !== undefined) inv.expiresAt = rec.expiresAt;
    const pending = rec.status === 'pending';
    const waitingPromise = pending && rec.waitingOn?.startsWith('promise:') ? rec.waitingOn : undefined;
    const out: InvocationDetail = {
      invocation: inv,
      timeline,
      journalKept: rec.status === 'pending' || rec.status === 'dead',
      callees: timeline.flatMap((t) => (t.kind === 'call' && t.ref?.invocationId ? [t.ref.invocationId] : [])),
      traces,
      actions: {
        cancel: pending && this.hasAdmin,
        retryNow: pending && this.hasAdmin,
        redrive: rec.status === 'dead',
        restart: this.hasAdmin && timeline.length > 0,
        ...(waitingPromise ? { resolvePromise: waitingPromise } : {}),
      },
    };
    const caller = rec.replyTo ? promiseOwner(rec.replyTo) : undefined;
    if (caller) out.caller = caller;
    return out;
  }

  private async detail(id: string): Promise<AdminDetail | undefined> {
    if (this.hasAdmin) {
      try {
        return await this.client.getInvocation(id);
      } catch (err) {
        if ((err as { code?: string }).code === 'LOOM_NOT_FOUND') return undefined;
        throw err;
      }
    }
    // Without the admin capability: the record and journal as stored, with no waiting reason.
    const record = await this.store.getInvocation(id);
    if (!record) return undefined;
    const journal = record.status === 'completed' ? [] : await this.store.loadJournal(id);
    const view: InvocationView = { record, status: displayStatus(record) };
    return {
      ...view,
      journal: journal.map((e) => ({ position: e.seq, kind: e.kind, name: e.name, status: e.status, resultBytes: e.valueJson ? Buffer.byteLength(e.valueJson) : 0, ...(e.valueJson !== undefined ? { valueJson: e.valueJson } : {}), ...(e.error ? { error: e.error } : {}) })),
    };
  }

  async actors(actorType: string | undefined, limit: number): Promise<ActorRow[]> {
    const rows = await this.client.listActors({ limit: Math.min(Math.max(limit, 1), 500), ...(actorType ? { actorType } : {}) });
    return rows.map((s) => ({ actorType: s.actorType, actorId: s.actorId, version: s.version, state: s.state ?? null }));
  }

  async actor(actorType: string, actorId: string): Promise<ActorDetail> {
    const st = await this.client.getState(actorType, actorId);
    const pending = this.hasAdmin ? (await this.client.listInvocations({ filter: { actorType, actorId, status: 'pending' }, limit: 20 })).items.map(rowOf) : [];
    return { actorType, actorId, version: st.version, state: st.state ?? null, exists: st.version > 0, editable: this.hasAdmin, pending };
  }
}
