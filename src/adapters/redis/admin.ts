import type { ErrorInfo } from '../../core/errors.js';
import { promiseOwner, type InvocationRecord, type JournalEntry, type NewInvocation } from '../../ports/store.js';
import { isPendingSleep, type ActorQueue, type ActorQueueRead, type AdminWriteOutcome, type RecordsRead, type StoreAdmin, type StoreFilter, type StoreQuery } from '../../ports/admin.js';
import { decodeInvocation, decodeJournal, insertSpec, pairs } from './codec.js';
import type { RedisConnection } from './connection.js';
import { actorMember, KIND, stateKey } from './keys.js';
import { ADMIN_QUEUES } from './scripts/admin-queues.js';
import { ADMIN_BACKFILL, ADMIN_CANCEL, ADMIN_PURGE, ADMIN_RESTART, ADMIN_RETRY, ADMIN_SCAN, ADMIN_SET_STATE } from './scripts/admin.js';

const SCRIPTS = {
  loomAdminScan: { lua: ADMIN_SCAN, readOnly: true },
  loomAdminQueues: { lua: ADMIN_QUEUES, readOnly: true },
  loomAdminCancel: { lua: ADMIN_CANCEL },
  loomAdminRetry: { lua: ADMIN_RETRY },
  loomAdminPurge: { lua: ADMIN_PURGE },
  loomAdminRestart: { lua: ADMIN_RESTART },
  loomAdminSetState: { lua: ADMIN_SET_STATE },
  loomAdminBackfill: { lua: ADMIN_BACKFILL },
} as const;

/** Candidates one scan script tests before it yields to other clients. */
const BUDGET = 5000;

type QueuesReply = [size: number, ahead: number[], oldest: string[][], complete: '0' | '1'][];
type ScanReply = [matches: string[][] | number, last: string, ended: '0' | '1'];

/**
 * The Redis store's admin capability. Queries read the sorted-set indexes the
 * commit scripts keep (scripts/admin-index.ts), in bounded script calls; every
 * write is one Lua script, atomic with respect to the turns' commit scripts.
 */
export class RedisAdmin implements StoreAdmin {
  private defined = false;

  constructor(private readonly conn: RedisConnection) {}

  private call(name: keyof typeof SCRIPTS, ...args: string[]): Promise<unknown> {
    const client = this.conn.client;
    if (!this.defined) {
      for (const [n, def] of Object.entries(SCRIPTS)) client.defineCommand(n, { numberOfKeys: 0, ...def });
      this.defined = true;
    }
    const fn = (client as unknown as Record<string, (...a: string[]) => Promise<unknown>>)[name]!;
    return fn.call(client, this.conn.luaPrefix, ...args);
  }

  /**
   * Indexes invocations written before the admin indexes existed, once per
   * prefix (the marker `idx:built`). Safe to run from several processes at once.
   */
  async backfill(): Promise<void> {
    const client = this.conn.client;
    const marker = this.conn.prefix + 'idx:built';
    if (await this.conn.run('checking the admin indexes', () => client.exists(marker))) return;
    const pattern = `${this.conn.luaPrefix}inv:*`;
    const strip = this.conn.luaPrefix.length + 'inv:'.length;
    let cursor = '0';
    await this.conn.run('building the admin indexes', async () => {
      do {
        const [next, keys] = await client.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
        cursor = next;
        if (keys.length > 0) await this.call('loomAdminBackfill', ...keys.map((k) => k.slice(strip)));
      } while (cursor !== '0');
      await client.set(marker, '1');
    });
  }

  private scan(filter: StoreFilter, limit: number, newest: boolean, after: string, counting: boolean): Promise<ScanReply> {
    return this.conn.run('admin query', () => this.call('loomAdminScan', JSON.stringify(filter), String(limit), newest ? '1' : '0', after, String(BUDGET), counting ? '1' : '0')) as Promise<ScanReply>;
  }

  async listInvocations(q: StoreQuery): Promise<InvocationRecord[]> {
    const out: InvocationRecord[] = [];
    let after = q.afterSeq === undefined ? '' : String(q.afterSeq);
    for (;;) {
      const [matches, last, ended] = await this.scan(q.filter, q.limit - out.length, q.newest, after, false);
      for (const f of matches as string[][]) out.push(decodeInvocation(pairs(f)));
      if (out.length >= q.limit || ended === '1') return out;
      after = last;
    }
  }

  async countInvocations(filter: StoreFilter): Promise<number> {
    let n = 0;
    let after = '';
    for (;;) {
      const [count, last, ended] = await this.scan(filter, 0, false, after, true);
      n += Number(count);
      if (ended === '1') return n;
      after = last;
    }
  }

  /** Every actor's queue in one script call; an actor whose oldest ran past the budget is read again by `listInvocations`. */
  async readQueues(actors: ActorQueueRead[], headRead: number): Promise<ActorQueue[]> {
    const input = JSON.stringify(actors.map((a) => [a.actorType, a.actorId, a.seqs.map(String)]));
    const reply = (await this.conn.run('admin queue read', () => this.call('loomAdminQueues', input, String(headRead), String(BUDGET)))) as QueuesReply;
    return Promise.all(
      reply.map(async ([size, ahead, oldest, complete], i) => {
        const a = actors[i]!;
        const records = complete === '1'
          ? oldest.map((f) => decodeInvocation(pairs(f)))
          : await this.listInvocations({ filter: { actorType: a.actorType, actorId: a.actorId, statuses: ['pending'] }, limit: headRead, newest: false });
        return { oldest: records, size: Number(size), ahead: ahead.map(Number) };
      }),
    );
  }

  /** The invocations' hashes and the journals asked for, in one pipeline: one round trip. */
  async readRecords(ids: string[], sleepsOf: string[]): Promise<RecordsRead> {
    const replies = await this.conn.run('admin record read', async () => {
      const p = this.conn.client.pipeline();
      for (const id of ids) p.hgetall(this.conn.prefix + KIND.inv + id);
      for (const id of sleepsOf) p.hvals(this.conn.prefix + KIND.journal + id);
      const out = (await p.exec()) ?? [];
      for (const [err] of out) if (err) throw err;
      return out.map(([, v]) => v);
    });
    return {
      records: ids.map((_, i) => {
        const f = replies[i] as Record<string, string>;
        return Object.keys(f).length === 0 ? undefined : decodeInvocation(f);
      }),
      sleeps: sleepsOf.map((_, i) => decodeJournal(replies[ids.length + i] as string[]).filter(isPendingSleep)),
    };
  }

  async cancel(id: string, error: ErrorInfo): Promise<AdminWriteOutcome> {
    const rec = await this.conn.run(`reading invocation ${id}`, () => this.conn.client.hget(this.conn.prefix + 'inv:' + id, 'replyTo'));
    const resolution = rec ? JSON.stringify({ id: rec, error }) : '';
    const owner = rec ? promiseOwner(rec) ?? '' : '';
    return this.conn.run(`cancelling invocation ${id}`, () => this.call('loomAdminCancel', id, JSON.stringify(error), resolution, owner)) as Promise<AdminWriteOutcome>;
  }

  async retryNow(id: string, options: { wakeSleep?: boolean } = {}): Promise<AdminWriteOutcome> {
    return this.conn.run(`retrying invocation ${id}`, () => this.call('loomAdminRetry', id, options.wakeSleep ? '1' : '0')) as Promise<AdminWriteOutcome>;
  }

  async purge(id: string): Promise<AdminWriteOutcome> {
    return this.conn.run(`purging invocation ${id}`, () => this.call('loomAdminPurge', id)) as Promise<AdminWriteOutcome>;
  }

  async enqueueWithJournal(inv: NewInvocation, journal: JournalEntry[]): Promise<AdminWriteOutcome> {
    const entries = journal.flatMap((e) => [String(e.seq), JSON.stringify(e)]);
    return this.conn.run(`restarting as invocation ${inv.id}`, () => this.call('loomAdminRestart', JSON.stringify(insertSpec(inv)), ...entries)) as Promise<AdminWriteOutcome>;
  }

  async setState(actorType: string, actorId: string, stateJson: string, expectedVersion: number): Promise<{ outcome: 'ok' | 'conflict'; version: number }> {
    const [outcome, version] = (await this.conn.run(`editing the state of ${actorType}/${actorId}`, () =>
      this.call('loomAdminSetState', stateKey(actorType, actorId), actorMember(actorType, actorId), actorType, actorId, stateJson, String(expectedVersion)),
    )) as ['ok' | 'conflict', number];
    return { outcome, version: Number(version) };
  }
}
