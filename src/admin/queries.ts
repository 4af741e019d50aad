import { AdminUnsupportedError, NotFoundError } from './errors.js';
import { checkFilter, checkPage, checkQueryShape, normalizeFilter } from './filter.js';
import { explain, explainContext, readPage } from './waiting.js';
import type { ActorStateView, AdminFilter, AdminQuery, DisplayStatus, InvocationDetail, InvocationView, InvocationViewPage, JournalEntryView } from './types.js';
import { CANCELLED_CODE, encodeCursor, type StoreAdmin, type StoreFilter } from '../ports/admin.js';
import type { InvocationRecord, JournalEntry, StateRecord, Store } from '../ports/store.js';

/** Store pages read at most for one page of a waiting-reason filter before handing back a cursor. */
const MAX_SCANS = 20;

/** The read side of the admin API over one store. */
export class AdminQueries {
  constructor(
    private readonly storeOf: () => Store,
    private readonly isKnownType: ((actorType: string) => boolean) | undefined,
  ) {}

  private get store(): Store {
    return this.storeOf();
  }

  /** The store's admin capability, or a clear error naming the store. */
  get admin(): StoreAdmin {
    const admin = this.store.admin;
    if (!admin) throw new AdminUnsupportedError(`the store ${this.store.constructor.name} has no admin capability (store.admin); queries and actions need one`);
    return admin;
  }

  async list(query: AdminQuery = {}): Promise<InvocationViewPage> {
    checkQueryShape(query);
    const waiting = checkFilter(query.filter);
    const page = checkPage(query);
    const filter = normalizeFilter(query.filter);
    if (!waiting) {
      const records = await this.admin.listInvocations({ filter, limit: page.limit, newest: page.newest, ...(page.after !== undefined ? { afterSeq: page.after } : {}) });
      const items = await this.views(records);
      return withCursor(items, records, page.limit);
    }
    // A waiting reason is read, not stored: pending invocations are scanned page by page and explained.
    const pendingOnly: StoreFilter = { ...filter, statuses: (filter.statuses ?? ['pending']).filter((s) => s === 'pending') };
    const items: InvocationView[] = [];
    let after = page.after;
    for (let scans = 0; scans < MAX_SCANS; scans++) {
      const records = await this.admin.listInvocations({ filter: pendingOnly, limit: page.limit, newest: page.newest, ...(after !== undefined ? { afterSeq: after } : {}) });
      for (const v of await this.views(records)) {
        after = v.record.seq;
        if (v.waiting && waiting.includes(v.waiting.kind)) items.push(v);
        if (items.length === page.limit) return { items, nextCursor: encodeCursor(after) };
      }
      if (records.length < page.limit) return { items };
    }
    return after === undefined ? { items } : { items, nextCursor: encodeCursor(after) };
  }

  async count(filter: AdminFilter = {}): Promise<number> {
    const waiting = checkFilter(filter);
    if (!waiting) return this.admin.countInvocations(normalizeFilter(filter));
    let n = 0;
    let cursor: string | undefined;
    do {
      const page = await this.list({ filter, limit: 1000, order: 'oldest', ...(cursor ? { cursor } : {}) });
      n += page.items.length;
      cursor = page.nextCursor;
    } while (cursor);
    return n;
  }

  async get(id: string): Promise<InvocationDetail> {
    const rec = await this.store.getInvocation(id);
    if (!rec) throw new NotFoundError(`no invocation ${id} in the store (mistyped, or finished and swept after its TTL); list them with loom invocations list`);
    const [view] = await this.views([rec]);
    const journal = rec.status === 'completed' || rec.status === 'failed' ? [] : (await this.store.loadJournal(id)).map(journalView);
    return { ...view!, journal };
  }

  async state(actorType: string, actorId: string): Promise<ActorStateView> {
    const st = await this.store.loadState(actorType, actorId);
    return st ? stateView(st) : { actorType, actorId, state: undefined, version: 0 };
  }

  /** Views of records, each pending one with its waiting reason (leases and clock read once). */
  async views(records: InvocationRecord[]): Promise<InvocationView[]> {
    const out = records.map((record): InvocationView => ({ record, status: displayStatus(record) }));
    if (!records.some((r) => r.status === 'pending')) return out;
    const [now, leases] = await Promise.all([this.store.now(), this.store.leases.list()]);
    const ctx = explainContext({ store: this.store, admin: this.admin, now, leases, isKnownType: this.isKnownType });
    // What the page's reasons need is read for all its rows at once (a read or two, not a few per row).
    await readPage(records, ctx);
    for (const view of out) if (view.record.status === 'pending') view.waiting = explain(view.record, ctx);
    return out;
  }
}

/** Failed with `LOOM_CANCELLED` reads as cancelled. */
export function displayStatus(rec: InvocationRecord): DisplayStatus {
  return rec.status === 'failed' && rec.error?.code === CANCELLED_CODE ? 'cancelled' : rec.status;
}

export function stateView(st: StateRecord): ActorStateView {
  return { actorType: st.actorType, actorId: st.actorId, state: JSON.parse(st.stateJson) as unknown, version: st.version };
}

function journalView(e: JournalEntry): JournalEntryView {
  const v: JournalEntryView = { position: e.seq, kind: e.kind, name: e.name, status: e.status, resultBytes: e.valueJson === undefined ? 0 : Buffer.byteLength(e.valueJson) };
  if (e.valueJson !== undefined) v.valueJson = e.valueJson;
  if (e.error) v.error = e.error;
  return v;
}

function withCursor(items: InvocationView[], records: InvocationRecord[], limit: number): InvocationViewPage {
  const last = records[records.length - 1];
  return records.length === limit && last ? { items, nextCursor: encodeCursor(last.seq) } : { items };
}
