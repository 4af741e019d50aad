import type { ActorDataStore, LogBounds, LogEntry } from '../../ports/actor-data.js';
import type { Session } from './session.js';

type Guard = <T>(op: string, fn: () => Promise<T>) => Promise<T>;

/** The largest index a log can reach; a bound past it reads as it. */
const MAX_INDEX = Number.MAX_SAFE_INTEGER;

/**
 * Reads of actor data on PostgreSQL (writes are part of `loom_commit_batch`,
 * migration 007). Keys and names are ordered COLLATE "C": byte order of their
 * UTF-8, which is code-unit order except that characters beyond U+FFFF sort
 * after U+E000–U+FFFF.
 */
export class PostgresActorData implements ActorDataStore {
  constructor(
    private readonly session: Session,
    private readonly guard: Guard,
  ) {}

  readKey(actorType: string, actorId: string, key: string): Promise<string | undefined> {
    return this.guard('readKey', async () => {
      const res = await this.session.run<{ value_json: string }>('dataReadKey', [actorType, actorId, key]);
      return res.rows[0]?.value_json;
    });
  }

  listKeys(actorType: string, actorId: string, page: { after?: string; limit: number }): Promise<string[]> {
    const limit = Math.floor(page.limit);
    if (!(limit > 0)) return Promise.resolve([]);
    return this.guard('listKeys', async () => {
      const res = page.after === undefined
        ? await this.session.run<{ key: string }>('dataListKeys', [actorType, actorId, limit])
        : await this.session.run<{ key: string }>('dataListKeysAfter', [actorType, actorId, page.after, limit]);
      return res.rows.map((r) => r.key);
    });
  }

  logBounds(actorType: string, actorId: string, name: string): Promise<LogBounds> {
    return this.guard('logBounds', async () => {
      const row = (await this.session.run<{ first: string; next: string }>('dataLogBounds', [actorType, actorId, name])).rows[0];
      return row ? { first: Number(row.first), next: Number(row.next) } : { first: 0, next: 0 };
    });
  }

  readLog(actorType: string, actorId: string, name: string, from: number, to: number): Promise<LogEntry[]> {
    const lo = Math.max(0, Math.ceil(from));
    const hi = Math.min(MAX_INDEX, Math.ceil(to));
    if (!(lo < hi)) return Promise.resolve([]);
    return this.guard('readLog', async () => {
      const res = await this.session.run<{ idx: string; value_json: string }>('dataReadLog', [actorType, actorId, name, lo, hi]);
      return res.rows.map((r) => ({ index: Number(r.idx), valueJson: r.value_json }));
    });
  }

  listLogs(actorType: string, actorId: string, page: { after?: string; limit: number }): Promise<({ name: string } & LogBounds)[]> {
    const limit = Math.floor(page.limit);
    if (!(limit > 0)) return Promise.resolve([]);
    return this.guard('listLogs', async () => {
      type Row = { name: string; first: string; next: string };
      const res = page.after === undefined
        ? await this.session.run<Row>('dataListLogs', [actorType, actorId, limit])
        : await this.session.run<Row>('dataListLogsAfter', [actorType, actorId, page.after, limit]);
      return res.rows.map((r) => ({ name: r.name, first: Number(r.first), next: Number(r.next) }));
    });
  }
}
