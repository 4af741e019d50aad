/**
 * Actor data: per-key state and append-only logs of one actor, beside its plain
 * `this.state`. A turn writes only what it changed (`ActorDataWrite`, part of the
 * turn's atomic, fenced commit); reads are lazy, one key or one range at a time.
 * This is what keeps the cost of a turn proportional to the change, not to the
 * size of everything the actor holds.
 */

/** What one turn changes in one actor's data. Applied only if the turn commits. */
export interface ActorDataWrite {
  actorType: string;
  actorId: string;
  /** Keys to set (`valueJson`) or delete (`valueJson` undefined), in order: the last write of a key wins. */
  kv?: { key: string; valueJson: string | undefined }[];
  /**
   * Per log, in order: `append` entries take the indexes `next`, `next + 1`, … of the log as
   * stored; then every entry whose index is below `trimBefore` is removed (indexes never shift).
   */
  logs?: { name: string; append?: string[]; trimBefore?: number }[];
}

/** A log's kept range: entries `first` ≤ index < `next`. An empty log has `first === next`. */
export interface LogBounds {
  first: number;
  next: number;
}

export interface LogEntry {
  index: number;
  valueJson: string;
}

/** Optional store capability (`Store.actorData`): reads of actor data. Writes go through `TurnWrite.data`. */
export interface ActorDataStore {
  /** One key's JSON, or undefined when it is not set. */
  readKey(actorType: string, actorId: string, key: string): Promise<string | undefined>;
  /** The actor's keys in ascending code-unit order, after `after` (exclusive), at most `limit`. */
  listKeys(actorType: string, actorId: string, page: { after?: string; limit: number }): Promise<string[]>;
  /** A log's bounds; `{ first: 0, next: 0 }` for a log never written. */
  logBounds(actorType: string, actorId: string, name: string): Promise<LogBounds>;
  /** The kept entries with `from` ≤ index < `to`, ascending. */
  readLog(actorType: string, actorId: string, name: string, from: number, to: number): Promise<LogEntry[]>;
  /** The actor's logs by name in ascending order, after `after` (exclusive), at most `limit`. */
  listLogs(actorType: string, actorId: string, page: { after?: string; limit: number }): Promise<({ name: string } & LogBounds)[]>;
}
