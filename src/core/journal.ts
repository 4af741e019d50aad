import { NonDeterminismError } from './errors.js';
import type { JournalEntry } from '../ports/store.js';

/** Identifies the invocation a journal belongs to, for error messages. */
export interface JournalOwner {
  actorType: string;
  actorId: string;
  invocationId: string;
}

/** What the cursor answers when a handler asks for its next durable operation. */
export type JournalDecision =
  | { kind: 'replay'; position: number; entry: JournalEntry }
  | { kind: 'execute'; position: number };

/**
 * The replay state machine: walks a recorded journal in step with the handler.
 * Pure: no I/O, no clock. Each durable operation the handler issues calls
 * `next(kind, name)`; a recorded entry at that position must match, or the run
 * diverged from the recording and a {@link NonDeterminismError} is raised.
 */
export class JournalCursor {
  private position = 0;
  private readonly recorded: readonly JournalEntry[];

  constructor(
    entries: readonly JournalEntry[],
    private readonly owner: JournalOwner,
  ) {
    this.recorded = entries.length > 1 ? [...entries].sort((a, b) => a.seq - b.seq) : entries;
  }

  /** Next durable operation of the handler: replay the recorded entry, or execute anew. */
  next(kind: JournalEntry['kind'], name: string): JournalDecision {
    const position = this.position++;
    const entry = this.recorded[position];
    if (!entry) return { kind: 'execute', position };
    if (entry.seq !== position) {
      throw this.divergence(position, `(gap: entry ${entry.seq})`, `${kind} "${name}"`);
    }
    if (entry.kind !== kind || entry.name !== name) {
      throw this.divergence(position, `${entry.kind} "${entry.name}"`, `${kind} "${name}"`);
    }
    return { kind: 'replay', position, entry };
  }

  /**
   * `patched(name)`: the marker recorded at this position is consumed (`'replay'`);
   * past the recording the position is taken for a new marker (`'execute'`);
   * anything else recorded here was written by code without the patch, and
   * nothing is consumed (`'absent'`), so that code's path replays as it ran.
   */
  patch(name: string): JournalDecision | { kind: 'absent' } {
    const entry = this.recorded[this.position];
    if (entry && (entry.kind !== 'patch' || entry.name !== name || entry.seq !== this.position)) return { kind: 'absent' };
    return this.next('patch', name);
  }

  /** True while the handler is still re-reading recorded entries. */
  get replaying(): boolean {
    return this.position < this.recorded.length;
  }

  /**
   * Called when the handler returns: a recorded entry the code never asked for
   * means the code changed under a running invocation.
   */
  assertConsumed(): void {
    const entry = this.recorded[this.position];
    if (entry) throw this.divergence(this.position, `${entry.kind} "${entry.name}"`, 'the handler to return');
  }

  private divergence(position: number, recorded: string, requested: string): NonDeterminismError {
    return new NonDeterminismError({ ...this.owner, position, recorded, requested });
  }
}
