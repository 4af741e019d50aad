/**
 * The Schedules port: schedule definitions and their tick cursors, kept by the
 * store so that they survive restarts and every worker sees the same ones.
 *
 * The cursor is the last tick handed out and whether its message is known to be
 * enqueued. It only moves by compare-and-set (`advance`), so of two workers that
 * both think they own a schedule (a paused former owner, a rebalance), one wins
 * each tick and the other's write is rejected by the store itself.
 */
export interface ScheduleStore {
  /**
   * Creates the schedule with `cursor`, or, when it exists, replaces its spec and
   * paused flag and keeps its cursor. Returns the stored record.
   */
  put(id: string, specJson: string, paused: boolean, cursor: ScheduleCursor): Promise<ScheduleRecord>;
  /** One schedule, or undefined. */
  get(id: string): Promise<ScheduleRecord | undefined>;
  /** Every schedule, ordered by id. */
  list(): Promise<ScheduleRecord[]>;
  /** Removes a schedule; false when there was none. */
  delete(id: string): Promise<boolean>;
  /** Moves the cursor to `to` only while it is still `from`; false when it was not (someone else moved it). */
  advance(id: string, from: ScheduleCursor, to: ScheduleCursor): Promise<boolean>;
}

/** The last tick (epoch ms) handed out, and whether its message is known to be enqueued. */
export interface ScheduleCursor {
  tick: number;
  enqueued: boolean;
}

/** A schedule as stored. */
export interface ScheduleRecord {
  id: string;
  /** The definition (cron or interval, target, catch-up policy) as JSON. */
  specJson: string;
  paused: boolean;
  cursor: ScheduleCursor;
  updatedAt: number;
}
