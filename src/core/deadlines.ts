import { performance } from 'node:perf_hooks';
import { timerDelay } from './timers.js';

/** Deadlines of one duration: they are added in time order, so the lane is a FIFO. */
interface Lane {
  /** Slots before `head` are emptied as it passes them, so a finished entry dies young instead of waiting for a compaction. */
  items: (Deadline | undefined)[];
  head: number;
  live: number;
}

/** A registered deadline; `cancel` it once the work it guards has ended. */
export class Deadline {
  cancelled = false;
  constructor(
    readonly at: number,
    /** Let go of once cancelled: a cancelled entry may stay in its lane a while, and must not keep the attempt alive. */
    public fire: () => void,
    /** @internal */
    readonly lane: Lane,
  ) {}
}

/**
 * Many short-lived timeouts on one timer: every running handler's. A
 * `setTimeout` per attempt costs a timer object, an async resource and a
 * promise race on every message; here an attempt costs one small object.
 * Deadlines of the same duration arrive in time order, so each duration is a
 * FIFO lane whose head is its earliest deadline, and the single timer is armed
 * for the earliest head. Cancelled entries leave a lane from its head, or in a
 * compaction once they outnumber the live ones.
 */
export class Deadlines {
  private readonly lanes = new Map<number, Lane>();
  private timer: NodeJS.Timeout | undefined;
  private timerAt = Infinity;
  /** Live deadlines over all lanes: at zero the timer goes, so that it keeps no idle process alive. */
  private live = 0;

  /** Calls `fire` after `ms` unless the returned deadline is cancelled first. */
  add(ms: number, fire: () => void): Deadline {
    let lane = this.lanes.get(ms);
    if (!lane) this.lanes.set(ms, (lane = { items: [], head: 0, live: 0 }));
    const d = new Deadline(performance.now() + ms, fire, lane);
    lane.items.push(d);
    lane.live++;
    this.live++;
    if (d.at < this.timerAt) this.arm(d.at);
    return d;
  }

  cancel(d: Deadline): void {
    if (d.cancelled) return;
    d.cancelled = true;
    d.fire = ignore;
    d.lane.live--;
    this.trim(d.lane);
    if (--this.live === 0 && this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
      this.timerAt = Infinity;
    }
  }

  /** Entries held, cancelled ones not yet dropped included (for tests and diagnostics). */
  get held(): number {
    let n = 0;
    for (const lane of this.lanes.values()) n += lane.items.length - lane.head;
    return n;
  }

  /** Deadlines still armed (for tests and diagnostics). */
  get size(): number {
    return this.live;
  }

  /** Drops cancelled entries from the head, and compacts a lane that is mostly cancelled. */
  private trim(lane: Lane): void {
    while (lane.head < lane.items.length && lane.items[lane.head]!.cancelled) lane.items[lane.head++] = undefined;
    const held = lane.items.length - lane.head;
    if (lane.head > 1024 && lane.head * 2 > lane.items.length) {
      lane.items = lane.items.slice(lane.head);
      lane.head = 0;
    } else if (held > 64 && lane.live * 4 < held) {
      lane.items = lane.items.slice(lane.head).filter((d) => !d!.cancelled);
      lane.head = 0;
    }
    if (lane.head === lane.items.length) {
      lane.items.length = 0;
      lane.head = 0;
    }
  }

  private arm(at: number): void {
    if (this.timer) clearTimeout(this.timer);
    this.timerAt = at;
    // A deadline past the longest timer wakes at that one, finds nothing due, and arms again.
    this.timer = setTimeout(() => this.expire(), timerDelay(at - performance.now()));
  }

  private expire(): void {
    this.timer = undefined;
    this.timerAt = Infinity;
    const now = performance.now();
    const due: Deadline[] = [];
    let next = Infinity;
    for (const [ms, lane] of this.lanes) {
      while (lane.head < lane.items.length) {
        const d = lane.items[lane.head]!;
        if (!d.cancelled && d.at > now) break;
        lane.items[lane.head++] = undefined;
        if (!d.cancelled) {
          d.cancelled = true;
          lane.live--;
          this.live--;
          due.push(d);
        }
      }
      this.trim(lane);
      const first = lane.items[lane.head];
      if (first) next = Math.min(next, first.at);
      else this.lanes.delete(ms);
    }
    if (next < Infinity) this.arm(next);
    for (const d of due) {
      const fire = d.fire;
      d.fire = ignore;
      fire();
    }
  }
}

const ignore = (): void => {};
