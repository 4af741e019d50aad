import type { InvocationRecord } from '../ports/store.js';

/** What a mailbox says about its next invocation. */
export type Head =
  | { kind: 'run'; invocation: InvocationRecord }
  | { kind: 'wait-promise'; invocation: InvocationRecord; promiseId: string }
  | { kind: 'wait-until'; at: number }
  | { kind: 'empty' };

/**
 * One actor id's queue and activation. Invocations run one at a time in `seq`
 * order; a started invocation (one that committed a turn, e.g. is sleeping or
 * awaiting a call) reserves the actor until it completes. Delayed messages that
 * have not started do not hold up the ones behind them.
 */
export class Mailbox {
  readonly queue: InvocationRecord[] = [];
  running: InvocationRecord | undefined;
  /** Committed state as JSON; undefined until loaded. */
  stateJson: string | undefined;
  version = 0;
  loaded = false;
  lastUsed = 0;
  timer: NodeJS.Timeout | undefined;
  timerAt = 0;

  constructor(
    readonly key: string,
    readonly actorType: string,
    readonly actorId: string,
    readonly partition: number,
  ) {}

  /** Adds or refreshes an invocation; a record older than the one held (by wakeSeq) is ignored. */
  offer(rec: InvocationRecord): boolean {
    if (this.running?.id === rec.id) return false;
    const i = this.queue.findIndex((r) => r.id === rec.id);
    if (i >= 0) {
      if (rec.wakeSeq <= this.queue[i]!.wakeSeq) return false;
      this.queue[i] = rec;
      return true;
    }
    let at = this.queue.length;
    while (at > 0 && this.queue[at - 1]!.seq > rec.seq) at--;
    this.queue.splice(at, 0, rec);
    return true;
  }

  remove(id: string): void {
    const i = this.queue.findIndex((r) => r.id === id);
    if (i >= 0) this.queue.splice(i, 1);
  }

  /** The invocation to run now, or what it is waiting for. */
  head(now: number): Head {
    let earliest = Infinity;
    for (const rec of this.queue) {
      if (rec.started) {
        if (rec.waitingOn) return { kind: 'wait-promise', invocation: rec, promiseId: rec.waitingOn };
        if ((rec.notBefore ?? 0) > now) return { kind: 'wait-until', at: rec.notBefore! };
        return { kind: 'run', invocation: rec };
      }
    }
    for (const rec of this.queue) {
      const at = rec.notBefore ?? 0;
      if (at <= now) return { kind: 'run', invocation: rec };
      earliest = Math.min(earliest, at);
    }
    return earliest === Infinity ? { kind: 'empty' } : { kind: 'wait-until', at: earliest };
  }

  get idle(): boolean {
    return !this.running && this.queue.length === 0;
  }
}
